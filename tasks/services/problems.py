"""问题收集: a unit raises a problem, the office answers it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import acting_unit_id

from ..models import (
    Problem,
    Task,
)
from .base import allowed, bump, check_office, check_version, locked, mail_unit


def _check_raise(by) -> None:
    if acting_unit_id(by) is None:
        raise PermissionDenied(_("只有成员单位可以提交问题。"))


def can_raise_problem(user) -> bool:
    """``user`` may raise a problem: a user acting for a unit (not the office)."""
    return allowed(_check_raise, user)


def can_reply_problem(user) -> bool:
    """``user`` may answer problems: the office."""
    return allowed(check_office, user)


@transaction.atomic
def raise_problem(*, by, title: str, text: str, task: Task | None = None) -> Problem:
    """A unit user raises a problem for its unit, optionally about one of its tasks.

    Errors: ``PermissionDenied`` (not acting for a unit; a task it may not see),
    ``required`` (title or text empty).
    """
    _check_raise(by)
    unit_id = acting_unit_id(by)
    if task is not None and not Task.objects.visible_to(by).filter(pk=task.pk).exists():
        raise PermissionDenied(_("只能就本单位的任务提出问题。"))
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise ValidationError(_("请填写标题和问题描述。"), code="required")
    return Problem.objects.create(
        unit_id=unit_id,
        task=task,
        title=title,
        text=text,
        raised_by=by,
        raised_at=timezone.now(),
    )


@transaction.atomic
def reply_problem(
    *, problem: Problem, by, reply: str, version: int | None, email: bool = True
) -> Problem:
    """The office answers (or amends its answer to) a problem: open or answered →
    answered, mailed to the unit's liaison unless ``email=False``. Office only.

    Errors: ``PermissionDenied``; ``reply_required``, ``conflict``.
    """
    check_office(by)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError(_("请填写答复内容。"), code="reply_required")
    p = locked(Problem, problem.pk)
    check_version(p, version)
    p.reply, p.status = reply, Problem.Status.ANSWERED
    p.replied_by, p.replied_at = by, timezone.now()
    bump(p, "reply", "status", "replied_by", "replied_at")
    if email:
        mail_unit(p.unit, _("【问题答复】%(title)s") % {"title": p.title}, [reply])
    return p
