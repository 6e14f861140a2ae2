"""The portal's authentication backend: Django's ``ModelBackend``, with what every
signed-in page asks of the user read together with the user, by statements written
once per process.

``get_user`` (once per signed-in request) reads the user, their unit (the header names
it; ``acting_unit`` and the pages use it) and whether they are in the 产改办 group
(``User.is_office``, asked by the header and most pages) in one SELECT. Through the
ORM the user alone cost about 0.4 ms of CPU, and the unit and the group test a query
each; the SELECT with its SQL kept costs about 0.06 ms (issue 11). Permissions (the
header asks two of staff users, for its administrator links) are read in one
statement rather than Django's two (the user's own, their groups'), by the same rule.

``AUTHENTICATION_BACKENDS`` lists this backend before Django's ``ModelBackend``: new
sign-ins are recorded with this backend's path, while sessions signed in before it
existed name ``ModelBackend`` and stay valid (Django refuses a session whose backend
is no longer listed). A wrong password is refused here once and for all
(``PermissionDenied``), so the ``ModelBackend`` listed after it does not hash the
same password a second time.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connections, router
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.signals import m2m_changed, post_delete, post_init, post_save, pre_init

from portal.audit.request import current_request

from .models import OFFICE_GROUP

UserModel = get_user_model()

# Statements and column converters per (database alias, engine): they depend on the
# models and the engine only.
_memo: dict = {}

# PostgreSQL: the table holding the permission tables' stamp (accounts 0005), and
# each permission set read, by (database, stamp, the user's id or None for a
# superuser): a pure function of the key. This process's own changes through the ORM
# empty it as well (``_forget_permission_sets``), so that a request that changes
# permissions and then asks them, with the stamp it read before, reads them again.
STAMP_TABLE = "accounts_permission_stamp"
PERMISSION_SETS = 4096  # cleared whole if ever exceeded
_permission_sets: dict[tuple, frozenset] = {}


def _forget_permission_sets(**kwargs) -> None:
    _permission_sets.clear()


for _through in (
    UserModel.groups.through,
    UserModel.user_permissions.through,
    Group.permissions.through,
):
    m2m_changed.connect(
        _forget_permission_sets, sender=_through, dispatch_uid=f"perm-sets-{_through}"
    )
for _model in (Permission, ContentType, Group):
    for _signal in (post_save, post_delete):
        _signal.connect(_forget_permission_sets, sender=_model, dispatch_uid=f"perm-sets-{_model}")


def _converters(fields, alias: str, connection) -> list[tuple[int, list]]:
    """``(position, (column, converters))`` of the ``fields`` read from table ``alias`` whose
    values the engine returns in another form than the model's (what the ORM's
    compiler applies: SQLite's dates and booleans, fields' ``from_db_value``)."""
    found = []
    for position, field in enumerate(fields):
        column = field.get_col(alias)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((position, (column, functions)))
    return found


def _maker(model):
    """A function ``(alias, names, values) -> instance`` that does what
    ``model.from_db`` does with a value for every concrete field, in their order.

    Django's ``Model.__init__`` sends ``pre_init`` and ``post_init`` and sets each value
    with ``setattr``; when the model keeps Django's ``__init__`` and ``from_db``, its
    fields' attributes store what they are given as it is (plain values, or a foreign
    key's id, whose descriptor only writes it into the instance's dict when nothing is
    cached yet) and nothing listens to the two signals for it, that comes down to
    filling the instance's dict, which the function then does (about 10 µs less for a
    user, every signed-in request). Otherwise it calls ``from_db``."""
    plain = model.__init__ is Model.__init__ and model.from_db.__func__ is Model.from_db.__func__
    for field in model._meta.concrete_fields:
        descriptor = getattr(model, field.attname, None)
        if (
            hasattr(type(descriptor), "__set__")
            and type(descriptor) is not ForeignKeyDeferredAttribute
        ):
            plain = False
    new = object.__new__

    def make(alias, names, values):
        if not plain or pre_init.has_listeners(model) or post_init.has_listeners(model):
            return model.from_db(alias, names, values)
        instance = new(model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = alias
        instance.__dict__.update(zip(names, values, strict=True))
        return instance

    return make


class _UserRead:
    """The SELECT of ``get_user`` and what turns its row into a ``User`` with its unit."""

    def __init__(self, connection):
        qn = connection.ops.quote_name
        user_meta = UserModel._meta
        unit_field = user_meta.get_field("unit")
        unit_model = unit_field.related_model
        self.user_fields = list(user_meta.concrete_fields)
        self.unit_fields = list(unit_model._meta.concrete_fields)
        self.user_names = [f.attname for f in self.user_fields]
        self.unit_names = [f.attname for f in self.unit_fields]
        self.unit_field = unit_field
        self.unit_model = unit_model
        groups = user_meta.get_field("groups")
        through = groups.remote_field.through._meta.db_table
        group_table = Group._meta.db_table
        user_table = user_meta.db_table
        columns = [f"u.{qn(f.column)}" for f in self.user_fields]
        columns += [f"n.{qn(f.column)}" for f in self.unit_fields]
        # The select list (its one parameter: the 产改办 group's name), and the unit
        # joined to the user ``u``: the user's statement, and the session's
        # (``session_sql``) when the session's user is known beforehand.
        self.columns = (
            f"{', '.join(columns)}, EXISTS("
            f"SELECT 1 FROM {qn(through)} ug INNER JOIN {qn(group_table)} g"
            f" ON g.{qn(Group._meta.pk.column)} = ug.{qn(groups.m2m_reverse_name())}"
            f" WHERE ug.{qn(groups.m2m_column_name())} = u.{qn(user_meta.pk.column)}"
            f" AND g.{qn(Group._meta.get_field('name').column)} = %s)"
        )
        # PostgreSQL: the permissions' stamp (accounts 0005), for ``get_all_permissions``.
        self.stamped = connection.vendor == "postgresql"
        if self.stamped:
            self.columns += f", (SELECT s.value FROM {qn(STAMP_TABLE)} s)"
            # The same columns from ``accounts_session_user`` (accounts 0006), whose
            # user and unit are the tables' row types: the session's statement there.
            self.function_columns = ", ".join(
                [f"(f.o_user).{qn(f.column)}" for f in self.user_fields]
                + [f"(f.o_unit).{qn(f.column)}" for f in self.unit_fields]
                + ["f.o_office", "f.o_stamp"]
            )
        self.unit_join = (
            f" LEFT OUTER JOIN {qn(unit_model._meta.db_table)} n"
            f" ON n.{qn(unit_model._meta.pk.column)} = u.{qn(unit_field.column)}"
        )
        self.user_table = qn(user_table)
        self.user_pk = f"u.{qn(user_meta.pk.column)}"
        self.sql = (
            f"SELECT {self.columns} FROM {self.user_table} u{self.unit_join}"
            f" WHERE {self.user_pk} = %s"
        )
        self.width = len(columns) + 1 + self.stamped
        self.pk_position = self.user_fields.index(user_meta.pk)
        self.user_converters = _converters(self.user_fields, "u", connection)
        self.unit_converters = _converters(self.unit_fields, "n", connection)
        self.make_user = _maker(UserModel)
        self.make_unit = _maker(unit_model)

    @staticmethod
    def _convert(values: list, converters, connection) -> list:
        for position, (column, functions) in converters:
            value = values[position]
            for function in functions:
                value = function(value, column, connection)
            values[position] = value
        return values

    def params(self, connection, user_id) -> list:
        """The parameters of the select list and of the user's id, in that order."""
        return [OFFICE_GROUP, UserModel._meta.pk.get_db_prep_value(user_id, connection)]

    def get(self, connection, user_id):
        """The ``User`` of ``user_id`` (unit and ``_is_office`` filled in) or None."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params(connection, user_id))
            row = cursor.fetchone()
        return None if row is None else self.user_of(row, connection)

    def user_of(self, row, connection):
        """The ``User`` of a row of the select list (None when its columns are NULL: no
        such user, as a LEFT JOIN gives it)."""
        row = list(row)
        n = len(self.user_fields)
        if row[self.pk_position] is None:
            return None
        user_values = self._convert(row[:n], self.user_converters, connection)
        user = self.make_user(connection.alias, self.user_names, user_values)
        unit = None
        if user.unit_id is not None:
            unit_values = self._convert(
                row[n : n + len(self.unit_fields)], self.unit_converters, connection
            )
            unit = self.make_unit(connection.alias, self.unit_names, unit_values)
        self.unit_field.set_cached_value(user, unit)
        if self.stamped:
            user._is_office = bool(row[-2])
            user._permission_stamp = row[-1]
        else:
            user._is_office = bool(row[-1])
        return user


def _permissions_sql(connection, superuser: bool, *, stamped: bool = False) -> str:
    """The statement of the permissions' ``(app_label, codename)`` (every one for a
    superuser; else the user's own and their groups', the user's id twice as its
    parameters); ``stamped``: each row led by the permission tables' stamp (accounts
    0005; NULL without its row) read in the same snapshot, and one row with NULLs
    after it when there is no permission."""
    if stamped:
        inner = _permissions_sql(connection, superuser)
        stamp = f"SELECT s.value FROM {connection.ops.quote_name(STAMP_TABLE)} s"
        return f"SELECT ({stamp}), x.* FROM (SELECT 1) o LEFT JOIN ({inner}) x ON TRUE"
    qn = connection.ops.quote_name
    permission, content_type = Permission._meta, ContentType._meta
    user_perms = UserModel._meta.get_field("user_permissions")
    groups = UserModel._meta.get_field("groups")
    group_perms = Group._meta.get_field("permissions")
    sql = (
        f"SELECT c.{qn(content_type.get_field('app_label').column)},"
        f" p.{qn(permission.get_field('codename').column)}"
        f" FROM {qn(permission.db_table)} p INNER JOIN {qn(content_type.db_table)} c"
        f" ON c.{qn(content_type.pk.column)} = p.{qn(permission.get_field('content_type').column)}"
    )
    if superuser:
        return sql
    return sql + (
        f" WHERE p.{qn(permission.pk.column)} IN ("
        f"SELECT {qn(user_perms.m2m_reverse_name())}"
        f" FROM {qn(user_perms.remote_field.through._meta.db_table)}"
        f" WHERE {qn(user_perms.m2m_column_name())} = %s"
        f" UNION SELECT gp.{qn(group_perms.m2m_reverse_name())}"
        f" FROM {qn(group_perms.remote_field.through._meta.db_table)} gp"
        f" INNER JOIN {qn(groups.remote_field.through._meta.db_table)} ug"
        f" ON ug.{qn(groups.m2m_reverse_name())} = gp.{qn(group_perms.m2m_column_name())}"
        f" WHERE ug.{qn(groups.m2m_column_name())} = %s)"
    )


def user_read(connection) -> _UserRead:
    """The user's statement and row reader for ``connection`` (made once per process)."""
    return _memo_for(connection, "user", lambda: _UserRead(connection))


