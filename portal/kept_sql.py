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

Only ``values()`` / ``values_list()`` querysets (``rows`` gives tuples even for a
flat one): rows come back as the ORM would give
them (the backend's and fields' converters applied, so SQLite's dates are dates).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
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


def compile_query(queryset: QuerySet) -> KeptQuery:
    """``queryset`` (``values()`` or ``values_list()``, not sliced) compiled now.

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
    return KeptQuery(queryset.db, sql, params, names, compiler.col_count, converters)


_kept: dict[Any, KeptQuery] = {}


def kept_query(key: Any, build: Callable[[], QuerySet]) -> KeptQuery:
    """The query ``build()`` returns, compiled the first time ``key`` is asked for in
    this process and kept (``compile_query``). ``key`` is any hashable value naming
    everything the queryset depends on but its ``Param`` values (see the module)."""
    try:
        return _kept[key]
    except KeyError:
        pass
    compiled = compile_query(build())
    if len(_kept) >= MEMO_SIZE:
        _kept.clear()
    _kept[key] = compiled
    return compiled


def forget() -> None:
    """Drop every kept query (tests that change what a key's SQL would be)."""
    _kept.clear()
