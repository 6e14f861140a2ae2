"""The assignment lifecycle: 签收, 进展报送 (submit, edit, resubmit), review (通过 / 退回),
办结, and 分派 of tasks to units.

Each step has one guard, ``_check_<step>(…, by)``, that raises the refusal; the service
runs it on the locked row, and the matching predicate (``can_acknowledge``,
``can_submit_report``, ``can_edit_report``, ``can_review``, ``can_close``) runs it on the
row a page shows, so the buttons a page offers are the steps the services accept.
"""

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audited, record

from ..models import (
    Assignment,
    ProgressReport,
    Task,
)
from .base import R, S, allowed, bump, check_office, check_own_unit, check_version, locked
from .evidence import atomic_with_files, check_evidence, store_evidence

PERIOD_RE = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")


def _clean_report(period, text, percent, files) -> tuple[str, str, int, list]:
    """A report's fields checked in this order, its files validated (none stored yet).
    Errors: ``period``, ``percent``, ``text``, then the file codes."""
    period, percent = _clean_period(period), _clean_percent(percent)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("请填写进展情况。"), code="text")
    return period, text, percent, check_evidence(files)


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


# --- guards and the predicates built on them --------------------------------------


def _check_acknowledge(a: Assignment, by) -> None:
    check_own_unit(by, a.unit_id)
    if a.status != S.PENDING:
        raise ValidationError(_("该任务已签收，无需重复签收。"), code="already_acknowledged")


def _check_submit(a: Assignment, by) -> None:
    check_own_unit(by, a.unit_id)
    if a.status == S.PENDING:
        raise ValidationError(_("请先签收任务，再报送进展。"), code="not_acknowledged")
    if a.status == S.COMPLETION_REQUESTED:
        raise ValidationError(
            _("已申请办结，正在等待产改办审核，暂不能再报送。"), code="completion_pending"
        )
    if a.status == S.CLOSED:
        raise ValidationError(_("该任务已办结。"), code="closed")


def _check_edit(r: ProgressReport, a: Assignment, by) -> None:
    check_own_unit(by, a.unit_id)
    if r.review_status == R.ACCEPTED:
        raise ValidationError(_("该报送已审核通过，不能再修改。"), code="reviewed")
    if a.status == S.CLOSED:
        raise ValidationError(_("该任务已办结。"), code="closed")


def _check_review(r: ProgressReport, by) -> None:
    check_office(by)
    if r.review_status != R.PENDING:
        raise ValidationError(_("该报送已审核，不能重复审核。"), code="not_pending")


def _check_close(a: Assignment, by) -> None:
    check_office(by)
    if a.status == S.CLOSED:
        raise ValidationError(_("该任务已办结。"), code="closed")
    if a.status != S.COMPLETION_REQUESTED:
        raise ValidationError(_("单位尚未申请办结，不能办结。"), code="not_requested")
    if not a.reports.filter(requests_completion=True, review_status=R.ACCEPTED).exists():
        raise ValidationError(_("请先审核通过单位的办结申请。"), code="not_accepted")


def can_acknowledge(assignment: Assignment, user) -> bool:
    """``user`` may 签收 ``assignment`` now (its unit; still pending)."""
    return allowed(_check_acknowledge, assignment, user)


def can_submit_report(assignment: Assignment, user) -> bool:
    """``user`` may report progress on ``assignment`` now (its unit; acknowledged or in
    progress, no completion request waiting)."""
    return allowed(_check_submit, assignment, user)


def can_edit_report(report: ProgressReport, user) -> bool:
    """``user`` may edit or resubmit ``report`` (its unit; not accepted; the assignment
    not closed). Reads ``report.assignment``."""
    return allowed(_check_edit, report, report.assignment, user)


def can_review(report: ProgressReport, user) -> bool:
    """``user`` may accept or return ``report`` (the office; the report pending)."""
    return allowed(_check_review, report, user)


def can_close(assignment: Assignment, user) -> bool:
    """``user`` may 办结 ``assignment`` (the office; completion requested and a completion
    report accepted). One query when the status allows it."""
    return allowed(_check_close, assignment, user)


# --- the steps ----------------------------------------------------------------------


