"""One issue a user may see, read by id through SQL compiled once per audience (issue 11).

The issue page and the PDF download each read one issue:
``Issue.objects.visible_to(user).select_related(…).only(…).get(pk=pk)``. Building
and compiling that queryset cost more CPU than running it (a fifth of the issue
page, over a third of a cached PDF download). ``visible_issue`` runs the same
statement from SQL compiled once per ``issue_audience(user)`` — the only thing
``visible_to`` branches on — and the fields asked for (portal/kept_sql.py), prepared
on PostgreSQL so that the server keeps its plan too, then
makes the instances as the ORM's ``select_related`` does: the issue with only
those fields loaded (the others deferred), each related object cached on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.db import connections

from portal.kept_sql import Param, kept_query

from .models import Issue, issue_audience

_PK_TYPE = Issue._meta.pk.get_internal_type()


@dataclass(frozen=True)
class _Related:
    """A related object read with the issue (``select_related``): where its columns are."""

    field: object  # the issue's forward relation field, or the reverse one-to-one's rel
    model: type
    attnames: tuple[str, ...]  # its loaded fields, in the model's order
    pk_index: int  # where its pk is among them (None there: no related row)
    start: int
    end: int
    reverse: bool


@dataclass(frozen=True)
class _Shape:
    values: tuple[str, ...]  # the names given to values(), in the row's order
    attnames: tuple[str, ...]  # the issue's loaded fields, in the model's order
    related: tuple[_Related, ...]


@cache
def _shape(fields: tuple[str, ...]) -> _Shape:
    """What ``only(*fields)`` with ``select_related`` of every ``relation__field``
    loads: the issue's pk, its named fields and the relations' keys; each related
    model's pk and named fields."""
    meta = Issue._meta
    own = {name for name in fields if "__" not in name}
    by_relation: dict[str, set[str]] = {}
    for name in fields:
        if "__" in name:
            relation, field = name.split("__", 1)
            if "__" in field:
                raise ValueError(f"one level of relations only: {name!r}")
            by_relation.setdefault(relation, set()).add(field)
    forward_keys = set()
    for relation in by_relation:
        field = meta.get_field(relation)
        if field.concrete:  # a foreign key or one-to-one of the issue: its column too
            forward_keys.add(field.attname)
    attnames = tuple(
        f.attname
        for f in meta.concrete_fields
        if f.primary_key or f.name in own or f.attname in forward_keys
    )
    missing = own - {f.name for f in meta.concrete_fields}
    if missing:
        raise ValueError(f"not fields of an issue: {sorted(missing)}")
    values = list(attnames)
    related = []
    for relation, names in by_relation.items():
        field = meta.get_field(relation)
        model = field.related_model
        known = {f.name for f in model._meta.concrete_fields}
        if names - known:
            raise ValueError(f"not fields of {relation}: {sorted(names - known)}")
        loaded = tuple(
            f.attname for f in model._meta.concrete_fields if f.primary_key or f.name in names
        )
        pk = model._meta.pk.attname
        start = len(values)
        # "relation__pk": a reverse one-to-one's join is kept (its pk is NULL when the
        # row is missing); a forward key's pk is the issue's own column.
        values += [f"{relation}__pk" if name == pk else f"{relation}__{name}" for name in loaded]
        related.append(
            _Related(
                field,
                model,
                loaded,
                loaded.index(pk),
                start,
                len(values),
                reverse=not field.concrete,
            )
        )
    return _Shape(tuple(values), attnames, tuple(related))


def visible_issue(user, pk: int, fields: tuple[str, ...]) -> Issue | None:
    """Issue ``pk`` if ``user`` may see it (``Issue.objects.visible_to``), else None.

    ``fields`` as for ``only()``: the issue's field names and, one level deep,
    ``relation__field`` of a foreign key (``series__name``) or a reverse one-to-one
    (``reading__articles``), each relation read with the issue as ``select_related``
    reads it. The result is what ``visible_to(user).select_related(<relations>)
    .only(*fields).get(pk=pk)`` returns: the other fields deferred, each related
    object cached on the issue (None for a missing reverse one-to-one, whose
    access then raises ``DoesNotExist``). One query.
    """
    shape = _shape(tuple(fields))
    query = kept_query(
        ("bulletins.visible_issue", shape.values, issue_audience(user)),
        lambda: (
            Issue.objects.visible_to(user).filter(pk=Param("pk")).order_by().values(*shape.values)
        ),
        # One plan serves every id (a primary-key lookup): the server keeps it.
        prepare=True,
    )
    pk = int(pk)
    # An id past the column's range matches nothing, without a query (as the ORM's
    # lookup has it; SQLite would refuse the parameter).
    low, high = connections[query.using].ops.integer_field_range(_PK_TYPE)
    if (low is not None and pk < low) or (high is not None and pk > high):
        return None
    rows = query.rows({"pk": pk})
    if not rows:
        return None
    row = rows[0]
    db = query.using
    count = len(shape.attnames)
    # The issue's columns come first in the model's order, as from_db expects them.
    issue = Issue.from_db(db, shape.attnames, row[:count])
    for rel in shape.related:
        data = row[rel.start : rel.end]
        obj = None if data[rel.pk_index] is None else rel.model.from_db(db, rel.attnames, data)
        if rel.reverse:
            # As select_related sets a reverse one-to-one (RelatedPopulator).
            rel.field.set_cached_value(issue, obj)
            if obj is not None:
                rel.field.field.set_cached_value(obj, issue)
        else:
            rel.field.set_cached_value(issue, obj)
            if obj is not None and rel.field.unique:
                rel.field.remote_field.set_cached_value(obj, issue)
    return issue
