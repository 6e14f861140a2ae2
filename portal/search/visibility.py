"""``visible_to(user)`` of the search documents as one SQL condition, built cheaply.

``SearchDocumentQuerySet.visible_to`` ORs one ``Q(kind=…) & Exists(…)`` per kind:
Django resolves each ``Exists`` into the outer query (cloning and relabelling the
kind's whole query) and compiles it again on every use, about 6 ms a results page
(issue 11). Here each kind's own ``visible_to(user)`` queryset is compiled on its
own, WHERE and FROM only, and wrapped in the same correlated EXISTS by hand:

    ("search_searchdocument"."kind" = 'issue' AND EXISTS(
        SELECT 1 FROM "bulletins_issue" WHERE (<the kind's rule>)
        AND "bulletins_issue"."id" = "search_searchdocument"."object_id"))

The same rows as ``visible_to`` (tests/search/test_visibility.py runs every
persona through both). The condition names the document table unaliased, so it
serves top-level queries of documents only (``SearchDocumentQuerySet.visible_where``),
never a subquery. A kind whose query cannot be cut down this way (slicing,
grouping, ``DISTINCT ON``, a union) goes through Django's ``Exists`` instead.

A kind that declares ``visibility_key(user)`` (what its rule depends on: the
office, the acting unit, being signed in) has its part compiled once per key and
process, a per-process memo of SQL that never changes while the process runs.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import Exists, OuterRef, Q

from . import registry


def _plain(query) -> bool:
    """Whether the kind's query means "rows matching WHERE" and nothing more."""
    return not (
        query.is_sliced
        or query.combinator
        or query.distinct_fields
        or query.group_by is not None
        or query.where.contains_aggregate
        or query.where.contains_over_clause
    )


# (kind, its visibility_key, database, table) -> the kind's part of the condition.
_compiled: dict[tuple, tuple[str, list] | None] = {}
MEMO_SIZE = 4096  # a few entries per unit; cleared whole if ever exceeded


def _kind_sql(kind, user, connection, table: str, trusted=False) -> tuple[str, list] | None:
    """The kind's part of the condition, or None when the user sees none of it; kept
    per ``kind.visibility_key(user)`` when the kind declares one.

    ``trusted``: the token index already holds the kind's documents to what the user
    may read (``token_scope``), so the part only names the kind.
    """
    if trusted:
        if not kind.audiences_of(user):
            return None
        return f'{connection.ops.quote_name(table)}."kind" = %s', [kind.name]
    key = kind.visibility_key(user)
    if key is None:
        return _compile(kind, user, connection, table)
    memo_key = (type(kind), kind.name, key, connection.alias, table)
    try:
        return _compiled[memo_key]
    except KeyError:
        pass
    if len(_compiled) >= MEMO_SIZE:
        _compiled.clear()
    part = _compiled[memo_key] = _compile(kind, user, connection, table)
    return part


def _compile(kind, user, connection, table: str) -> tuple[str, list] | None:
    queryset = kind.visible_to(user)
    query = queryset.query
    quote = connection.ops.quote_name
    kind_sql = f'{quote(table)}."kind" = %s'
    if not _plain(query):
        return _orm_kind_sql(kind, queryset, connection)
    compiler = query.get_compiler(connection=connection)
    try:
        where, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        where, params = "", []
    base = query.base_table or query.get_meta().db_table
    from_parts, from_params = compiler.get_from_clause()
    if not from_parts:  # nothing referenced a table: the rule is "every row"
        from_parts = [quote(base)]
    from_sql = " ".join(from_parts)
    if quote(table) in from_sql:  # the kind's query reads documents itself: keep Django's
        return _orm_kind_sql(kind, queryset, connection)
    pk = f"{quote(base)}.{quote(query.get_meta().pk.column)}"
    condition = f'{pk} = {quote(table)}."object_id"'
    if where:
        condition = f"({where}) AND {condition}"
    return (
        f"({kind_sql} AND EXISTS(SELECT 1 FROM {from_sql} WHERE {condition}))",
        [kind.name, *from_params, *params],
    )


