"""The results page ``/search/?q=``: every count, facet and snippet from ``visible_to(user)``."""

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from portal.pagination import page_of

from . import engine
from .filters import SearchFilter
from .forms import SearchForm
from .models import SearchDocument
from .text import Query, highlight, snippet

PAGE_SIZE = 20
Kind = SearchDocument.Kind


@dataclass
class Hit:
    kind: str
    kind_label: str
    url: str | None
    title: SafeString
    snippet: SafeString
    meta: str  # series · 2020年第四期 · date, or date · place


def _url(name: str, fallback: str | None = None, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return fallback


def _document_url(doc, user) -> str | None:
    if doc.kind == Kind.ISSUE:
        return _url("bulletins:issue_detail", f"/bulletins/{doc.issue_id}/", pk=doc.issue_id)
    if doc.kind == Kind.MEETING:
        return _url("bulletins:meeting_detail", f"/meetings/{doc.meeting_id}/", pk=doc.meeting_id)
    if doc.kind == Kind.REPORT:
        return _url("tasks:assignment_detail", pk=doc.report.assignment_id)
    if doc.kind == Kind.TASK:
        if getattr(doc, "assignment_pk", None):
            return _url("tasks:assignment_detail", pk=doc.assignment_pk)
        return _url("tasks:plan_detail", pk=doc.task.plan_id)
    return None


def _hits(queryset, keys: list[int], query: Query, user) -> list[Hit]:
    """The documents of one page, in the order of ``keys``, ready to display (one query)."""
    from tasks.models import Assignment

    docs = queryset.filter(sort_key__in=keys).select_related("series", "task", "report", "content")
    docs = docs.only(
        "sort_key", "kind", "issue_id", "meeting_id", "task_id", "report_id",
        "series__name", "title", "label", "content__text", "content__body",
        "task__plan_id", "report__assignment_id",
    )  # fmt: skip
    if user.is_authenticated and user.unit_id:
        # A unit reaches a task through its own assignment of it.
        docs = docs.annotate(
            assignment_pk=Subquery(
                Assignment.objects.visible_to(user)
                .filter(task_id=OuterRef("task_id"))
                .values("pk")[:1]
            )
        )
    by_key = {doc.sort_key: doc for doc in engine.fetch(docs)}
    hits = []
    for key in keys:
        doc = by_key.get(key)
        if doc is None:  # changed between the two queries: skip rather than guess
            continue
        title_end = len(doc.title) + 1
        body, text = doc.content.body, doc.content.text
        hits.append(
            Hit(
                kind=doc.kind,
                kind_label=doc.get_kind_display(),
                url=_document_url(doc, user),
                title=highlight(doc.title, query.words),
                snippet=snippet(body[title_end:], text[title_end:], query.words),
                meta=" · ".join(
                    p for p in (doc.series.name if doc.series_id else "", doc.label) if p
                ),
            )
        )
    return hits


def _facets(outcome, filterset):
    if outcome.facets is None:
        return None
    kinds = dict(Kind.choices)
    return {
        "type": [
            (value, kinds[value], outcome.facets["kind"][value])
            for value in kinds
            if outcome.facets["kind"][value]
        ],
        "series": [
            (str(pk), filterset.series_names.get(pk, ""), n)
            for pk, n in outcome.facets["series"].most_common()
            if pk in filterset.series_names
        ],
        "year": sorted(outcome.facets["year"].items(), reverse=True),
    }


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
            facets=_facets(outcome, filterset),
            limit=engine.LIMIT,
            relevance=form.cleaned_data["order"] == engine.RELEVANCE,
            filtered=any(request.GET.get(name) for name in ("type", "series", "year")),
        )
    return render(request, "search/search.html", context)
