"""The results page ``/search/?q=``: every count, facet and snippet from ``visible_to(user)``."""

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import FullResultSet
from django.db import connections
from django.db.models import Case, Subquery, When
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import LazyObject, empty
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from portal.pagination import page_of

from . import engine, registry
from .filters import SearchFilter, Unfiltered, params
from .forms import SearchForm, fields_html, valid_search
from .models import SearchDocument, uses_tsvector
from .page_html import search_page
from .text import (
    SNIPPET_BEFORE,
    SNIPPET_WIDTH,
    Query,
    highlight_matches,
    snippet_matches,
    snippet_window,
    word_pattern,
)
from .visibility import token_scope, visible_kinds, visible_sql

PAGE_SIZE = 20


@dataclass
class Hit:
    kind: str
    kind_label: str
    url: str | None
    title: SafeString
    snippet: SafeString
    meta: str  # series · 2020年第四期 · date, or date · place


# Where a results page reads its documents: the document table unaliased, as the
# scope's WHERE (visibility.py) names it. Of each display text only the part its
# snippet can show (text.snippet_window), from the first match after the title: a
# hit's texts are tens of KB, and reading them whole cost more of the page's CPU
# than the rest of its hits (issue 11). Three levels, each kept whole (OFFSET 0) so
# that each text is searched once: where each word first occurs in the folded text
# (``p<n>``); where the first match after the title is (``f``, a second search only
# for a word found in the title first); the part of the display text.
PAGE_SQL = (
    "SELECT m.sort_key, m.kind, m.object_id, m.title, m.label, m.f, "
    "substr(m.body, m.o + {b} + 1, {e} - {b} + {more}){links}{facets} FROM ("
    "SELECT s.*, {first} AS f FROM ("
    'SELECT "search_searchdocument"."sort_key", "search_searchdocument"."kind", '
    '"search_searchdocument"."object_id", "search_searchdocument"."title", '
    '"search_searchdocument"."label", "search_searchtext"."text", "search_searchtext"."body", '
    'length("search_searchdocument"."title") + 1 AS o{found}{link_columns} '
    'FROM "search_searchdocument" LEFT OUTER JOIN "search_searchtext" '
    'ON ("search_searchdocument"."sort_key" = "search_searchtext"."document_id") '
    'WHERE "search_searchdocument"."sort_key" IN ({keys}) AND {where}{fence}) AS s{fence}) AS m'
)
_NONE = 2147483647  # a word not found (beyond any offset)


def _page_sql(
    connection, words, link_columns: list[str], keys: int, where: str, facets: list[str] = ()
) -> str:
    """PAGE_SQL for ``words``, each a parameter twice: first in ``f`` (the search after
    the title), then in ``p<n>``, before the links', keys' and WHERE's; the columns of
    ``facets`` (``_facet_columns``) last in each row, their parameters before all others.
    The folded text has the display text's length (text.fold), so ``f`` is an offset in
    both. On SQLite ``instr``, scalar ``min`` and a LIMIT before the OFFSET."""
    sqlite = connection.vendor == "sqlite"
    find = "instr" if sqlite else "strpos"
    after = f"NULLIF({find}(substr(s.text, s.o + 1), %s), 0) - 1"
    firsts = [
        f"CASE WHEN s.p{n} = 0 THEN NULL WHEN s.p{n} > s.o THEN s.p{n} - 1 - s.o ELSE {after} END"
        for n in range(len(words))
    ]
    first = firsts[0]
    if len(firsts) > 1:
        each = ", ".join(f"COALESCE({x}, {_NONE})" for x in firsts)
        first = f"NULLIF({'min' if sqlite else 'LEAST'}({each}), {_NONE})"
    width, before = SNIPPET_WIDTH, SNIPPET_BEFORE
    return PAGE_SQL.format(
        # text.snippet_window: max(0, f - width) and max(width, f + width - before).
        b=f"(CASE WHEN m.f > {width} THEN m.f - {width} ELSE 0 END)",
        e=f"(CASE WHEN m.f > {before} THEN m.f + {width - before} ELSE {width} END)",
        more=max(len(word) for word in words),
        first=f"COALESCE({first}, -1)",
        found="".join(
            f', {find}("search_searchtext"."text", %s) AS p{n}' for n in range(len(words))
        ),
        link_columns="".join(f', {sql} AS "link_{n}"' for n, sql in enumerate(link_columns)),
        links="".join(f', m."link_{n}"' for n in range(len(link_columns))),
        facets="".join(f", {sql}" for sql in facets),
        keys=", ".join(["%s"] * keys),
        where=where,
        fence=" LIMIT -1 OFFSET 0" if sqlite else " OFFSET 0",
    )