def _orm_kind_sql(kind, queryset, connection) -> tuple[str, list] | None:
    from .models import SearchDocument

    docs = SearchDocument.objects.filter(
        Q(kind=kind.name) & Exists(queryset.filter(pk=OuterRef("object_id")))
    )
    compiler = docs.query.get_compiler(connection=connection)
    try:
        return compiler.compile(docs.query.where)
    except EmptyResultSet:
        return None


def visible_sql(
    user, connection, table: str, trusted: frozenset[str] = frozenset(), kinds=None
) -> tuple[str, list] | None:
    """``(sql, params)``: the documents of ``table`` whose object ``user`` may see, or
    None when the user may see no kind at all. Params are a new list each time.

    ``trusted``: names of kinds whose visibility the query's token lookup already
    applies (``token_scope``): their part is only the kind, no probe. ``kinds``: only
    the parts of these kinds (names), when the caller knows the documents can be of
    no other (a page of hits): a narrower condition, less for PostgreSQL to plan.
    """
    parts, params = [], []
    for kind in registry.kinds():
        if kinds is not None and kind.name not in kinds:
            continue
        part = _kind_sql(kind, user, connection, table, kind.name in trusted)
        if part is not None:
            parts.append(part[0])
            params += part[1]
    if not parts:
        return None
    return f"({' OR '.join(parts)})", params


def visible_kinds(user, connection, table: str) -> set[str]:
    """The names of the kinds whose documents ``user`` may see some of (visible_sql's parts)."""
    return {
        kind.name
        for kind in registry.kinds()
        if _kind_sql(kind, user, connection, table) is not None
    }


def token_scope(user, kinds: set[str] | None) -> tuple[list[str] | None, frozenset[str]]:
    """What the token lookup (PostgreSQL) keeps to for ``user``: ``(lexemes, trusted)``.

    ``lexemes``: alternatives admitting exactly the documents of ``kinds`` (None:
    every kind) that ``user`` may read, through their audience lexemes
    (registry.SearchKind.audiences, models.audience_lexeme), or the kind lexeme of a
    kind the user reads whole (``EVERY``) or that declares no audiences; None when
    that is every document. ``trusted``: the kinds whose visibility the lexemes
    apply in full, so that the count and facets need not probe them
    (``visible_sql(trusted=…)``); a kind without audiences is still probed.
    """
    from .models import audience_lexeme, kind_lexeme

    lexemes, trusted, whole = [], set(), 0
    for kind in registry.kinds():
        if kinds is not None and kind.name not in kinds:
            continue
        audiences = kind.audiences_of(user)
        if audiences is None:
            lexemes.append(kind_lexeme(kind.name))
            whole += 1
            continue
        trusted.add(kind.name)
        if audiences == registry.EVERY:
            lexemes.append(kind_lexeme(kind.name))
            whole += 1
        else:
            lexemes += [audience_lexeme(kind.name, name) for name in sorted(audiences)]
    if kinds is None and whole == len(registry.kinds()):
        return None, frozenset(trusted)
    return lexemes, frozenset(trusted)


_kept: dict[tuple, tuple[str, str, list] | None] = {}


def kept_sql(key: tuple, build) -> tuple[str, str, list] | None:
    """``(database alias, sql, params)`` of the queryset ``build()`` (a ``values_list``),
    compiled once per ``key`` and process, or None when it can match no row. For a
    query that, like a ``visible_to`` condition, depends only on what the key names
    (a facet's choices per ``audience``). Params are a new list each time."""
    compiled = _kept.get(key, False)
    if compiled is False:
        queryset = build()
        try:
            sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:
            compiled = None
        else:
            compiled = (queryset.db, sql, list(params))
        if len(_kept) >= MEMO_SIZE:
            _kept.clear()
        _kept[key] = compiled
    if compiled is None:
        return None
    using, sql, params = compiled
    return using, sql, list(params)


def kept_rows(key: tuple, build) -> list[tuple]:
    """The rows of the queryset ``build()`` (a ``values_list``), its SQL compiled once
    per ``key`` and process (``kept_sql``)."""
    compiled = kept_sql(key, build)
    if compiled is None:
        return []
    using, sql, params = compiled
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