@transaction.atomic
def acknowledge_assignment(*, assignment: Assignment, by, version: int | None = None) -> Assignment:
    """签收. pending → acknowledged. Unit of the assignment only.

    Errors: ``PermissionDenied``; ``conflict``, ``already_acknowledged``.
    """
    check_own_unit(by, assignment.unit_id)
    a = locked(Assignment, assignment.pk)
    check_version(a, version)
    _check_acknowledge(a, by)
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
) -> ProgressReport:
    """进展报送 with evidence files. Assignment acknowledged or in progress → in progress,
    or → completion requested when the report asks for 办结. Unit of the assignment only.

    A new report edits nothing that exists, so it carries no version: two colleagues
    (or a lead and a cooperating unit) reporting at the same moment both land, one
    after the other on the locked assignment row. Only the assignment's state can
    refuse the later one (a completion request waiting, the task closed).

    Errors: ``not_acknowledged``, ``completion_pending``, ``closed``, ``period``,
    ``percent``, ``text``, file codes. A refusal stores no row and no file.
    """
    check_own_unit(by, assignment.unit_id)
    period, text, percent, checked = _clean_report(period, text, percent, files)

    def run(stored):
        a = locked(Assignment, assignment.pk)
        _check_submit(a, by)
        now = timezone.now()
        report = ProgressReport.objects.create(
            assignment=a,
            period=period,
            text=text,
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
    period, text, percent, checked = _clean_report(period, text, percent, files)

    def run(stored):
        r = locked(ProgressReport, report.pk)
        a = locked(Assignment, r.assignment_id)
        check_version(r, version)
        _check_edit(r, a, by)
        if (
            r.review_status == R.RETURNED
            and requests_completion
            and a.status == S.COMPLETION_REQUESTED
        ):
            raise ValidationError(_("已有办结申请在等待审核。"), code="completion_pending")
        now = timezone.now()
        was_completion = r.requests_completion and r.review_status == R.PENDING
        r.period, r.text, r.percent = period, text, percent
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


@audited("task.accept_report", obj="report")
@transaction.atomic
def accept_report(
    *,
    report: ProgressReport,
    by,
    version: int | None,
    comment: str = "",
    close: bool = False,
) -> ProgressReport:
    """通过. pending → accepted; the assignment's progress becomes the report's. Office only.

    With ``close=True`` (通过并办结) the assignment is then closed as ``close_assignment``
    would close it, in the same transaction: if it may not be closed, the report is
    not accepted either.

    Errors: ``PermissionDenied``; ``conflict``, ``not_pending`` (already reviewed);
    with ``close``, those of ``close_assignment`` (``not_requested`` …).
    """
    check_office(by)
    r = locked(ProgressReport, report.pk)
    a = locked(Assignment, r.assignment_id)
    check_version(r, version)
    _check_review(r, by)
    r.review_status = R.ACCEPTED
    r.review_comment = (comment or "").strip()
    r.reviewed_by, r.reviewed_at = by, timezone.now()
    bump(r, "review_status", "review_comment", "reviewed_by", "reviewed_at")
    if a.progress != r.percent:
        a.progress = r.percent
        bump(a, "progress")
    if close:
        _close_locked(a, by)
        record("task.close", by=by, obj=a, detail=_("通过并办结"))
    return r


@audited("task.return_report", obj="report", detail=lambda kw, _r: kw["comment"])
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
    _check_review(r, by)
    r.review_status = R.RETURNED
    r.review_comment = comment
    r.reviewed_by, r.reviewed_at = by, timezone.now()
    bump(r, "review_status", "review_comment", "reviewed_by", "reviewed_at")
    if r.requests_completion and a.status == S.COMPLETION_REQUESTED:
        a.status, a.completion_requested_at = S.IN_PROGRESS, None
        bump(a, "status", "completion_requested_at")
    return r


@audited("task.close", obj="assignment")
@transaction.atomic
def close_assignment(*, assignment: Assignment, by, version: int | None = None) -> Assignment:
    """办结（销号）. completion requested, with an accepted completion report → closed.
    Office only. Errors: ``PermissionDenied``; ``conflict``, ``closed``, ``not_requested``,
    ``not_accepted``."""
    check_office(by)
    a = locked(Assignment, assignment.pk)
    check_version(a, version)
    return _close_locked(a, by)


def _close_locked(a: Assignment, by) -> Assignment:
    _check_close(a, by)
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
