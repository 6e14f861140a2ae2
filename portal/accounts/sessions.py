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

Two things learnt from a session's verified data are remembered per process, for the
next requests of the same session (issue 11):

- whose session it is. A session key never changes hands: Django gives the session a
  new key at every sign-in and sign-out (``login`` cycles or flushes it, ``logout``
  flushes it). So once the key is known to be a user's, the next reads of that session
  read the user's row (with the unit and the 产改办 test) in the session's own
  statement, which the portal's backend then takes instead of its own statement
  (``backends.PortalBackend.get_user``): one statement per signed-in request, not two.
  It takes the row only for the user id Django found in the session data just read.
- what a signed text says. Checking the signature and decoding the session data is a
  function of the text alone (and of the secret keys, whose change forgets it); a text
  already checked is read again from the JSON it carried, without the HMAC, base64 and
  zlib work. Rows are still read on every request: a changed, expired or deleted row
  reads as it does in Django.
"""

from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db import connections, router
from django.dispatch import receiver
from django.utils import timezone

PORTAL_BACKEND = "portal.accounts.backends.PortalBackend"
# Entries kept in each memo below; past that it starts again (a few MB at most).
MEMO_LIMIT = 10_000

# The SELECTs per (database alias, engine, with the user): their text depends on nothing else.
_select: dict[tuple, str] = {}
# Session key -> the id of the user signed in with it (see the module's docstring).
_owners: dict[str, object] = {}
# Signed session text -> the serialized data it carries, once its signature was checked.
_verified: dict[str, bytes] = {}


@receiver(setting_changed, dispatch_uid="accounts_sessions_memo")
def _forget(setting, **kwargs):
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_SERIALIZER", "AUTH_USER_MODEL"):
        _verified.clear()
        _owners.clear()


def _remember(memo: dict, key, value) -> None:
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _select_sql(model, connection, users=None) -> str:
    """The session's SELECT; with ``users`` (``backends.user_read``) the user's row of
    a given id joined, and its columns after the session's data (parameters: the
    group's name, the user's id, the session's key, the time), or on PostgreSQL the
    same through accounts 0006's function (parameters: the session's key, the time,
    the user's id, the group's name), whose plan PostgreSQL keeps per connection:
    planning the statement was about two thirds of its CPU."""
    key = (connection.alias, connection.vendor, users is not None)
    sql = _select.get(key)
    if sql is None:
        if users is not None and users.stamped:
            sql = (
                f"SELECT f.o_data, {users.function_columns}"
                " FROM accounts_session_user(%s, %s, %s, %s) f"
            )
        else:
            sql = statement_sql(model, connection, users)
        _select[key] = sql
    return sql


def statement_sql(model, connection, users=None) -> str:
    """The session's SELECT written out (what accounts 0006's function runs)."""
    qn = connection.ops.quote_name
    meta = model._meta
    sql = f"SELECT s.{qn(meta.get_field('session_data').column)}"
    if users is None:
        sql += f" FROM {qn(meta.db_table)} s"
    else:
        sql += (
            f", {users.columns} FROM {qn(meta.db_table)} s"
            f" LEFT OUTER JOIN {users.user_table} u ON {users.user_pk} = %s{users.unit_join}"
        )
    return sql + (
        f" WHERE s.{qn(meta.get_field('session_key').column)} = %s"
        f" AND s.{qn(meta.get_field('expire_date').column)} > %s"
    )


class SessionStore(DatabaseSessionStore):
    # (user id, User or None) read with the session's row in this request, until taken.
    _user_read = None

    def _get_session_from_db(self):
        """The session's row (only ``session_key`` and ``session_data`` filled) if it
        exists and has not expired, else None (and this store forgets its key), like
        Django's ``SessionStore._get_session_from_db``."""
        data = self._read_session_data()
        return None if data is None else self.model(session_key=self.session_key, session_data=data)

    def _read_session_data(self) -> str | None:
        """The session's data if its row exists and has not expired, else None (and this
        store forgets its key). When the session is known to be a user's, that user's
        row is read by the same statement (``take_user``)."""
        connection = connections[router.db_for_read(self.model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        owner = _owners.get(self.session_key)
        users = None
        if owner is not None and router.db_for_read(get_user_model()) == connection.alias:
            from .backends import user_read

            users = user_read(connection)
            group, user_id = users.params(connection, owner)
            if users.stamped:  # PostgreSQL: the function of accounts 0006
                params = [self.session_key, now, user_id, group]
            else:
                params = [group, user_id, self.session_key, now]
        else:
            params = [self.session_key, now]
        with connection.cursor() as cursor:
            cursor.execute(_select_sql(self.model, connection, users), params)
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        if users is not None:
            self._user_read = (owner, users.user_of(row[1:], connection))
        return row[0]

    def load(self):
        """Django's ``load``, without making a model instance of the row."""
        text = self._read_session_data()
        data = {} if text is None else self.decode(text)
        self._learn_owner(data)
        return data

    def save(self, must_create=False):
        super().save(must_create=must_create)
        # Signing in saves the session: its next read can bring the user along.
        self._learn_owner(getattr(self, "_session_cache", {}))

    def _learn_owner(self, data) -> None:
        if (
            self.session_key is not None
            and data.get(BACKEND_SESSION_KEY) == PORTAL_BACKEND
            and self.session_key not in _owners
        ):
            try:
                owner = get_user_model()._meta.pk.to_python(data[SESSION_KEY])
            except (KeyError, ValidationError):
                return
            _remember(_owners, self.session_key, owner)

    def take_user(self, user_id):
        """The user read with this session's row if it is ``user_id``'s (a ``User``, or
        None when there is no such user), else ``backends.NOT_READ``. Once: the next
        ask reads the user again."""
        from .backends import NOT_READ

        read, self._user_read = self._user_read, None
        if read is None or read[0] != user_id:
            return NOT_READ
        return read[1]

    def decode(self, session_data):
        """Django's ``decode``; a text whose signature was checked before is read from
        the data it carried."""
        known = _verified.get(session_data)
        if known is not None:
            return self.serializer().loads(known)
        data = super().decode(session_data)
        if data:  # a bad signature or an undecodable text reads as {} and is not kept
            _remember(_verified, session_data, self.serializer().dumps(data))
        return data
