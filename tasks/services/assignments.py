"""The assignment lifecycle: 签收, 进展报送 (submit, edit, resubmit), review (通过 / 退回),
办结, and 分派 of tasks to units."""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Assignment,
    ProgressReport,
    Task,
)
from .base import R, S, bump, check_office, check_own_unit, check_version, locked
from .evidence import atomic_with_files, check_evidence, store_evidence

PERIOD_RE = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")


def _clean_period(period: str) -> str:
    period = (period or "").strip()
    if not PERIOD_RE.match(period):
        raise ValidationError(_("报送期间格式应为“年-月”，例如 2020-06。"), code="period")
    return period


def _clean_percent(percent) -> int:
    try:
        value = int(percent)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 100:
        raise ValidationError(_("完成进度应为 0 到 100 之间的整数。"), code="percent")
    return value


@transaction.atomic
def acknowledge_assignment(*, assignment: Assignment, by, version: int | None = None) -> Assignment:
    """签收. pending → acknowledged. Unit of the assignment only."""
    check_own_unit(by, assignment.unit_id)
    a = locked(Assignment, assignment.pk)
    check_version(a, version)
    if a.status != S.PENDING:
        raise ValidationError(_("该任务已签收，无需重复签收。"), code="already_acknowledged")
    a.status = S.ACKNOWLEDGED
    a.acknowledged_at = timezone.now()
    bump(a, "status", "acknowledged_at")
    return a


def submit_report(
    *,
    assignment: Assignment,
    by,
    period: str,
    text: str,
    percent: int,
    requests_completion: bool = False,
    files: Iterable = (),
    version: int | None = None,
) -> ProgressReport:
    """进展报送 with evidence files. Assignment acknowledged or in progress → in progress,
    or → completion requested when the report asks for 办结. Unit of the assignment only.

    Errors: ``not_acknowledged``, ``completion_pending``, ``closed``, ``conflict``,
    ``period``, ``percent``, ``text``, file codes. A refusal stores no row and no file.
    """
    check_own_unit(by, assignment.unit_id)
    period = _clean_period(period)
    percent = _clean_percent(percent)
    if not (text or "").strip():
        raise ValidationError(_("请填写进展情况。"), code="text")
    checked = check_evidence(files)

    def run(stored):
        a = locked(Assignment, assignment.pk)
        check_version(a, version)
        if a.status == S.PENDING:
            raise ValidationError(_("请先签收任务，再报送进展。"), code="not_acknowledged")
        if a.status == S.COMPLETION_REQUESTED:
            raise ValidationError(
                _("已申请办结，正在等待产改办审核，暂不能再报送。"), code="completion_pending"
            )
        if a.status == S.CLOSED:
            raise ValidationError(_("该任务已办结。"), code="closed")
        now = timezone.now()
        report = ProgressReport.objects.create(
            assignment=a,
            period=period,
            text=text.strip(),
            percent=percent,
            requests_completion=bool(requests_completion),
            submitted_by=by,
            submitted_at=now,
        )
        store_evidence(report, checked, by, stored)
        if requests_completion:
            a.status = S.COMPLETION_REQUESTED
            a.completion_requested_at = now
        else:
            a.status = S.IN_PROGRESS
        bump(a, "status", "completion_requested_at")
        return report

    return atomic_with_files(run)


def update_report(
    *,
    report: ProgressReport,
    by,
    version: int,
    period: str,
    text: str,
    percent: int,
    requests_completion: bool = False,
    files: Iterable = (),
) -> ProgressReport:
    """Edit a pending report, or resubmit a returned one (→ pending). Unit only.

    Errors: ``reviewed`` (already accepted), ``closed``, ``completion_pending``,
    ``conflict`` (the office reviewed it meanwhile), field and file codes.
    """
    check_own_unit(by, report.assignment.unit_id)
    period = _clean_period(period)
    percent = _clean_percent(percent)
    if not (text or "").strip():
        raise ValidationError(_("请填写进展情况。"), code="text")
    checked = check_evidence(files)

    def run(stored):
        r = locked(ProgressReport, report.pk)
        a = locked(Assignment, r.assignment_id)
        check_version(r, version)
        if r.review_status == R.ACCEPTED:
            raise ValidationError(_("该报送已审核通过，不能再修改。"), code="reviewed")
        if a.status == S.CLOSED:
            raise ValidationError(_("该任务已办结。"), code="closed")
        if (
            r.review_status == R.RETURNED
            and requests_completion
            and a.status == S.COMPLETION_REQUESTED
        ):
            raise ValidationError(_("已有办结申请在等待审核。"), code="completion_pending")
        now = timezone.now()
        was_completion = r.requests_completion and r.review_status == R.PENDING
        r.period, r.text, r.percent = period, text.strip(), percent
        r.requests_completion = bool(requests_completion)
        r.review_status = R.PENDING
        r.submitted_by, r.submitted_at = by, now
        bump(
            r,
            "period",
            "text",
            "percent",
            "requests_completion",
            "review_status",
            "submitted_by",
            "submitted_at",
        )
        store_evidence(r, checked, by, stored)
        if requests_completion and a.status != S.COMPLETION_REQUESTED:
            a.status, a.completion_requested_at = S.COMPLETION_REQUESTED, now
            bump(a, "status", "completion_requested_at")
        elif not requests_completion and (was_completion or a.status == S.ACKNOWLEDGED):
            a.status, a.completion_requested_at = S.IN_PROGRESS, None
            bump(a, "status", "completion_requested_at")
        return r

    return atomic_with_files(run)