def _link_sql(kinds, user, connection) -> tuple[list[tuple[str, str]], list[str], list]:
    """What the links of ``kinds`` need (registry.SearchKind.link_data), as extra columns.

    Each value is probed only for documents of its own kind (CASE on the kind).
    Returns ``[(kind name, value name)]`` in column order, each column's SQL and the
    params of them all.
    """
    names, annotations = [], {}
    for kind in kinds:
        for name, values in kind.link_data(user).items():
            names.append((kind.name, name))
            annotations[f"link_{kind.name}_{name}"] = Case(
                When(kind=kind.name, then=Subquery(values)), default=None
            )
    if not annotations:
        return [], [], []
    docs = SearchDocument.objects.annotate(**annotations)
    compiler = docs.query.get_compiler(connection=connection)
    columns, params = [], []
    for annotation in annotations:
        sql, column_params = compiler.compile(docs.query.annotations[annotation])
        columns.append(sql)
        params += column_params
    return names, columns, params


# The choices of a facet with a stamp (registry.Facet.stamp), kept per process under the
# stamp read with them: (database alias, facet param, its query's key, stamp) -> rows.
_stamped: dict[tuple, list[tuple[int, str]]] = {}
STAMPED_KEPT = 256  # keys: audiences x stamps a process meets; cleared whole beyond


def _facet_columns(filterset, connection, key: int) -> tuple[list[tuple], list[str], list]:
    """The choices of the facets that declare a kept statement (registry.Facet.query) and
    that ``filterset`` (with no filter chosen) has not read yet, as columns of the hits'
    statement: its planning and round trip instead of a statement of their own (issue
    11). On the row of ``key`` only (NULL on the others): the facet's stamp
    (``Facet.stamp``), its choices kept under it (``_take_facets``). A facet without a
    stamp is left to ``filterset``, which reads its choices when asked.

    Returns the facets as ``(param, facet, its query's key, kept SQL)``, the columns'
    SQL and their params. PostgreSQL only; nothing for a FilterSet, which reads its
    choices when built.
    """
    if not isinstance(filterset, Unfiltered):
        return [], [], []
    facets, columns, params = [], [], []
    for param, facet, facet_key, kept in filterset.queries():
        if kept is None:  # it can match no row
            filterset.supply(param, [])
            continue
        if facet.stamp is None or kept[0] != connection.alias:
            continue
        facets.append((param, facet, facet_key, kept))
        params.append(key)
        columns.append(f"CASE WHEN m.sort_key = %s THEN ({facet.stamp})::text END")
    return facets, columns, params


def _take_facets(filterset, connection, facets: list[tuple], row) -> None:
    """Give ``filterset`` the choices of ``facets`` (``_facet_columns``) from ``row``, the
    hits' statement's row of the first key (None when that document changed
    meanwhile: ``filterset`` then reads them itself). A stamp not met before (or none)
    costs one statement that reads the choices with the stamp (``_stamped_choices``)."""
    if row is None:
        return
    for (param, facet, facet_key, kept), value in zip(
        facets, row[len(row) - len(facets) :], strict=True
    ):
        memo = (connection.alias, param, facet_key)
        choices = None if value is None else _stamped.get((*memo, value))
        if choices is None:
            choices, value = _stamped_choices(connection, facet.stamp, kept)
            if value is not None:
                if len(_stamped) >= STAMPED_KEPT:
                    _stamped.clear()
                _stamped[(*memo, value)] = choices
        filterset.supply(param, choices)


def _stamped_choices(connection, stamp: str, kept) -> tuple[list[tuple[int, str]], str | None]:
    """A stamped facet's choices and its stamp (None: no stamp row), read in one
    statement so that both are of one snapshot: ``([(id, name)], stamp)``."""
    _using, sql, params = kept
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ({stamp})::text, c.i, c.n FROM (SELECT 1) AS o "
            f"LEFT JOIN ({sql}) AS c(i, n) ON TRUE",
            params,
        )
        rows = cursor.fetchall()
    return [(pk, name) for _stamp, pk, name in rows if pk is not None], rows[0][0]


