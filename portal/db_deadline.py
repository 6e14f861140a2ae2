"""A deadline on every wait for PostgreSQL in the web servers.

``statement_timeout`` is enforced by the server, and ``connect_timeout`` only while
connecting: a database that stops answering on a connection already open (a frozen
server or host that still acknowledges packets) would hold the request, and the
gunicorn worker, until it resumes. psycopg2's wait callback runs every wait of the
process through ``wait_with_deadline``, which gives up after ``connect_seconds``
while connecting and ``query_seconds`` for any later answer: psycopg2 then closes
the connection and Django raises ``OperationalError``, which the portal answers
with its 503 page (portal/outage.py); the next request opens a new connection.
Installed by portal/wsgi.py only, so commands (migrate, backups) have no deadline.
"""

import select
import time

import psycopg2
from psycopg2 import extensions


def make_wait(connect_seconds: float, query_seconds: float):
    """A psycopg2 wait callback with these deadlines (seconds, > 0)."""

    def wait_with_deadline(conn) -> None:
        limit = connect_seconds if conn.status == extensions.STATUS_SETUP else query_seconds
        deadline = time.monotonic() + limit
        while True:
            state = conn.poll()
            if state == extensions.POLL_OK:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise psycopg2.OperationalError(
                    f"the database did not answer within {limit:g} s (portal deadline)"
                )
            fd = conn.fileno()
            if state == extensions.POLL_READ:
                select.select([fd], [], [], left)
            elif state == extensions.POLL_WRITE:
                select.select([], [fd], [], left)
            else:  # pragma: no cover (psycopg2 documents no other state)
                raise psycopg2.OperationalError(f"unexpected poll state {state}")

    return wait_with_deadline


def install(*, connect_seconds: float, query_seconds: float) -> bool:
    """Make every psycopg2 wait of this process keep the deadlines; False (nothing
    installed) when ``query_seconds`` is 0."""
    if not query_seconds:
        return False
    extensions.set_wait_callback(make_wait(connect_seconds, query_seconds))
    return True
