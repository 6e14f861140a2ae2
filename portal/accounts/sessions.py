"""Sessions in the database (Django's ``db`` engine), read with a statement written once
per process (``SESSION_ENGINE = "portal.accounts.sessions"``).

Every signed-in request reads its session. Through the ORM that read cost about 0.4 ms
of CPU (building and compiling the query, then a model row), more than the rest of a
hello-world page; the same SELECT with its SQL kept costs about 0.05 ms (issue 11).
The table, the rows, their encoding and every write are Django's own: sessions made
before this engine are read by it and the other way round, and everything that ends a
session (sign-out, idle sign-out, a changed password or session token, an expired
row, a restored database) ends it here exactly as with Django's engine, since no copy
of a session is kept anywhere but its row.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone

# The SELECT per (database alias, engine): its text depends on nothing else.
_select: dict[tuple[str, str], str] = {}


def _select_sql(model, connection) -> str:
    key = (connection.alias, connection.vendor)
    sql = _select.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        meta = model._meta
        sql = _select[key] = (
            f"SELECT {qn(meta.get_field('session_data').column)} FROM {qn(meta.db_table)}"
            f" WHERE {qn(meta.get_field('session_key').column)} = %s"
            f" AND {qn(meta.get_field('expire_date').column)} > %s"
        )
    return sql


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The session's row (only ``session_key`` and ``session_data`` filled) if it
        exists and has not expired, else None (and this store forgets its key), like
        Django's ``SessionStore._get_session_from_db``."""
        connection = connections[router.db_for_read(self.model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(_select_sql(self.model, connection), [self.session_key, now])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