def _where(queryset, filterset, on_page: set[str], user, connection) -> tuple[str, list]:
    """The page statement's condition: the search's scope (visible_where and the
    filters). With no filter chosen, visible_where's condition (visibility.visible_sql)
    for the kinds on the page only: a row of another kind is on no page, and the
    other kinds' EXISTS cost PostgreSQL a quarter of a millisecond to plan.

    That condition ORed with FALSE: PostgreSQL turns an EXISTS ANDed at the top of a
    WHERE (a page of one kind) into a semi-join before it folds constants, and planning
    the join cost 0.065 ms more than probing each of the twenty rows (issue 11); in an
    OR, each kind's EXISTS stays a probe per row, and the OR FALSE is folded away."""
    if isinstance(filterset, Unfiltered):
        table = SearchDocument._meta.db_table
        condition = visible_sql(user, connection, table, kinds=on_page)
        if condition is None:
            return "FALSE", []
        sql, params = condition
        return f"({sql} OR FALSE)", params
    try:
        return queryset.query.get_compiler(connection=connection).compile(queryset.query.where)
    except FullResultSet:
        return "TRUE", []


def _hits(queryset, filterset, keys, kinds: dict[int, str], query: Query, user) -> list[Hit]:
    """The documents of one page, in the order of ``keys``, ready to display (one query).

    ``queryset`` is the search's scope (visible_to and the filters of ``filterset``,
    checked again here: nothing hidden since the search shows); ``kinds`` the kind
    of each key. What a kind's links need (registry.SearchKind.link_data) is read in
    the same query.
    """
    if not keys:
        return []
    connection = connections[queryset.db]
    on_page = {kinds[key] for key in keys}
    where, where_params = _where(queryset, filterset, on_page, user, connection)
    names, link_columns, link_params = _link_sql(
        [kind for kind in registry.kinds() if kind.name in on_page], user, connection
    )
    if uses_tsvector(connection):
        facets, facet_columns, facet_params = _facet_columns(filterset, connection, keys[0])
        sql = _page_sql(connection, query.words, link_columns, len(keys), where, facet_columns)
        params = [*facet_params, *query.words, *query.words, *link_params, *keys, *where_params]
        rows = engine.steered(connection, sql, params)
        if facets:
            first = next((row for row in rows if row[0] == keys[0]), None)
            _take_facets(filterset, connection, facets, first)
    else:
        facets = ()
        sql = _page_sql(connection, query.words, link_columns, len(keys), where)
        params = [*query.words, *query.words, *link_params, *keys, *where_params]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    by_key = {row[0]: row for row in rows}
    pattern = word_pattern(query.words)
    more = max(len(word) for word in query.words)
    shown_kinds = {}  # name -> (kind, its label translated once, its link values' columns)
    for name in on_page:
        columns = [(n, value) for n, (of, value) in enumerate(names) if of == name]
        shown_kinds[name] = (registry.get(name), str(registry.get(name).label), columns)
    hits = []
    with registry.routes_pinned():  # one look-up of the script prefix and URLconf
        for key in keys:
            row = by_key.get(key)
            if row is None:  # changed between the two queries: skip rather than guess
                continue
            _key, kind_name, object_id, title, label, first, display, *links = row
            if facets:
                links = links[: len(links) - len(facets)]
            kind, kind_label, columns = shown_kinds[kind_name]
            data = {value: links[n] for n, value in columns}
            display = display or ""
            offset, end = snippet_window(first)
            # The part reaches the longest word past the window's end: shorter, it is
            # the end of the text, whose length it then tells.
            length = offset + len(display) if len(display) < end - offset + more else end + more
            shown = snippet_matches(display, pattern, offset, length, first)
            hits.append(
                kind.render_hit(
                    Hit(
                        kind=kind_name,
                        kind_label=kind_label,
                        url=kind.url(object_id, data, user),
                        # Escaped pieces and marks; SafeString itself, as render_hit.
                        title=SafeString(highlight_matches(title, pattern)),
                        snippet=SafeString(shown),
                        meta=label,
                    )
                )
            )
    return hits


def _kinds(user, filterset) -> set[str] | None:
    """The kinds the search can find: those ``user`` may see, narrowed by the type filter
    and the kinds' facets; None when that is every kind (nothing to narrow)."""
    table = SearchDocument._meta.db_table
    kinds = visible_kinds(user, connections[SearchDocument.objects.db], table)
    chosen = filterset.chosen
    if chosen.get("type"):
        kinds &= {chosen["type"]}
    for param, (_facet, facet_kinds) in registry.facets().items():
        if chosen.get(param):
            kinds &= set(facet_kinds)
    return None if len(kinds) == len(registry.kinds()) else kinds


