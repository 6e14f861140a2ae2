"""The assignment pages (/tasks/): a unit's list, export and assignment page with 签收,
progress reports and evidence, and its 催办 notices. The office reads them too."""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import Count, Exists, F, Window
from django.db.models.functions import DenseRank
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.models import acting_unit_id
from portal.audit.services import get_or_refuse, record
from portal.files import content_disposition, download_response
from portal.kept_sql import Param, kept_query
from portal.pagination import counted_page, counted_page_of, page_number
from portal.storage import StorageUnavailable
from portal.units.models import Unit
from portal.xlsx import XLSX_CONTENT_TYPE

from .. import selectors, services
from ..filters import (
    plans_and_categories,
    plans_and_categories_of_rows,
    plans_and_categories_query,
    unfiltered_values,
)
from ..forms import ExtensionRequestForm, ReportForm, VersionForm
from ..html import (
    NOTICE_FIELDS,
    UNLIT_ROW_FIELDS,
    assignment_rows,
    filter_box_html,
    filter_fields_html,
    list_page,
    list_page_html,
)
from ..models import Evidence, ProgressReport, Reminder, Task, assignment_audience, today
from ..xlsx_export import build_workbook
from .common import (
    PAGE_SIZE,
    assignment_step,
    filtered_assignments,
    get_assignment,
    get_report,
    listed_assignments,
    note_files_not_kept,
    private,
    query_without_page,
)

R = ProgressReport.Review


@login_required
@require_safe
@private
def assignment_list(request):
    """/tasks/: my unit's assignments with lights, filters and sorting; unread 催办.

    The rows are read as values and written in Python (``tasks.html``), the list's
    length counted beside them: no model instances, no template loop per row. With no
    filter given, no filter set either: its statements are compiled once per audience
    (``kept_sql``) and the form is written from the query string; a given filter goes
    through ``AssignmentFilter``, whose form is written here too when it is valid."""
    day = today()
    user = _unlazy(request.user)
    is_office = user.is_office
    who = assignment_audience(user)
    unit_id = acting_unit_id(user)
    rows = None
    values = unfiltered_values(request.GET)
    if values is not None:
        number = page_number(request)
        rows = _list_rows(day, user, who, unit_id, number)
        page = counted_page(rows, number, PAGE_SIZE)
        if unit_id is not None and number == 1 and len(rows) == page.paginator.count:
            # A unit's whole list on the page: the filter's plans and categories are
            # its rows' (a unit sees the tasks of its assignments).
            choices = plans_and_categories_of_rows(rows)
        else:
            choices = _plans_and_categories(who, user)
        written = True
        units = _unit_choices if is_office else None
    else:
        choices = _plans_and_categories(who, user)
        filterset = filtered_assignments(request, day, lit=False, choices=choices)
        page = counted_page_of(request, filterset.qs.values(*UNLIT_ROW_FIELDS), PAGE_SIZE)
        values = {name: request.GET.get(name) for name in filterset.filters}
        # Orders by more than one column print as a text input: Django's form does that.
        written = filterset.is_valid() and "," not in (values["ordering"] or "")
        units = filterset.filters["unit"].extra["choices"] if is_office else None
    if written:  # the form in Python; one with errors goes through its template
        fields = filter_fields_html(
            values,
            choices={"plan": choices[0], "category": choices[1], "unit": units() if units else []},
            show_unit=is_office,
        )
        filter_box = filter_box_html(fields, bound=bool(request.GET))
    else:
        filter_box = render_to_string(
            "tasks/includes/filters.html", {"filter": filterset, "show_unit": is_office}
        )
    if unit_id is None or (rows and not rows[0]["unread_notices"]):
        notices = []  # the office sends them; the rows say the unit has none unread
    else:
        notices = kept_query(
            ("tasks:unread_notices", unit_id),
            lambda: selectors.unread_notices(user).values(*NOTICE_FIELDS),
        ).dicts(limit=20)
    unit = None if is_office else user.unit
    content = list_page_html(
        request,
        is_office=is_office,
        unit_name=unit.name if unit else "",
        notices=notices,
        day=day,
        query=query_without_page(request) if request.GET else "",
        filter_box=filter_box,
        rows=assignment_rows(page.object_list, office=is_office, day=day),
        page=page,
    )
    # templates/tasks/assignment_list.html, written in Python (tasks/html.py).
    return HttpResponse(list_page(request, is_office=is_office, content=content))