@transaction.atomic
def accept_report(
    *, report: ProgressReport, by, version: int | None, comment: str = ""
) -> ProgressReport:
    """通过. pending → accepted; the assignment's progress becomes the report's. Office only.

    Errors: ``not_pending`` (already reviewed), ``conflict``.
    """
    check_office(by)
    r = locked(ProgressReport, report.pk)
    a = locked(Assignment, r.assignment_id)
    check_version(r, version)
    if r.review_status != R.PENDING:
        raise ValidationError(_("该报送已审核，不能重复审核。"), code="not_pending")
    r.review_status = R.ACCEPTED
    r.review_comment = (comment or "").strip()
    r.reviewed_by, r.reviewed_at = by, timezone.now()
    bump(r, "review_status", "review_comment", "reviewed_by", "reviewed_at")
    if a.progress != r.percent:
        a.progress = r.percent
        bump(a, "progress")
    return r


@transaction.atomic
def return_report(
    *, report: ProgressReport, by, version: int | None, comment: str
) -> ProgressReport:
    """退回 with the office's comment. pending → returned; a returned completion request
    sends the assignment back to in progress. Office only. Errors: ``comment_required``, ``not_pending``, ``conflict``."""
    check_office(by)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("退回时请填写审核意见。"), code="comment_required")
    r = locked(ProgressReport, report.pk)
    a = locked(Assignment, r.assignment_id)
    check_version(r, version)
    if r.review_status != R.PENDING:
        raise ValidationError(_("该报送已审核，不能重复审核。"), code="not_pending")
    r.review_status = R.RETURNED
    r.review_comment = comment
    r.reviewed_by, r.reviewed_at = by, timezone.now()
    bump(r, "review_status", "review_comment", "reviewed_by", "reviewed_at")
    if r.requests_completion and a.status == S.COMPLETION_REQUESTED:
        a.status, a.completion_requested_at = S.IN_PROGRESS, None
        bump(a, "status", "completion_requested_at")
    return r


@transaction.atomic
def close_assignment(*, assignment: Assignment, by, version: int | None = None) -> Assignment:
    """办结（销号）. completion requested, with an accepted completion report → closed.
    Office only. Errors: ``closed``, ``not_requested``, ``not_accepted``, ``conflict``."""
    check_office(by)
    a = locked(Assignment, assignment.pk)
    check_version(a, version)
    if a.status == S.CLOSED:
        raise ValidationError(_("该任务已办结。"), code="closed")
    if a.status != S.COMPLETION_REQUESTED:
        raise ValidationError(_("单位尚未申请办结，不能办结。"), code="not_requested")
    if not a.reports.filter(requests_completion=True, review_status=R.ACCEPTED).exists():
        raise ValidationError(_("请先审核通过单位的办结申请。"), code="not_accepted")
    a.status, a.closed_at = S.CLOSED, timezone.now()
    a.progress = 100
    bump(a, "status", "closed_at", "progress")
    return a


@transaction.atomic
def assign_units(*, tasks: Iterable[Task], units: Iterable, role: str, by) -> list[Assignment]:
    """分派 each task to each unit with one role (牵头 / 配合); existing pairs are kept as
    they are. Office only. Returns the new assignments."""
    check_office(by)
    if role not in Assignment.Role.values:
        raise ValidationError(_("请选择牵头或配合。"), code="role")
    tasks, units = list(tasks), list(units)
    if not tasks or not units:
        raise ValidationError(_("请至少选择一项任务和一个单位。"), code="empty")
    existing = set(
        Assignment.objects.filter(task__in=tasks, unit__in=units).values_list("task_id", "unit_id")
    )
    made = [
        Assignment(task=t, unit=u, role=role)
        for t in tasks
        for u in units
        if (t.pk, u.pk) not in existing
    ]
    for a in made:
        a.save()  # one by one: keeps a revision (simple_history) of each
    return made