def _indexed(user, filterset, kinds, queryset) -> tuple | None:
    """engine.find's ``indexed`` (PostgreSQL): the count and facets take visibility from
    the tokens' audience lexemes (visibility.token_scope), no probe per match; the
    page's hits still go through visible_where. None on other databases, or when no
    kind in scope declares audiences. ``queryset``: the search's scope (visible_where
    and the filters); when the lexemes are the whole scope ("bare"), what
    engine.newest_sql is given besides them, which it does not read (issue 11: building
    the narrower queryset cost a twentieth of the page's own Python)."""
    if not uses_tsvector(connections[queryset.db]):
        return None
    lexemes, trusted = token_scope(user, kinds)
    if not trusted:
        return None
    chosen = filterset.chosen
    columns = any(chosen.get(name) for name in [*registry.facets(), "year"])
    names = kinds if kinds is not None else {kind.name for kind in registry.kinds()}
    if not columns and names <= trusted:
        return queryset, lexemes, True
    counted = filterset.filter_queryset(SearchDocument.objects.visible_where(user, trusted=trusted))
    return counted, lexemes, False


def _link(get, param, value) -> str:
    """The current query string with ``param`` set to ``value``, back on the first page."""
    params = get.copy()
    params[param] = value
    params.pop("page", None)
    return f"?{params.urlencode()}"


def _facets(outcome, filterset, get):
    """Type, the kinds' own facets (registry.Facet) and year: [(name, [(link, label, count)])].

    A facet with a single value is left out (it would narrow nothing).
    """
    if outcome.facets is None:
        return None
    counts = outcome.facets["kind"]
    offered = filterset.type_choices
    facets = [("type", [(name, label, counts[name]) for name, label in offered if counts[name]])]
    for param, (_facet, kinds) in registry.facets().items():
        names = filterset.group_names[param]
        groups = Counter()
        for (kind, group), n in outcome.facets["group"].items():
            if kind in kinds and group in names:
                groups[group] += n
        facets.append((param, [(pk, names[pk], n) for pk, n in groups.most_common()]))
    years = sorted(outcome.facets["year"].items(), reverse=True)
    facets.append(("year", [(year, year, n) for year, n in years]))
    return [
        (
            filterset.label(param),
            [(_link(get, param, v), label, n) for v, label, n in items],
        )
        for param, items in facets
        if len(items) > 1
    ]


def _unwrapped(user):
    """``request.user`` itself, not the lazy objects around it (Django's, django-otp's):
    the kinds' visibility rules ask it some forty times a page, each through both."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


@require_safe
@cache_control(private=True, no_cache=True)
def search(request):
    user = _unwrapped(request.user)
    data = request.GET if request.GET else None
    if data is None or Unfiltered.applies(data):
        filterset = Unfiltered(user)
        # No filter chosen: a page whose fields show no error needs no form of Django's.
        form = valid_search(data) or SearchForm(data)
    else:
        filterset = SearchFilter(data, request=request)
        form = SearchForm(data)
    context = {"form": form, "filterset": filterset, "searched": "q" in request.GET}
    valid = context["searched"] and form.is_valid() and filterset.is_valid()
    if valid:
        query = form.cleaned_data["q"]
        queryset = filterset.filter_queryset(SearchDocument.objects.visible_where(user))
        kinds = _kinds(user, filterset)
        indexed = _indexed(user, filterset, kinds, queryset)
        outcome = engine.find(
            queryset,
            query,
            order=form.cleaned_data["order"],
            kinds=kinds,
            indexed=indexed,
            need=engine.keys_needed(request.GET.get("page"), PAGE_SIZE),
        )
        page = page_of(request, outcome.keys, PAGE_SIZE, count=outcome.total)
        hits = _hits(queryset, filterset, list(page.object_list), outcome.kinds, query, user)
        context.update(
            query=query,
            outcome=outcome,
            page=page,
            hits_html=mark_safe("".join(f"\n            \n{hit}\n          " for hit in hits)),
            facets=_facets(outcome, filterset, request.GET),
            limit=engine.LIMIT,
            relevance=form.cleaned_data["order"] == engine.RELEVANCE,
            filtered=any(request.GET.get(name) for name in params()),
        )
    # After the hits: their statement may have read the filters' choices (_facet_columns).
    context["fields_html"] = fields_html(form, filterset)
    if context["fields_html"] is None:  # a field shows an error: the template marks it
        if isinstance(filterset, Unfiltered):  # the template lists filterset.form's selects
            context["filterset"] = SearchFilter(data, request=request)
        return render(request, "search/search.html", context)
    return HttpResponse(search_page(request, context))