def _unlazy(user):
    """``request.user`` itself rather than the lazy objects around it (Django's, and
    django-otp's around that): the list asks a dozen of its attributes, each through
    every layer."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


# A unit's rows: no unit column (nor its join), their task's plan for the filter.
UNIT_ROW_FIELDS = (
    *(field for field in UNLIT_ROW_FIELDS if not field.startswith("unit__")),
    "task__plan",
)


def _list_query(day, user, unit_id):
    """The unfiltered list's ``values()`` query for ``user``: its rows (``UNLIT_ROW_FIELDS``)
    with the list's length and, for a unit, whether it has unread 催办
    (``unread_notices``: one uncorrelated EXISTS, run once for the statement), so a unit
    without any reads none, and the ranks of their plans and categories among the
    list's (``plans_and_categories_of_rows``: a list on one page needs no statement
    for the filter's choices)."""
    annotations = {"list_count": Window(Count("*"))}
    fields = UNLIT_ROW_FIELDS
    if unit_id is not None:
        fields = UNIT_ROW_FIELDS
        annotations["unread_notices"] = Exists(selectors.unread_notices(user))
        annotations["plan_rank"] = Window(
            DenseRank(),
            order_by=[
                F("task__plan__year").desc(),
                F("task__plan__title").asc(),
                F("task__plan").asc(),
            ],
        )
        annotations["category_rank"] = Window(DenseRank(), order_by=F("task__category").asc())
    return listed_assignments(day, user, lit=False).values(*fields).annotate(**annotations)


def _list_rows(day, user, who: tuple, unit_id, number: int) -> list[dict]:
    """Page ``number`` of the unfiltered list (``_list_query``) for ``user`` of the
    audience ``who``. A unit's on PostgreSQL through ``tasks_unit_assignments`` (tasks
    0011): the same statement in a PL/pgSQL function, whose plan PostgreSQL keeps per
    connection instead of planning it on every request (about 0.4 ms of its CPU)."""
    kept = kept_query(("tasks:assignment_list", who, day), lambda: _list_query(day, user, unit_id))
    offset = (number - 1) * PAGE_SIZE
    if unit_id is None or connections[kept.using].vendor != "postgresql":
        return kept.dicts(limit=PAGE_SIZE, offset=offset)
    call = _unit_calls.get(kept)
    if call is None:
        if len(_unit_calls) >= 1024:
            _unit_calls.clear()
        # The kept statement's columns, the function's call as its SQL. No converters:
        # the ORM's are ``int()`` of the count and the ranks, which psycopg2 returns as
        # ints already (the rows go as fetched, about 0.05 ms less).
        call = _unit_calls[kept] = dataclasses.replace(
            kept, sql=_UNIT_CALL, params=_UNIT_PARAMS, converters=()
        )
    return call.dicts(
        {"unit": unit_id, "period": f"{day:%Y-%m}", "limit": PAGE_SIZE, "offset": offset}
    )


_UNIT_CALL = "SELECT * FROM tasks_unit_assignments(%s, %s, %s, %s)"
_UNIT_PARAMS = (Param("unit"), Param("period"), Param("limit"), Param("offset"))
_unit_calls: dict = {}  # kept statement -> its function call (``_list_rows``)


def _plans_and_categories(who: tuple, user) -> tuple[list[tuple], list[tuple]]:
    """The filter's plans and categories for ``user`` of the audience ``who``."""
    return plans_and_categories(
        kept_query(
            ("tasks:plans_and_categories", who),
            lambda: plans_and_categories_query(Task.objects.visible_to(user)),
        ).dicts()
    )


def _unit_choices():
    """The office's unit filter's choices: the active units, ``[(pk, name), …]``."""
    return [
        (row["pk"], row["name"])
        for row in kept_query(
            ("tasks:active_units",),
            lambda: Unit.objects.filter(active=True).values("pk", "name"),
        ).dicts()
    ]


