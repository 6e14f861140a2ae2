"""Querysets compiled to SQL once per audience and process, then run with each request's
values through a cursor (issue 11).

Building a queryset and compiling it (cloning, resolving lookups and joins, the
compiler's ``as_sql``) costs about 0.5 ms of CPU a statement: more than running a
small indexed query. A reading page's query depends on who reads only through what
``visible_to(user)`` branches on (the office, being signed in, the unit acted for):
compile it once per such key and keep the SQL string, a per-process memo of SQL that
never changes while the process runs (not a cache of data: every request runs the
statement). What differs per request (an id, a year) is a ``Param`` in the queryset;
a page's slice is given when running (``limit``, ``offset``)::

    query = kept_query(
        ("issue-list", issue_audience(user)),
        lambda: Issue.objects.visible_to(user).filter(year=Param("year")).values("pk", "title"),
    )
    rows = query.dicts({"year": 2020}, limit=20, offset=0)

The key must name everything the built queryset depends on besides its ``Param``
values: two calls with equal keys run the SQL the first one compiled. Key on exactly
what the ``visible_to`` branches on (a function beside it, such as
``bulletins.models.issue_audience``), and test that every persona reads the same rows
both ways (tests/portal/test_kept_sql.py shows how).

A statement asked for with ``prepare=True`` is, on PostgreSQL, prepared once per
connection (``PREPARE``, its ``%s`` placeholders numbered ``$1``, ``$2`` …) and run with
``EXECUTE``: the server then keeps its plan instead of planning it on every request
(a third of a one-row lookup's server time; issue 11). Ask for it only where one plan
serves every value (a lookup by primary key), since after five runs PostgreSQL may
settle on a generic plan. Not for a slice: a sliced run takes the plain path. A
server that lost the statement (``DEALLOCATE``, a pooler's reset) gets it prepared
again; a connection that loses it again at once prepares nothing more. Inside a
transaction, and for a value other than an int, a str, a bool or None (``EXECUTE``
casts a value to the type the server inferred, where the plain statement compares
it as given), the plain statement runs. ``KEPT_SQL_PREPARE = False`` (environment
``KEPT_SQL_PREPARE=0``) turns preparing off, for a pooler in transaction mode.

Only ``values()`` / ``values_list()`` querysets (``rows`` gives tuples even for a
flat one): rows come back as the ORM would give
them (the backend's and fields' converters applied, so SQLite's dates are dates).
"""

from __future__ import annotations

import hashlib
import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connections
from django.db.models import Expression, QuerySet
from django.db.models.query import FlatValuesListIterable, ValuesIterable, ValuesListIterable

MEMO_SIZE = 4096  # a few entries per unit and page; cleared whole if ever exceeded


class Param(Expression):
    """A value given each time a kept query runs, by name: ``filter(year=Param("year"))``.

    ``output_field`` is the field the value stands for (an ``IntegerField()`` by
    default); the value is passed to the database as given, so give it the type the
    column holds (an ``int`` for an id or a year). Usable wherever a lookup takes an
    expression (``exact``, ``lt``, ``gte`` …), not inside ``__in`` lists."""

    def __init__(self, name: str, output_field=None):
        if output_field is None:
            from django.db.models import IntegerField

            output_field = IntegerField()
        super().__init__(output_field=output_field)
        self.name = name

    def __repr__(self):
        return f"Param({self.name!r})"

    def as_sql(self, compiler, connection):
        return "%s", [self]

    def get_group_by_cols(self):
        return []


