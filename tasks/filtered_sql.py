"""The SQL of a filtered assignment list, compiled once per filter shape and kept.

Compiling the overview's filtered rows through the ORM (the light's CASE with its
subquery, the joins, the filters) cost about a third of its CPU (issue 11), for SQL
that changes only with *which* filters are set, never with their values. So the
statement is compiled once per shape — the audience ``visible_to`` branches on, the
day, which filters are set and the values that change the SQL's form (the order,
"extended") — with marker values in place of the filters' own, and kept with where
each marker went among the parameters; a request puts its values there.

The markers go through the filter set's own filters (``AssignmentFilter.filters``),
so the filters keep one definition. A shape whose markers do not come out as whole
parameters (or as ``%marker%`` of a "contains" lookup) is not kept: it is compiled
each time, as before. tests/tasks/test_filtered_sql.py compares both on every filter.

The overview's usual request sets no filter but the task list (its current one by
default): ``PlainFilters`` says what the form would clean such a query string to
without building the filter set and validating its form, which are made only when a
statement of that shape is compiled.
"""

from __future__ import annotations

import functools

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django_filters.constants import EMPTY_VALUES

from .models import assignment_audience
from .stamp import fetchall

# Filters whose SQL has the same form for every value: each gets a marker.
MARKED = ("q", "plan", "category", "unit", "role", "status", "light")
# Digits, so that a marker passes an integer field's preparation as a real id does.
_MARKERS = {name: f"-7{n:03d}0519770" for n, name in enumerate(MARKED)}

MEMO_SIZE = 2048  # shapes × days × audiences; cleared whole if ever exceeded
_kept: dict[tuple, Compiled | None] = {}


class Compiled:
    """A kept statement: ``sql``, its parameters as ``("c", constant)``, ``("int",
    name)``, ``("str", name)`` or ``("like", name, prefix, suffix)``, the names of its
    columns and the converters Django would apply to them."""

    __slots__ = ("sql", "params", "names", "converters")

    def __init__(self, sql, params, names, converters):
        self.sql, self.params, self.names, self.converters = sql, params, names, converters


class PlainFilters:
    """A query string that sets no filter of ``AssignmentFilter`` but the task list:
    ``plan`` one of the user's plans' ids (as a string) or empty (every plan). It
    stands for the filter set where the kept statements read it (``statement``): its
    form's cleaned data is known; ``make()`` builds the real one, only to compile a
    statement of this shape the first time (``filterset``)."""

    is_bound = True

    def __init__(self, plan: str, *, db: str, make):
        from .filters import AssignmentFilter

        self.filters = AssignmentFilter.base_filters  # (their ``null_value`` only)
        # What the form cleans such a query string to: the title "" (stripped), the
        # ordering None, every choice "" but the plan's.
        self.cleaned_data = {name: "" for name in self.filters}
        self.cleaned_data.update(ordering=None, plan=plan)
        self.db, self._make = db, make

    @staticmethod
    def of(data, plans) -> str | None:
        """The ``plan`` of ``data`` (a QueryDict: the last value of each name, as the
        form reads it) when it sets no other filter (each absent or empty; the title
        blank once stripped, as its field cleans it) and the plan is empty or one of
        ``plans`` (``[(pk, title), …]``, the filter's choices); None when the filter set
        must validate it."""
        from .filters import AssignmentFilter

        for name in AssignmentFilter.base_filters:
            value = data.get(name)
            if name == "plan" or not value or (name == "q" and not value.strip()):
                continue
            return None
        plan = data.get("plan") or ""
        if plan and plan not in {str(pk) for pk, _title in plans}:
            return None
        return plan

    def is_valid(self) -> bool:
        return True

    @functools.cached_property
    def filterset(self):
        return self._make()


def _cleaned(filterset) -> dict:
    if isinstance(filterset, PlainFilters):
        return filterset.cleaned_data
    return filterset.form.cleaned_data if filterset.is_bound else {}


def _db(filterset) -> str:
    return filterset.db if isinstance(filterset, PlainFilters) else filterset.queryset.db


def _shape(filterset) -> tuple | None:
    """What the filters' SQL depends on, or None when the form is invalid (nothing)."""
    if not filterset.is_bound:
        return ("unbound",)
    if not filterset.is_valid():
        return None
    shape = []
    for name, value in _cleaned(filterset).items():
        if value in EMPTY_VALUES:
            shape.append((name,))
        elif _marked(filterset, name, value):
            shape.append((name, "v"))
        else:
            shape.append((name, "=", tuple(value) if isinstance(value, list) else value))
    return tuple(shape)


def _marked(filterset, name: str, value) -> bool:
    """Whether the filter ``name`` with ``value`` (not empty) takes a marker: a value
    that only fills a parameter (a choice filter's "null" changes the SQL's form)."""
    return (
        name in _MARKERS
        and type(value) is str
        and value != getattr(filterset.filters[name], "null_value", None)
    )


