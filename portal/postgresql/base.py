"""Django's PostgreSQL backend with a health check that costs no round trip while the
connection is sound (``ENGINE = "portal.postgresql"``, set by portal/settings.py).

``CONN_HEALTH_CHECKS`` makes Django test a reused connection before the first
statement of each request, so that a connection the server has ended since the last
request (PostgreSQL restarted, the backend terminated) is replaced instead of failing
that request with a 503. Django's test is ``is_usable``: a ``SELECT 1``, a round trip
and some of the server's CPU on every page that reads the database (issue 11).

A connection ended by the server while idle has something waiting on its socket: the
server's error message ("terminating connection due to administrator command") and
the end of the stream, or an error the kernel recorded (a reset, or TCP keepalives
that went unanswered: portal/settings.py probes an idle connection after 10 s). So the
socket of a connection sitting idle between requests is polled without waiting;
only when it is readable, or in error, does the ``SELECT 1`` run (and replace the
connection when it fails). A quiet socket means the server has said nothing since its
last answer, and the connection is used as it is.

What the poll cannot see is a path that died without a word and without a reset,
in the 25 s before the keepalives (10 s idle, then three probes 5 s apart) turn it
into a socket error. There Django's ``SELECT 1`` would wait for the query deadline,
then reconnect and serve the request late; with the poll, the request's own
statement meets that deadline and the request answers 503 (the next one connects
anew). Rare, and accepted for the round trip every other request saves.
After a statement failed (Django's ``errors_occurred``), the end of the request still
runs the full ``is_usable``, as Django does.
"""

import select

from django.db.backends.postgresql import base

# Anything but silence on an idle connection's socket.
_SOMETHING_WAITS = (
    select.POLLIN | select.POLLPRI | select.POLLERR | select.POLLHUP | select.POLLNVAL
)


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        """Django's check before the first statement of a request on a reused
        connection, with ``is_usable`` (``SELECT 1``) run only when the idle
        connection is closed or its socket is not quiet."""
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self.idle_socket_quiet() and not self.is_usable():
            self.close()
        self.health_check_done = True

    def idle_socket_quiet(self) -> bool:
        """True when the open connection's socket has nothing to read and no error:
        the server has sent nothing since its last answer."""
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), _SOMETHING_WAITS)
            return not poller.poll(0)
        except (OSError, ValueError, base.Database.Error):
            return False
