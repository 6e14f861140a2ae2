"""The office's dashboard: overview with rates and charts, the review queue, review,
办结 and 催办."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connections, router
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.kept_sql import kept_query
from portal.pagination import page_of
from portal.units.models import Unit

from .. import filtered_sql, frame, overview_html, selectors, services
from .. import stamp as tasks_stamp
from ..filters import AssignmentFilter, plans_and_categories, plans_and_categories_query
from ..forms import ReminderForm, ReviewForm
from ..html import filter_box_html, filter_fields_html
from ..models import Assignment, Task, assignment_audience, due_date_expr, today
from .common import (
    PAGE_SIZE,
    assignment_step,
    filtered_assignments,
    get_assignment,
    get_report,
    office_required,
    private,
    query_without_page,
)


def overview_rates(filterset, user, params, day, units, stamp=None):
    """``selectors.overview_rates`` of the filtered assignments, their SQL compiled once
    per filter shape on PostgreSQL (``tasks.filtered_sql``). ``filterset``: an
    ``AssignmentFilter`` or ``PlainFilters``; ``units``: the page's ``_Units``;
    ``stamp``: the tasks' stamp the request read (``tasks.stamp``)."""
    if isinstance(filterset, filtered_sql.PlainFilters):
        using = filterset.db
    else:
        using = filterset.queryset.db
    if connections[using].vendor != "postgresql":
        if isinstance(filterset, filtered_sql.PlainFilters):
            filterset = filterset.filterset
        return selectors.overview_rates(filterset.qs, params=params, today=day)
    found = filtered_sql.statement(
        filterset,
        "overview-rates",
        lambda queryset: queryset.order_by().values(*selectors.RATES_COLUMNS),
        user=user,
        day=day,
    )
    if found is None:  # the filters match nothing
        return [], []
    sql, sql_params, _compiled = found
    return selectors.overview_rates_of(
        sql, sql_params, using, params=params, today=day, units=units.ordered, stamp=stamp
    )


class _Rows:
    """The overview's filtered rows (``OVERVIEW_ROW_FIELDS`` dictionaries) for the
    paginator: a slice is one statement, compiled once per filter shape."""

    def __init__(self, filterset, user, day, using, stamp=None):
        self.filterset, self.user, self.day, self.using = filterset, user, day, using
        self.stamp = stamp

    def __getitem__(self, bounds: slice) -> list[dict]:
        bottom, top = bounds.start or 0, bounds.stop
        if top <= bottom:
            return []  # as a queryset's empty slice: no query
        found = filtered_sql.statement(
            self.filterset,
            "overview-rows",
            lambda queryset: queryset.values(*overview_html.OVERVIEW_ROW_FIELDS),
            user=self.user,
            day=self.day,
        )
        if found is None:
            return []
        sql, params, compiled = found
        # Django's own LIMIT/OFFSET (both backends write them so, as literals).
        sql += f" LIMIT {top - bottom}" + (f" OFFSET {bottom}" if bottom else "")
        return filtered_sql.rows(connections[self.using], sql, params, compiled, stamp=self.stamp)


def overview_rows(filterset, user, day, stamp=None) -> _Rows:
    if isinstance(filterset, filtered_sql.PlainFilters):
        return _Rows(filterset, user, day, filterset.db, stamp)
    return _Rows(filterset, user, day, filterset.queryset.db, stamp)


@office_required
@require_safe
@private
def overview(request):
    """/tasks/overview/: rates per unit and per category, lights, charts, drill-down.

    Without ``?plan=`` it shows the current task list (a closed year's plan would
    otherwise be counted with this year's); ``?plan=`` (empty) shows every plan.

    With no filter but the task list (the usual request), no filter set is built: the
    kept statements take the plan (``filtered_sql.PlainFilters``) and the filter box is
    written from the query string. The page is written in Python, frame and all
    (``tasks.frame``): it is what templates/tasks/overview.html renders.
    """
    day = today()
    user = request.user
    params = request.GET
    # The stamp of the tables the page reads: the statements' rows kept under it.
    stamp = tasks_stamp.current(router.db_for_read(Assignment))
    rows = tasks_stamp.query_dicts(
        stamp,
        kept_query(
            ("tasks:plans_and_categories", assignment_audience(user)),
            lambda: plans_and_categories_query(Task.objects.visible_to(user)),
        ),
    )
    choices = plans_and_categories(rows)
    default_plan = None
    if "plan" not in params:
        default_plan = selectors.current_plan_of(rows)
        if default_plan is not None:
            params = params.copy()
            params["plan"] = str(default_plan.pk)
    plan = filtered_sql.PlainFilters.of(params, choices[0]) if params else None
    if plan is not None:
        filterset = filtered_sql.PlainFilters(
            plan,
            db=router.db_for_read(Assignment),
            make=lambda: filtered_assignments(request, day, params, choices=choices),
        )
    else:
        filterset = filtered_assignments(request, day, params, choices=choices)
    units = _Units(stamp)
    by_unit, by_category = overview_rates(filterset, user, params, day, units, stamp)
    # Every assignment has one unit: the units' rows add up to the totals and the count.
    totals = selectors.totals_of(by_unit, day)
    page = page_of(
        request, overview_rows(filterset, user, day, stamp), PAGE_SIZE, count=totals["total"]
    )
    # templates/tasks/overview.html's ``tasks_content``: the heading, filters and body.
    content = "".join(
        [
            "\n",
            overview_html.head(default_plan),
            "\n",
            _filter_box(filterset, params, choices, units),
            "\n",
            overview_html.body(
                request,
                totals,
                overview_html.rates(by_unit, by_category),
                overview_html.assignment_rows(page, user, units.names),
                page,
                query_without_page(request),
            ),
        ]
    )
    return HttpResponse(overview_page(request, content))


