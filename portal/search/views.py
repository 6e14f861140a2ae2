"""The results page ``/search/?q=``: every count, facet and snippet from ``visible_to(user)``."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Case, Subquery, When
from django.shortcuts import render
from django.utils.safestring import SafeString
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from portal.pagination import page_of

from . import engine, registry
from .filters import SearchFilter
from .forms import SearchForm
from .models import SearchDocument
from .text import Query, highlight, snippet

PAGE_SIZE = 20


@dataclass
class Hit:
    kind: str
    kind_label: str
    template: str  # the kind's result template (registry.SearchKind.template)
    url: str | None
    title: SafeString
    snippet: SafeString
    meta: str  # series · 2020年第四期 · date, or date · place


def _link_data(user) -> dict[str, tuple[str, str, Case]]:
    """Per registered kind, the values its links need, as annotations of the page's query.

    Each is probed only for documents of its own kind (CASE on the kind).
    """
    out = {}
    for kind in registry.kinds():
        for name, values in kind.link_data(user).items():
            annotation = f"link_{kind.name}_{name}"
            value = Case(When(kind=kind.name, then=Subquery(values)), default=None)
            out[annotation] = (kind.name, name, value)
    return out


def _hits(queryset, keys: list[int], query: Query, user) -> list[Hit]:
    """The documents of one page, in the order of ``keys``, ready to display (one query).

    What a kind's links need (registry.SearchKind.link_data) is read in the same query.
    """
    docs = queryset.filter(sort_key__in=keys).select_related("content")
    docs = docs.only(
        "sort_key", "kind", "object_id", "title", "label", "content__text", "content__body"
    )
    links = _link_data(user)
    docs = docs.annotate(**{annotation: value for annotation, (_k, _n, value) in links.items()})
    by_key = {doc.sort_key: doc for doc in engine.fetch(docs)}
    hits = []
    for key in keys:
        doc = by_key.get(key)
        if doc is None:  # changed between the two queries: skip rather than guess
            continue
        kind = registry.get(doc.kind)
        data = {
            name: getattr(doc, annotation)
            for annotation, (kind_name, name, _v) in links.items()
            if kind_name == kind.name
        }
        title_end = len(doc.title) + 1
        body, text = doc.content.body, doc.content.text
        hits.append(
            Hit(
                kind=doc.kind,
                kind_label=kind.label,
                template=kind.template,
                url=kind.url(doc.object_id, data, user),
                title=highlight(doc.title, query.words),
                snippet=snippet(body[title_end:], text[title_end:], query.words),
                meta=doc.label,
            )
        )
    return hits


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
    offered = filterset.filters["type"].extra["choices"]
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
            filterset.filters[param].label,
            [(_link(get, param, v), label, n) for v, label, n in items],
        )
        for param, items in facets
        if len(items) > 1
    ]


@require_safe
@cache_control(private=True, no_cache=True)
def search(request):
    user = request.user
    data = request.GET if request.GET else None
    form = SearchForm(data)
    filterset = SearchFilter(
        data, queryset=SearchDocument.objects.visible_to(user), request=request
    )
    context = {"form": form, "filterset": filterset, "searched": "q" in request.GET}
    if context["searched"] and form.is_valid() and filterset.is_valid():
        query = form.cleaned_data["q"]
        queryset = filterset.qs
        outcome = engine.find(queryset, query, order=form.cleaned_data["order"])
        page = page_of(request, outcome.keys, PAGE_SIZE)
        context.update(
            query=query,
            outcome=outcome,
            page=page,
            hits=_hits(queryset, list(page.object_list), query, user),
            facets=_facets(outcome, filterset, request.GET),
            limit=engine.LIMIT,
            relevance=form.cleaned_data["order"] == engine.RELEVANCE,
            filtered=any(request.GET.get(name) for name in filterset.filters),
        )
    return render(request, "search/search.html", context)