@login_required
@require_safe
@private
def export(request):
    """The visible (and filtered) assignments, their tasks and reports as .xlsx."""
    day = today()
    filterset = filtered_assignments(request, day)
    content = build_workbook(filterset.qs, today=day)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"产改任务-{day:%Y%m%d}.xlsx")
    record(
        "export.xlsx",
        by=request.user,
        label=f"产改任务-{day:%Y%m%d}.xlsx",
        detail=request.GET.urlencode(),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# How a report's review shows on the assignment page: badge colour and comment heading.
_REVIEW_BADGE = {R.ACCEPTED: "badge--green", R.RETURNED: "badge--red", R.PENDING: "badge--yellow"}
_COMMENT_HEADING = {
    R.RETURNED: _lazy("退回意见："),
    R.PENDING: _lazy("上次退回意见："),  # a resubmitted report keeps the office's comment
    R.ACCEPTED: _lazy("审核意见："),
}


def _report_row(report, user) -> dict:
    returned = report.review_status == R.RETURNED
    return {
        "report": report,
        "badge": _REVIEW_BADGE[report.review_status],
        "comment_heading": _COMMENT_HEADING[report.review_status],
        "is_returned": returned,
        "can_edit": services.can_edit_report(report, user),
        "can_review": services.can_review(report, user),
    }


def _extension_context(assignment, user, form=None) -> dict:
    """The 延期申请 part of the assignment page: every request with its dates and who
    decided, and the form when the unit may ask (or the bound form it posted)."""
    requests = list(assignment.extension_requests.select_related("requested_by", "decided_by"))
    pending = next((r for r in requests if r.status == r.Status.PENDING), None)
    can_request = services.can_request_extension(assignment, user)
    return {
        "extension_requests": requests,
        "extension_form": form or (ExtensionRequestForm() if can_request else None),
        "pending_extension": pending,
        "can_decide_extension": bool(pending and services.can_decide_extension(pending, user)),
        "can_withdraw_extension": bool(pending and services.can_withdraw_extension(pending, user)),
    }


def render_assignment(request, assignment, *, report_form=None, extension_form=None):
    """The assignment page, with a bound form a refused post brings back."""
    assignment.refresh_from_db()
    context = _detail_context(
        request, assignment, report_form=report_form, extension_form=extension_form
    )
    return render(request, "tasks/assignment_detail.html", context)


def _detail_context(request, assignment, *, report_form=None, extension_form=None):
    """The assignment page: every button is a services predicate's answer."""
    user = request.user
    reports = assignment.reports.select_related("submitted_by", "reviewed_by").prefetch_related(
        "evidence"
    )
    rows = [_report_row(r, user) for r in reports]
    can_report = services.can_submit_report(assignment, user)
    version = VersionForm(initial={"version": assignment.version})
    return {
        "assignment": assignment,
        "task": assignment.task,
        "milestones": list(assignment.task.milestones.all()),
        "reports": rows,
        "reviewable_reports": [row["report"] for row in rows if row["can_review"]],
        "reminders": list(assignment.reminders.select_related("sent_by")[:20]),
        "light": assignment.light,
        "can_acknowledge": services.can_acknowledge(assignment, user),
        "can_close": services.can_close(assignment, user),
        "can_remind": services.can_remind(assignment, user),
        "report_form": report_form or (ReportForm(new_report=True) if can_report else None),
        "close_form": version,
        "ack_form": version,
        **_extension_context(assignment, user, extension_form),
    }


@login_required
@require_safe
@private
def assignment_detail(request, pk):
    assignment = get_assignment(request, pk)
    return render(request, "tasks/assignment_detail.html", _detail_context(request, assignment))


@login_required
@require_POST
def assignment_acknowledge(request, pk):
    return assignment_step(
        request, get_assignment(request, pk), services.acknowledge_assignment, _("已签收。")
    )


@login_required
@require_POST
def report_create(request, pk):
    assignment = get_assignment(request, pk)
    form = ReportForm(request.POST, request.FILES, new_report=True)
    if form.is_valid():
        try:
            # The form's fields are the service's keywords (period, text, percent, …).
            services.submit_report(assignment=assignment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        except StorageUnavailable as exc:  # nothing was saved: say so, keep what was typed
            form.add_error(None, str(exc))
            note_files_not_kept(form, request.FILES.getlist("files"))
            response = render_assignment(request, assignment, report_form=form)
            response.status_code = 503
            return response
        else:
            messages.success(request, _("进展已报送，等待产改办审核。"))
            return redirect("tasks:assignment_detail", pk=assignment.pk)
    note_files_not_kept(form, request.FILES.getlist("files"))
    return render_assignment(request, assignment, report_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def report_edit(request, pk):
    """Edit a pending report or resubmit a returned one (the unit's own only)."""
    report = get_report(request, pk)
    if acting_unit_id(request.user) != report.assignment.unit_id:
        raise PermissionDenied  # the office and others see the report, only its unit edits
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        form.fields["version"].required = True  # an edit always names what it edits
        if form.is_valid():
            try:
                services.update_report(report=report, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已重新报送，等待产改办审核。"))
                return redirect("tasks:assignment_detail", pk=report.assignment_id)
        note_files_not_kept(form, request.FILES.getlist("files"))
    else:
        form = ReportForm(
            initial={
                "period": report.period,
                "text": report.text,
                "percent": report.percent,
                "requests_completion": report.requests_completion,
                "version": report.version,
            }
        )
    return render(
        request,
        "tasks/report_edit.html",
        {
            "report": report,
            "form": form,
            "evidence": list(report.evidence.all()),
            "is_resubmission": report.review_status == R.RETURNED,
        },
    )


@login_required
@require_safe
def evidence_download(request, pk):
    evidence = get_or_refuse(
        Evidence.objects.visible_to(request.user), "download.evidence", by=request.user, pk=pk
    )
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    record("download.evidence", by=request.user, obj=evidence, detail=str(evidence.report))
    return download_response(
        handle, filename=evidence.original_name, content_type=evidence.content_type
    )


@login_required
@require_POST
def reminder_read(request, pk):
    reminder = get_object_or_404(
        Reminder.objects.visible_to(request.user).select_related("assignment"), pk=pk
    )
    services.mark_reminder_read(reminder=reminder, by=request.user)
    return redirect("tasks:assignment_list")