def overview_page(request, content: str) -> str:
    """templates/tasks/overview.html around ``content``, written in Python."""
    return frame.page(request, title=_("任务总览"), content=content)


class _Units:
    """Every unit's id, name, short name and whether it is active, in the units' order,
    read once for the page (one statement, kept): the unit filter's choices (the active
    units, as ``AssignmentFilter`` offers them to the office), the rates' rows by unit
    (``ordered``: their order and names) and the names the table prints; kept under
    the tasks' ``stamp`` (``tasks.stamp``)."""

    def __init__(self, stamp=None):
        query = kept_query(
            ("tasks:overview_units",),
            lambda: Unit.objects.values_list("pk", "name", "short_name", "active"),
        )
        rows = tasks_stamp.query_rows(stamp, query)
        self.ordered = [(pk, name) for pk, name, _short, _active in rows]
        self.choices = [(pk, name) for pk, name, _short, active in rows if active]
        self.names = {pk: short or name for pk, name, short, _active in rows}


def _filter_box(filterset, params, choices, units: _Units) -> str:
    """tasks/includes/filters.html of the overview's filters (the unit's field shown):
    written in Python (``tasks.html.filter_fields_html``) for a valid form or
    ``PlainFilters``, through the template for one with errors or not bound."""
    values = {name: params.get(name) for name in AssignmentFilter.base_filters}
    plan, categories = choices
    # Orders by more than one column print as a text input: Django's form does that.
    if filterset.is_bound and filterset.is_valid() and "," not in (values["ordering"] or ""):
        fields = filter_fields_html(
            values,
            choices={"plan": plan, "category": categories, "unit": units.choices},
            show_unit=True,
        )
        return mark_safe(filter_box_html(fields, bound=True))  # noqa: S308 - escaped parts
    return render_to_string("tasks/includes/filters.html", {"filter": filterset, "show_unit": True})


@office_required
@require_safe
@private
def review_queue(request):
    """Reports waiting for the office's review, oldest first."""
    reports = (
        selectors.awaiting_review(request.user)
        .select_related("assignment__task", "assignment__unit", "submitted_by")
        .annotate(evidence_count=Count("evidence"))
        .order_by("submitted_at", "pk")
    )
    return render(
        request, "tasks/review_queue.html", {"page": page_of(request, reports, PAGE_SIZE)}
    )


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def report_review(request, pk):
    """Accept (and optionally close), or return with a comment."""
    report = get_report(request, pk)
    form = ReviewForm(request.POST or None, initial={"version": report.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == ReviewForm.RETURN:
                services.return_report(
                    report=report, by=request.user, version=data["version"], comment=data["comment"]
                )
                messages.success(request, _("已退回，单位将看到审核意见。"))
            else:
                services.accept_report(
                    report=report,
                    by=request.user,
                    version=data["version"],
                    comment=data["comment"],
                    close=data["decision"] == ReviewForm.ACCEPT_CLOSE,
                )
                messages.success(request, _("已通过。"))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("tasks:review_queue")
    return render(
        request,
        "tasks/report_review.html",
        {
            "report": report,
            "assignment": report.assignment,
            "form": form,
            "evidence": list(report.evidence.all()),
            "earlier": list(
                report.assignment.reports.exclude(pk=report.pk).order_by("-submitted_at")[:10]
            ),
        },
    )


@office_required
@require_POST
def assignment_close(request, pk):
    return assignment_step(
        request, get_assignment(request, pk), services.close_assignment, _("已办结（销号）。")
    )


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def remind(request):
    """催办 one or many assignments (preselected with ?assignment=1&assignment=2)."""
    queryset = (
        Assignment.objects.visible_to(request.user)
        .open()
        .select_related("task", "unit")
        .order_by(due_date_expr(), "task__number", "unit__ordering")
    )
    if request.method == "POST":
        form = ReminderForm(request.POST, queryset=queryset)
        if form.is_valid():
            try:
                made = services.send_reminder(
                    assignments=form.cleaned_data["assignments"],
                    by=request.user,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    ngettext("已催办 %(n)d 项任务分工。", "已催办 %(n)d 项任务分工。", len(made))
                    % {"n": len(made)},
                )
                return redirect("tasks:overview")
    else:
        chosen = [v for v in request.GET.getlist("assignment") if v.isdigit()]
        form = ReminderForm(queryset=queryset, initial={"assignments": chosen})
    return render(request, "tasks/remind.html", {"form": form})
