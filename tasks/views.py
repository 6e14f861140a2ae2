"""Pages of the task app: the unit's assignments (/tasks/) and the office's pages.

Every reader starts from ``visible_to(request.user)`` (hidden → 404); every write is
one service call; a service refusal lands on the bound form with the input kept.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.files import content_disposition, download_response
from portal.units.models import Unit

from . import calendar, charts, services
from .filters import AssignmentFilter
from .forms import (
    AssessmentForm,
    AssignForm,
    ImportForm,
    ProblemForm,
    ReminderForm,
    ReplyForm,
    ReportForm,
    ReviewForm,
    VersionForm,
)
from .models import (
    Assessment,
    Assignment,
    CalendarToken,
    Evidence,
    Light,
    Plan,
    Problem,
    ProgressReport,
    Reminder,
    today,
)
from .xlsx import XLSX_CONTENT_TYPE, build_workbook

PAGE_SIZE = 50
private = cache_control(private=True, no_cache=True)


def office_required(view):
    """Signed in (else the login page) and 产改办 (else 404: the page does not exist)."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_office:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except InvalidPage as exc:
        raise Http404 from exc


def _add_errors(form, exc: ValidationError) -> None:
    form.add_error(None, exc)


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _assignments(request, day):
    """The user's visible assignments, lit for ``day``, filtered by the query string."""
    # Default order: open work first, by due date; closed assignments last.
    queryset = (
        Assignment.objects.visible_to(request.user)
        .with_light(day)
        .select_related("task__plan", "unit")
        .annotate(
            is_closed=Case(
                When(status=Assignment.Status.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("is_closed", "task__due_date", "task__number", "pk")
    )
    filterset = AssignmentFilter(
        request.GET or None, queryset=queryset, user=request.user, office=request.user.is_office
    )
    return filterset


# --- member units ---------------------------------------------------------------------


@login_required
@require_safe
@private
def assignment_list(request):
    """/tasks/: my unit's assignments with lights, filters and sorting; unread 催办."""
    day = today()
    filterset = _assignments(request, day)
    page = _page(request, filterset.qs)
    # 催办 notices are for the unit to read; the office sends them and sees them per row.
    notices = (
        list(
            Reminder.objects.visible_to(request.user)
            .filter(assignment__unit_id=request.user.unit_id)
            .filter(kind=Reminder.Kind.MANUAL, read_at__isnull=True)
            .select_related("assignment__task")[:20]
        )
        if request.user.unit_id
        else []
    )
    return render(
        request,
        "tasks/assignment_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": _query_without_page(request),
            "notices": notices,
            "today": day,
            "is_office": request.user.is_office,
        },
    )


@login_required
@require_safe
@private
def export(request):
    """The visible (and filtered) assignments, their tasks and reports as .xlsx."""
    day = today()
    filterset = _assignments(request, day)
    content = build_workbook(filterset.qs, today=day)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(f"产改任务-{day:%Y%m%d}.xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _detail_context(request, assignment, *, report_form=None, close_form=None):
    user = request.user
    own = user.unit_id == assignment.unit_id and user.is_active
    reports = list(
        assignment.reports.select_related("submitted_by", "reviewed_by").prefetch_related(
            "evidence"
        )
    )
    S = Assignment.Status
    can_report = own and assignment.status in (S.ACKNOWLEDGED, S.IN_PROGRESS)
    can_close = (
        user.is_office
        and assignment.status == S.COMPLETION_REQUESTED
        and any(r.requests_completion and r.review_status == "accepted" for r in reports)
    )
    return {
        "assignment": assignment,
        "task": assignment.task,
        "milestones": list(assignment.task.milestones.all()),
        "reports": reports,
        "reminders": list(assignment.reminders.select_related("sent_by")[:20]),
        "light": assignment.light,
        "own": own,
        "can_acknowledge": own and assignment.status == S.PENDING,
        "can_report": can_report,
        "can_close": can_close,
        "is_office": user.is_office,
        "report_form": report_form
        or (ReportForm(initial={"version": assignment.version}) if can_report else None),
        "close_form": close_form or VersionForm(initial={"version": assignment.version}),
        "ack_form": VersionForm(initial={"version": assignment.version}),
        "pending_reports": [r for r in reports if r.review_status == "pending"],
    }


def _get_assignment(request, pk):
    return get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related("task__plan", "unit"), pk=pk
    )


@login_required
@require_safe
@private
def assignment_detail(request, pk):
    assignment = _get_assignment(request, pk)
    return render(request, "tasks/assignment_detail.html", _detail_context(request, assignment))


@login_required
@require_POST
def assignment_acknowledge(request, pk):
    assignment = _get_assignment(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.acknowledge_assignment(assignment=assignment, by=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已签收。"))
    return redirect("tasks:assignment_detail", pk=assignment.pk)


@login_required
@require_POST
def report_create(request, pk):
    assignment = _get_assignment(request, pk)
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.submit_report(
                assignment=assignment,
                by=request.user,
                period=data["period"],
                text=data["text"],
                percent=data["percent"],
                requests_completion=data["requests_completion"],
                files=data["files"],
                version=data["version"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("进展已报送，等待产改办审核。"))
            return redirect("tasks:assignment_detail", pk=assignment.pk)
    assignment.refresh_from_db()
    context = _detail_context(request, assignment, report_form=form)
    context["can_report"] = True
    return render(request, "tasks/assignment_detail.html", context, status=200)


def _get_report(request, pk):
    return get_object_or_404(
        ProgressReport.objects.visible_to(request.user).select_related(
            "assignment__task__plan", "assignment__unit"
        ),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def report_edit(request, pk):
    """Edit a pending report or resubmit a returned one (the unit's own only)."""
    report = _get_report(request, pk)
    if request.user.unit_id != report.assignment.unit_id:
        raise PermissionDenied
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        form.fields["version"].required = True  # an edit always names what it edits
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_report(
                    report=report,
                    by=request.user,
                    version=data["version"],
                    period=data["period"],
                    text=data["text"],
                    percent=data["percent"],
                    requests_completion=data["requests_completion"],
                    files=data["files"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已重新报送，等待产改办审核。"))
                return redirect("tasks:assignment_detail", pk=report.assignment_id)
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
        {"report": report, "form": form, "evidence": list(report.evidence.all())},
    )


@login_required
@require_safe
def evidence_download(request, pk):
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
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


# --- problems (问题收集) -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def problem_list(request):
    """Units raise problems and read replies; the office sees every unit's."""
    problems = Problem.objects.visible_to(request.user).select_related("unit", "task")
    can_raise = bool(request.user.unit_id) and not request.user.is_office
    form = ProblemForm(request.POST or None, user=request.user) if can_raise else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                problem = services.raise_problem(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("问题已提交，产改办答复后会在此显示。"))
                return redirect("tasks:problem_detail", pk=problem.pk)
    status = request.GET.get("status")
    if status in Problem.Status.values:
        problems = problems.filter(status=status)
    return render(
        request,
        "tasks/problem_list.html",
        {
            "page": _page(request, problems),
            "form": form,
            "statuses": Problem.Status.choices,
            "status": status,
            "is_office": request.user.is_office,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def problem_detail(request, pk):
    problem = get_object_or_404(
        Problem.objects.visible_to(request.user).select_related("unit", "task", "raised_by"), pk=pk
    )
    form = None
    if request.user.is_office:
        form = ReplyForm(
            request.POST or None,
            initial={"reply": problem.reply, "version": problem.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.reply_problem(
                    problem=problem,
                    by=request.user,
                    reply=form.cleaned_data["reply"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("已答复。"))
                return redirect("tasks:problem_detail", pk=problem.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "tasks/problem_detail.html", {"problem": problem, "form": form})


# --- calendar feed -------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def calendar_settings(request):
    """Issue, renew or revoke the user's calendar (.ics) address."""
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_token(by=request.user)
            messages.success(request, _("日历订阅地址已停用。"))
            return redirect("tasks:calendar")
        token = services.renew_calendar_token(by=request.user)
        new_url = request.build_absolute_uri(reverse("tasks:calendar_feed", args=[token]))
    has_token = CalendarToken.objects.filter(user=request.user).exists()
    return render(request, "tasks/calendar.html", {"new_url": new_url, "has_token": has_token})


@require_safe
def calendar_feed(request, token):
    """The unit's due dates and milestones; the URL is the credential (404 when dead)."""
    user = services.calendar_user(token)
    if user is None:
        raise Http404
    content = calendar.build_calendar(user, host=request.get_host())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    response["Content-Disposition"] = content_disposition("tasks.ics", inline=True)
    return response


# --- the office ------------------------------------------------------------------------


@office_required
@require_safe
@private
def overview(request):
    """/tasks/overview/: rates per unit and per category, lights, charts, drill-down."""
    day = today()
    filterset = _assignments(request, day)
    queryset = filterset.qs
    by_unit = charts.rate_rows(
        queryset,
        label="unit__name",
        key="unit_id",
        param="unit",
        params=request.GET,
        today=day,
        order="unit__ordering",
    )
    by_category = charts.rate_rows(
        queryset,
        label="task__category",
        key="task__category",
        param="category",
        params=request.GET,
        today=day,
    )
    totals = charts.totals(queryset, day)
    return render(
        request,
        "tasks/overview.html",
        {
            "filter": filterset,
            "page": _page(request, queryset),
            "query": _query_without_page(request),
            "by_unit": by_unit,
            "by_category": by_category,
            "totals": totals,
            "unit_chart": charts.bar_chart(by_unit),
            "category_chart": charts.bar_chart(by_category),
            "today": day,
            "lights": Light,
        },
    )


@office_required
@require_safe
@private
def review_queue(request):
    """Reports waiting for the office's review, oldest first."""
    reports = (
        ProgressReport.objects.visible_to(request.user)
        .filter(review_status=ProgressReport.Review.PENDING)
        .select_related("assignment__task", "assignment__unit", "submitted_by")
        .annotate(evidence_count=Count("evidence"))
        .order_by("submitted_at", "pk")
    )
    return render(request, "tasks/review_queue.html", {"page": _page(request, reports)})


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def report_review(request, pk):
    """Accept (and optionally close), or return with a comment."""
    report = _get_report(request, pk)
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
                _accept(report, request.user, data)
                messages.success(request, _("已通过。"))
        except ValidationError as exc:
            _add_errors(form, exc)
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


def _accept(report, user, data):
    from django.db import transaction

    with transaction.atomic():
        services.accept_report(
            report=report, by=user, version=data["version"], comment=data["comment"]
        )
        if data["decision"] == ReviewForm.ACCEPT_CLOSE:
            services.close_assignment(assignment=report.assignment, by=user)


@office_required
@require_POST
def assignment_close(request, pk):
    assignment = _get_assignment(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.close_assignment(assignment=assignment, by=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已办结（销号）。"))
    return redirect("tasks:assignment_detail", pk=assignment.pk)


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def remind(request):
    """催办 one or many assignments (preselected with ?assignment=1&assignment=2)."""
    queryset = (
        Assignment.objects.visible_to(request.user)
        .open()
        .select_related("task", "unit")
        .order_by("task__due_date", "task__number", "unit__ordering")
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
                _add_errors(form, exc)
            else:
                messages.success(request, _("已催办 %(n)d 项任务分工。") % {"n": len(made)})
                return redirect("tasks:overview")
    else:
        chosen = [v for v in request.GET.getlist("assignment") if v.isdigit()]
        form = ReminderForm(queryset=queryset, initial={"assignments": chosen})
    return render(request, "tasks/remind.html", {"form": form})


@office_required
@require_safe
@private
def plan_list(request):
    plans = Plan.objects.annotate(
        task_count=Count("tasks", distinct=True),
        assignment_count=Count("tasks__assignments", distinct=True),
    )
    return render(request, "tasks/plan_list.html", {"plans": plans})


def _plan_context(request, plan, *, assign_form=None, import_form=None):
    tasks = plan.tasks.prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
        "milestones",
    )
    return {
        "plan": plan,
        "tasks": tasks,
        "assign_form": assign_form or AssignForm(plan=plan),
        "import_form": import_form or ImportForm(),
    }


@office_required
@require_safe
@private
def plan_detail(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    return render(request, "tasks/plan_detail.html", _plan_context(request, plan))


@office_required
@require_POST
def plan_assign(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    form = AssignForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            made = services.assign_units(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已新增 %(n)d 项分工。") % {"n": len(made)})
            return redirect("tasks:plan_detail", pk=plan.pk)
    return render(request, "tasks/plan_detail.html", _plan_context(request, plan, assign_form=form))


@office_required
@require_POST
def plan_import(request, pk):
    plan = get_object_or_404(Plan, pk=pk)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            made = services.import_plan(plan=plan, file=form.cleaned_data["file"], by=request.user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已导入 %(n)d 项任务。") % {"n": len(made)})
            return redirect("tasks:plan_detail", pk=plan.pk)
    return render(request, "tasks/plan_detail.html", _plan_context(request, plan, import_form=form))


@office_required
@require_safe
@private
def assessment_list(request, pk):
    """考核评价 of a plan: each unit's rates, suggested score and the office's score."""
    plan = get_object_or_404(Plan, pk=pk)
    return render(request, "tasks/assessment_list.html", _assessment_context(plan))


def _assessment_context(plan, *, bound=None):
    units = Unit.objects.filter(assignments__task__plan=plan).distinct()
    assessments = {a.unit_id: a for a in Assessment.objects.filter(plan=plan)}
    rows = []
    for unit in units:
        current = assessments.get(unit.pk)
        rates = services.unit_rates(plan=plan, unit=unit)
        if bound is not None and bound[0] == unit.pk:
            form = bound[1]
        else:
            form = AssessmentForm(
                initial={
                    "score": current.score if current else rates["suggested"],
                    "comment": current.comment if current else "",
                    "version": current.version if current else 0,
                },
                prefix=f"u{unit.pk}",
            )
        rows.append({"unit": unit, "rates": rates, "assessment": current, "form": form})
    return {"plan": plan, "rows": rows}


@office_required
@require_POST
def assessment_score(request, pk, unit_pk):
    plan = get_object_or_404(Plan, pk=pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    form = AssessmentForm(request.POST, prefix=f"u{unit.pk}")
    if form.is_valid():
        try:
            services.score_unit(plan=plan, unit=unit, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
            if exc.code == "no_assignments":  # the unit has no row on the page to show it
                messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存 %(unit)s 的考核评价。") % {"unit": unit.name})
            return redirect("tasks:assessment_list", pk=plan.pk)
    return render(
        request, "tasks/assessment_list.html", _assessment_context(plan, bound=(unit.pk, form))
    )


def home_panel(user):
    """Home page panel: the unit's open assignments by light and unread 催办."""
    if not (user.is_authenticated and (user.unit_id or user.is_office)):
        return None
    day = today()
    counts = (
        Assignment.objects.visible_to(user)
        .with_light(day)
        .aggregate(
            red=Count("pk", filter=Q(light=Light.RED)),
            yellow=Count("pk", filter=Q(light=Light.YELLOW)),
            green=Count("pk", filter=Q(light=Light.GREEN)),
            done=Count("pk", filter=Q(light=Light.DONE)),
        )
    )
    unread = (
        Reminder.objects.visible_to(user)
        .filter(kind=Reminder.Kind.MANUAL, read_at__isnull=True)
        .count()
        if user.unit_id
        else 0
    )
    pending_reviews = (
        ProgressReport.objects.filter(review_status=ProgressReport.Review.PENDING).count()
        if user.is_office
        else 0
    )
    return {
        "template": "tasks/includes/home_panel.html",
        "counts": counts,
        "unread": unread,
        "pending_reviews": pending_reviews,
        "is_office": user.is_office,
    }