@dataclass(frozen=True, eq=False)
class KeptQuery:
    """A compiled ``values()`` / ``values_list()`` queryset: run it with ``rows`` or
    ``dicts``. ``sql`` is None when the queryset can match nothing (``none()``, an
    empty ``__in``): running it then returns ``[]`` without a query."""

    using: str
    sql: str | None
    params: tuple
    names: tuple[str, ...]
    col_count: int
    converters: tuple  # ((index, (converter, …), expression), …)
    # (statement name, its text with $n placeholders): ``prepare=True`` on PostgreSQL
    prepared: tuple[str, str] | None = None

    def statement(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[str, list]:
        """``(sql, params)`` to run: each ``Param`` replaced by ``values[name]``
        (``KeyError`` when one is missing), the slice appended as the ORM writes it."""
        values = values or {}
        params = [values[p.name] if isinstance(p, Param) else p for p in self.params]
        sql = self.sql
        if limit is not None or offset:
            high = None if limit is None else int(offset) + int(limit)
            sql = f"{sql} {connections[self.using].ops.limit_offset_sql(int(offset), high)}"
        return sql, params

    def rows(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[tuple]:
        """The rows as tuples, in the ``values()`` order, converted as the ORM does."""
        if self.sql is None:
            return []
        sql, params = self.statement(values, limit=limit, offset=offset)
        connection = connections[self.using]
        with connection.cursor() as cursor:
            if (
                self.prepared
                and limit is None
                and not offset
                and _may_prepare()
                # Inside a transaction a lost statement would fail it: plain SQL there.
                and connection.get_autocommit()
                # EXECUTE casts each value to the type the server inferred (1.5 to an
                # id of 2); the plain statement compares it as given.
                and all(type(p) in _PREPARED_TYPES for p in params)
            ):
                fetched = _run_prepared(connection, cursor, self.prepared, params, sql)
            else:
                cursor.execute(sql, params)
                fetched = cursor.fetchall()
        if not self.converters and len(self.names) == self.col_count:
            return [tuple(row) for row in fetched]
        rows = []
        for row in fetched:
            row = list(row[: self.col_count])
            for index, functions, expression in self.converters:
                value = row[index]
                for function in functions:
                    value = function(value, expression, connection)
                row[index] = value
            rows.append(tuple(row))
        return rows

    def dicts(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[dict]:
        """The rows as ``values()`` gives them: dictionaries keyed by the names asked for."""
        names = self.names
        rows = self.rows(values, limit=limit, offset=offset)
        return [dict(zip(names, row, strict=True)) for row in rows]


# Per open connection (the driver's object), the names of the statements prepared on it.
_prepared_on: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# What a connection that cannot keep a prepared statement gets in ``_prepared_on``.
_NEVER = frozenset()
_PLACEHOLDER = re.compile(r"%%|%s")
# SQLSTATE 26000 (invalid_sql_statement_name: no such prepared statement) and 0A000
# (feature_not_supported: "cached plan must not change result type", after a column's
# type changed under the statement).
_LOST = frozenset(("26000", "0A000"))


# The values EXECUTE passes as the plain statement would compare them.
_PREPARED_TYPES = frozenset((int, str, bool, type(None)))


def _may_prepare() -> bool:
    return getattr(settings, "KEPT_SQL_PREPARE", True)


def _prepared_form(sql: str) -> tuple[str, str]:
    """``(name, text)`` of ``sql`` (the driver's ``%s`` placeholders, ``%%`` for a
    literal percent sign) as a prepared statement: named after its text's digest,
    so equal statements share one name, placeholders numbered as PostgreSQL's
    ``PREPARE`` wants them."""
    numbers = iter(range(1, 65536))
    text = _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(numbers)}", sql)
    name = "kept_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:20]
    return name, text


def _run_prepared(connection, cursor, prepared: tuple[str, str], params: list, sql: str) -> list:
    """The rows of prepared statement ``prepared`` run with ``params`` on ``connection``
    (Django's wrapper, open, in autocommit; ``cursor`` its cursor), prepared first if
    this connection has not prepared it. ``PREPARE`` goes through the driver's own
    cursor, as Django sets a connection's time zone: a once-per-connection step, not
    one of the page's statements (query counts stay those of a request on a warm
    connection). A statement the server lost (SQLSTATE 26000: ``DEALLOCATE ALL``, a
    pooler's reset, which loses all of them) or whose plan went stale (0A000) is
    prepared again and run once more; lost again at once (a pooler in transaction
    mode, where PREPARE and EXECUTE may meet different servers), this connection
    prepares nothing more and runs ``sql``, the plain statement."""
    name, text = prepared
    raw = connection.connection
    names = _prepared_on.get(raw)
    if names is None:
        names = _prepared_on[raw] = set()
    elif names is _NEVER:
        cursor.execute(sql, params)
        return cursor.fetchall()
    execute = f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}"
    if name not in names:
        _prepare(connection, name, text)
        names.add(name)
    try:
        cursor.execute(execute, params)
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) not in _LOST:
            raise
        names.clear()  # a reset loses every statement of the connection
        _prepare(connection, name, text)
        names.add(name)
        try:
            cursor.execute(execute, params)
        except DatabaseError as again:
            if getattr(again.__cause__, "pgcode", None) not in _LOST:
                raise
            _prepared_on[raw] = _NEVER
            cursor.execute(sql, params)
    return cursor.fetchall()


def _prepare(connection, name: str, text: str) -> None:
    """``PREPARE name AS text`` on ``connection``'s open connection, replacing a
    statement of that name the server still holds (one whose plan went stale)."""
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
        if cursor.fetchone():
            cursor.execute(f"DEALLOCATE {name}")
        cursor.execute(f"PREPARE {name} AS {text}")


def compile_query(queryset: QuerySet, *, prepare: bool = False) -> KeptQuery:
    """``queryset`` (``values()`` or ``values_list()``, not sliced) compiled now;
    ``prepare``: run as a prepared statement on PostgreSQL (see the module).

    Raises ``TypeError`` for a queryset of model instances or a sliced one (the slice
    is given when running)."""
    if queryset._iterable_class not in (
        ValuesIterable,
        ValuesListIterable,
        FlatValuesListIterable,
    ):
        raise TypeError("kept queries read values() or values_list() querysets only")
    query = queryset.query
    if query.is_sliced:
        raise TypeError("give the slice when running a kept query (limit, offset)")
    # (as ValuesIterable names them: in the order asked for when Django kept one)
    if query.selected:
        names = tuple(query.selected)
    else:
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
    compiler = query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return KeptQuery(queryset.db, None, (), names, len(names), ())
    fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
    converters = tuple(
        (index, tuple(functions), expression)
        for index, (functions, expression) in sorted(compiler.get_converters(fields).items())
    )
    # Choices (``TextChoices`` members) as the plain strings they stand for: the
    # database adapter looks a str subclass's adapter up anew each run.
    params = tuple(
        str.__str__(p) if isinstance(p, str) and type(p) is not str else p for p in params
    )
    prepared = None
    if prepare and compiler.connection.vendor == "postgresql":
        prepared = _prepared_form(sql)
    return KeptQuery(queryset.db, sql, params, names, compiler.col_count, converters, prepared)


_kept: dict[Any, KeptQuery] = {}


def kept_query(key: Any, build: Callable[[], QuerySet], *, prepare: bool = False) -> KeptQuery:
    """The query ``build()`` returns, compiled the first time ``key`` is asked for in
    this process and kept (``compile_query``; ``prepare`` as there). ``key`` is any
    hashable value naming everything the queryset depends on but its ``Param`` values
    (see the module)."""
    try:
        return _kept[key]
    except KeyError:
        pass
    compiled = compile_query(build(), prepare=prepare)
    if len(_kept) >= MEMO_SIZE:
        _kept.clear()
    _kept[key] = compiled
    return compiled


def forget() -> None:
    """Drop every kept query (tests that change what a key's SQL would be)."""
    _kept.clear()