# What ``SessionStore.take_user`` answers when the session read no user for this id.
NOT_READ = object()


def _read_with_session(user_id):
    """The user of ``user_id`` as the request's session read it with its row, None
    (no such user), or ``NOT_READ``. The request is the one being served
    (``portal.audit.request``): Django's ``get_user`` gives the backend only an id."""
    session = getattr(current_request(), "session", None)
    take = getattr(session, "take_user", None)
    return NOT_READ if take is None else take(user_id)


def _memo_for(connection, name, make):
    key = (connection.alias, connection.vendor, name)
    try:
        return _memo[key]
    except KeyError:
        value = _memo[key] = make()
        return value


class PortalBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        """``ModelBackend.authenticate``; a username and password given that do not
        sign in raise ``PermissionDenied``, on which Django records the failure (once,
        as for any refused sign-in) and asks no further backend, instead of letting
        the ``ModelBackend`` listed after this one check the same password again."""
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            if username is not None or kwargs.get(UserModel.USERNAME_FIELD) is not None:
                raise PermissionDenied
        return user

    def get_user(self, user_id):
        """The active user of ``user_id`` with their unit, and ``_is_office`` (the
        ``User.is_office`` group test), in one statement, or read with the request's
        session by its statement (``sessions.SessionStore``) just before; None when
        there is no such user or the account is inactive (``ModelBackend.get_user``'s
        rule)."""
        user = _read_with_session(user_id)
        if user is NOT_READ:
            connection = connections[router.db_for_read(UserModel)]
            user = user_read(connection).get(connection, user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        """``ModelBackend.get_all_permissions`` — the user's own permissions and their
        groups' (every permission for a superuser; none for an inactive or anonymous
        user, or with an object) as ``{"app_label.codename"}`` — in one statement,
        kept on the user as Django keeps it (``_perm_cache``).

        On PostgreSQL the set is read with the permission tables' stamp (accounts
        0005: a new value in every transaction that changes them) and kept per process
        under it, the database and the user's id (None for a superuser), of which it is
        a pure function; a user read by this backend carries the stamp read with it
        (``_permission_stamp``), and a set kept under that stamp is the one it would
        read. This process's own changes through the ORM forget the kept sets, so a
        request that changes permissions and then asks them reads them again."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            superuser = bool(user_obj.is_superuser)
            connection = connections[router.db_for_read(Permission)]
            state = getattr(user_obj, "_state", None)
            stamped = connection.vendor == "postgresql"
            # Whose set: every superuser's is the same; a user without an id (unsaved,
            # or deleted in this request) has none to keep or share.
            owner = ("superuser",) if superuser else ("user", user_obj.pk)
            keeps = superuser or user_obj.pk is not None
            stamp = getattr(user_obj, "_permission_stamp", None)
            if keeps and stamp is not None and state is not None and state.db == connection.alias:
                kept = _permission_sets.get((connection.alias, stamp, owner))
                if kept is not None:
                    user_obj._perm_cache = set(kept)
                    return user_obj._perm_cache
            sql = _memo_for(
                connection,
                f"permissions-{superuser}-{stamped}",
                lambda: _permissions_sql(connection, superuser, stamped=stamped),
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [] if superuser else [user_obj.pk, user_obj.pk])
                rows = cursor.fetchall()
            if stamped:  # the stamp on every row (one row of NULLs: no permission)
                found = {f"{app}.{codename}" for _s, app, codename in rows if app is not None}
                stamp = rows[0][0] if rows else None
                if stamp is not None and keeps:
                    if len(_permission_sets) >= PERMISSION_SETS:
                        _permission_sets.clear()
                    _permission_sets[(connection.alias, stamp, owner)] = frozenset(found)
            else:
                found = {f"{app}.{codename}" for app, codename in rows}
            user_obj._perm_cache = found
        return user_obj._perm_cache