def _filtered(filterset, values: dict):
    """``filterset.qs`` with ``values`` in place of the form's cleaned data."""
    queryset = filterset.queryset.all()
    if filterset.is_bound:
        for name, value in values.items():
            queryset = filterset.filters[name].filter(queryset, value)
    return queryset


def _compile(queryset):
    """``(sql, params, names, converters)`` of a ``values()`` queryset; None when it
    matches nothing."""
    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return None
    query = queryset.query
    if query.selected:  # as ValuesIterable names the columns
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    selected = [s[0] for s in compiler.select[: compiler.col_count]]
    converters = list(compiler.get_converters(selected).items())
    return sql, list(params), names, converters


def _template(filterset, build) -> Compiled | None | bool:
    """The statement of ``build`` compiled with markers, or False when its markers do
    not come out as parameters of their own (the shape is then compiled each time)."""
    values = dict(_cleaned(filterset))
    if isinstance(filterset, PlainFilters):
        filterset = filterset.filterset
    marked = {
        name: _MARKERS[name]
        for name, value in values.items()
        if value not in EMPTY_VALUES and _marked(filterset, name, value)
    }
    compiled = _compile(build(_filtered(filterset, {**values, **marked})))
    if compiled is None:
        return None
    sql, params, names, converters = compiled
    by_marker = {marker: name for name, marker in marked.items()}
    template, seen = [], set()
    for param in params:
        if isinstance(param, str) and any(m in param for m in by_marker):
            marker = next(m for m in by_marker if m in param)
            prefix, _m, suffix = param.partition(marker)
            if set(prefix + suffix) - {"%"}:  # only a LIKE pattern's wildcards
                return False
            name = by_marker[marker]
            template.append(("str", name) if param == marker else ("like", name, prefix, suffix))
        elif type(param) is int and str(param) in by_marker:
            name = by_marker[str(param)]
            template.append(("int", name))
        else:
            # A choice (``TextChoices`` member) as the plain string it stands for: the
            # database adapter looks a str subclass's adapter up anew each run.
            if isinstance(param, str) and type(param) is not str:
                param = str.__str__(param)
            template.append(("c", param))
            continue
        seen.add(name)
    if seen != set(marked) or any(marker in sql for marker in by_marker):
        return False
    return Compiled(sql, template, names, converters)


def _params(compiled: Compiled, values: dict, connection) -> list:
    out = []
    for kind, *rest in compiled.params:
        if kind == "c":
            out.append(rest[0])
        elif kind == "str":
            out.append(values[rest[0]])
        elif kind == "int":
            out.append(int(values[rest[0]]))
        else:  # a "contains" lookup: the value escaped as Django escapes it for LIKE
            name, prefix, suffix = rest
            out.append(prefix + connection.ops.prep_for_like_query(values[name]) + suffix)
    return out


def statement(filterset, key: str, build, *, user, day) -> tuple[str, list, Compiled] | None:
    """``(sql, params, compiled)`` of ``build(filterset.qs)``, or None when the filters
    match nothing. ``filterset``: an ``AssignmentFilter`` over ``visible_to(user)`` lit
    for ``day`` (``tasks.views.common.filtered_assignments``), or ``PlainFilters`` that
    make one; ``build``: the filtered queryset to a ``values()`` queryset, always the
    same for one ``key``."""
    shape = _shape(filterset)
    if shape is None:
        return None
    memo_key = (key, _db(filterset), day, assignment_audience(user), shape)
    compiled = _kept.get(memo_key, False)
    if compiled is False:
        compiled = _template(filterset, build)
        if compiled is False:  # not kept: compiled with this request's values
            if isinstance(filterset, PlainFilters):
                filterset = filterset.filterset
            return _uncached(filterset, build)
        if len(_kept) >= MEMO_SIZE:
            _kept.clear()
        _kept[memo_key] = compiled
    if compiled is None:
        return None
    connection = connections[_db(filterset)]
    return compiled.sql, _params(compiled, _cleaned(filterset), connection), compiled


def _uncached(filterset, build):
    compiled = _compile(build(filterset.qs))
    if compiled is None:
        return None
    sql, params, names, converters = compiled
    return sql, params, Compiled(sql, [("c", p) for p in params], names, converters)


def rows(connection, sql: str, params: list, compiled: Compiled, *, stamp=None) -> list[dict]:
    """The rows of a kept statement as ``values()`` gives them: dictionaries by column
    name, with Django's converters applied; ``stamp``: the tasks' stamp the request
    read, under which the fetched rows are kept (``tasks.stamp``)."""
    fetched = fetchall(stamp, connection.alias, sql, params)
    names, converters = compiled.names, compiled.converters
    if converters:
        fetched = list(map(list, fetched))
        for row in fetched:
            for pos, (convs, expression) in converters:
                value = row[pos]
                for converter in convs:
                    value = converter(value, expression, connection)
                row[pos] = value
    return [dict(zip(names, row, strict=True)) for row in fetched]
