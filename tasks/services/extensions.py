"""延期申请: a unit asks to move an assignment's due date; the office approves (possibly
with another date) or declines with a reason.

While a request waits, the assignment keeps its date (and its light); an approval
sets ``Assignment.extended_due_date``. At most one request waits per assignment, and
the office grants at most ``settings.TASKS_EXTENSIONS_PER_ASSIGNMENT`` extensions to
one assignment.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audited
from portal.files import atomic_with_files, check_upload, storable_copy, upload_name

from ..models import Assignment, ExtensionRequest
from .base import S, allowed, bump, check_office, check_own_unit, check_version, locked, mail_unit

E = ExtensionRequest.Status


def extensions_allowed() -> int:
    """How many extensions one assignment may be granted (the setting, at least 0)."""
    return max(0, int(getattr(settings, "TASKS_EXTENSIONS_PER_ASSIGNMENT", 2)))


# --- guards and the predicates built on them --------------------------------------


def _check_request(a: Assignment, by) -> None:
    check_own_unit(by, a.unit_id)
    if a.status == S.CLOSED:
        raise ValidationError(_("该任务已办结，不能申请延期。"), code="closed")
    if a.extension_requests.filter(status=E.PENDING).exists():
        raise ValidationError(
            _("已有一份延期申请在等待产改办审批，审批后才能再次申请。"), code="pending_exists"
        )
    limit = extensions_allowed()
    if a.extension_requests.filter(status=E.APPROVED).count() >= limit:
        raise ValidationError(
            _("每项任务最多可延期 %(n)d 次，本任务已用完。") % {"n": limit}, code="limit"
        )


def _check_decide(r: ExtensionRequest, a: Assignment, by) -> None:
    check_office(by)
    if r.status != E.PENDING:
        raise ValidationError(_("该延期申请已审批，不能重复审批。"), code="decided")
    if a.status == S.CLOSED:
        raise ValidationError(_("该任务已办结，无需延期。"), code="closed")


def _check_withdraw(r: ExtensionRequest, a: Assignment, by) -> None:
    check_own_unit(by, a.unit_id)
    if r.status != E.PENDING:
        raise ValidationError(_("该延期申请已审批，不能撤回。"), code="decided")


def can_withdraw_extension(request: ExtensionRequest, user) -> bool:
    """``user`` may withdraw ``request`` (its unit; still waiting). Reads
    ``request.assignment``."""
    return allowed(_check_withdraw, request, request.assignment, user)


def can_request_extension(assignment: Assignment, user) -> bool:
    """``user`` may ask to move ``assignment``'s due date now (its unit; not closed; no
    request waiting; extensions left). Up to two queries."""
    return allowed(_check_request, assignment, user)


def can_decide_extension(request: ExtensionRequest, user) -> bool:
    """``user`` may approve or decline ``request`` (the office; the request waiting; the
    assignment not closed). Reads ``request.assignment``."""
    return allowed(_check_decide, request, request.assignment, user)


def _later_than(day, current: datetime.date, code: str) -> datetime.date:
    """``day`` if it is a date after ``current`` and not in the past, else the refusal."""
    if not isinstance(day, datetime.date):
        raise ValidationError(_("请填写延期后的完成时限。"), code=code)
    if day <= current:
        raise ValidationError(
            _("延期后的完成时限应晚于当前完成时限（%(date)s）。") % {"date": f"{current:%Y-%m-%d}"},
            code=code,
        )
    if day < timezone.localdate():
        raise ValidationError(_("延期后的完成时限不能早于今天。"), code=code)
    return day


# --- the steps ----------------------------------------------------------------------


def request_extension(
    *, assignment: Assignment, by, due_date: datetime.date, reason: str, evidence=None
) -> ExtensionRequest:
    """A unit asks to move ``assignment``'s due date to ``due_date`` (a date after the
    current due date, not in the past) because of ``reason``, with an optional
    ``evidence`` upload checked as every upload is (portal/files.py). Unit of the
    assignment only; the assignment's dates are unchanged until the office approves.

    Errors: ``PermissionDenied``; ``closed``, ``pending_exists``, ``limit``,
    ``due_date``, ``reason``, file codes. A refusal stores no row and no file.
    """
    check_own_unit(by, assignment.unit_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写延期理由。"), code="reason")
    kind = check_upload(evidence, allowed=ExtensionRequest.ALLOWED) if evidence else None

    def run(stored):
        a = locked(Assignment, assignment.pk)
        _check_request(a, by)
        _later_than(due_date, a.due_date, "due_date")
        r = ExtensionRequest(
            assignment=a,
            original_due_date=a.due_date,
            requested_due_date=due_date,
            reason=reason,
            requested_by=by,
            requested_at=timezone.now(),
        )
        if kind is not None:
            r.evidence_name = upload_name(evidence.name)
            r.evidence_type = kind.content_type
            r.evidence.save(evidence.name, storable_copy(evidence, kind), save=False)
            stored.append(r.evidence.name)
        r.save()
        return r

    return atomic_with_files(run)


@audited("task.extension_approve", obj="request")
@transaction.atomic
def approve_extension(
    *,
    request: ExtensionRequest,
    by,
    version: int | None,
    due_date: datetime.date | None = None,
    comment: str = "",
) -> ExtensionRequest:
    """The office approves a waiting request: pending → approved, and the assignment's
    due date becomes ``due_date`` (the date asked for when None; another date after
    the current due date otherwise). The request keeps the old and the new date and
    who decided; the unit's liaison gets a mail. Office only.

    Errors: ``PermissionDenied``; ``conflict``, ``decided``, ``closed``, ``due_date``.
    """
    check_office(by)
    r = locked(ExtensionRequest, request.pk)
    a = locked(Assignment, r.assignment_id)
    check_version(r, version)
    _check_decide(r, a, by)
    granted = _later_than(due_date or r.requested_due_date, a.due_date, "due_date")
    r.status, r.approved_due_date = E.APPROVED, granted
    r.decided_by, r.decided_at = by, timezone.now()
    r.decision_comment = (comment or "").strip()
    bump(r, "status", "approved_due_date", "decided_by", "decided_at", "decision_comment")
    a.extended_due_date = granted
    bump(a, "extended_due_date")
    lines = [
        _("“%(task)s”的延期申请已同意，完成时限由 %(old)s 调整为 %(new)s。")
        % {"task": a.task, "old": f"{r.original_due_date:%Y-%m-%d}", "new": f"{granted:%Y-%m-%d}"}
    ]
    if r.decision_comment:
        lines.append(_("审批意见：%(c)s") % {"c": r.decision_comment})
    mail_unit(a.unit, _("【延期申请】已同意：%(task)s") % {"task": a.task}, lines)
    return r


@audited("task.extension_decline", obj="request", detail=lambda kw, _r: kw["comment"])
@transaction.atomic
def decline_extension(
    *, request: ExtensionRequest, by, version: int | None, comment: str
) -> ExtensionRequest:
    """The office declines a waiting request with a reason: pending → declined; the
    due date stays. The unit's liaison gets a mail. Office only.

    Errors: ``PermissionDenied``; ``comment_required``, ``conflict``, ``decided``,
    ``closed``.
    """
    check_office(by)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("不同意延期时请填写理由。"), code="comment_required")
    r = locked(ExtensionRequest, request.pk)
    a = locked(Assignment, r.assignment_id)
    check_version(r, version)
    _check_decide(r, a, by)
    r.status, r.decision_comment = E.DECLINED, comment
    r.decided_by, r.decided_at = by, timezone.now()
    bump(r, "status", "decision_comment", "decided_by", "decided_at")
    mail_unit(
        a.unit,
        _("【延期申请】未同意：%(task)s") % {"task": a.task},
        [
            _("“%(task)s”的延期申请未同意，完成时限仍为 %(date)s。")
            % {"task": a.task, "date": f"{a.due_date:%Y-%m-%d}"},
            _("理由：%(c)s") % {"c": comment},
        ],
    )
    return r


@transaction.atomic
def withdraw_extension(*, request: ExtensionRequest, by, version: int | None) -> ExtensionRequest:
    """The unit withdraws its waiting request (撤回): pending → withdrawn; the due date
    stays and the unit may ask again. Unit of the assignment only.

    Errors: ``PermissionDenied``; ``conflict``, ``decided``.
    """
    r = locked(ExtensionRequest, request.pk)
    a = locked(Assignment, r.assignment_id)
    check_own_unit(by, a.unit_id)
    check_version(r, version)
    _check_withdraw(r, a, by)
    r.status, r.withdrawn_at = E.WITHDRAWN, timezone.now()
    bump(r, "status", "withdrawn_at")
    return r
