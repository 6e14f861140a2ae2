"""议定事项: the office records a meeting's decisions and turns one into a task of a plan,
with its lead and cooperating units and a due date, in one step."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Assignment, Decision, Plan, Task
from .assignments import assign_units
from .base import allowed, check_office, locked


def _check_make_task(d: Decision, by) -> None:
    check_office(by)
    if d.task_id is not None:
        raise ValidationError(_("该议定事项已转为督办任务。"), code="already_tasked")


def can_add_decision(user) -> bool:
    """``user`` may record a meeting's decisions: the office."""
    return allowed(check_office, user)


def can_make_decision_task(decision: Decision, user) -> bool:
    """``user`` may turn ``decision`` into a task now (the office; not yet a task)."""
    return allowed(_check_make_task, decision, user)


def _clean_decision(title, text, order) -> tuple[str, str, int | None]:
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("请填写议定事项。"), code="title")
    if order is not None and not 0 < int(order) < 1000:
        raise ValidationError(_("顺序应为 1 到 999 之间的整数。"), code="order")
    return title, (text or "").strip(), order


@transaction.atomic
def add_decision(*, meeting, by, title: str, text: str = "", order: int | None = None) -> Decision:
    """Record a decision (议定事项) of ``meeting``, at ``order`` (after the last one when
    None). Office only. Errors: ``PermissionDenied``; ``title`` (empty), ``order``."""
    check_office(by)
    title, text, order = _clean_decision(title, text, order)
    if order is None:
        last = meeting.decisions.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
    return Decision.objects.create(
        meeting=meeting, order=order, title=title, text=text, created_by=by
    )


@transaction.atomic
def update_decision(
    *, decision: Decision, by, title: str, text: str = "", order: int | None = None
) -> Decision:
    """Correct a decision's wording or move it (``order``; kept when None). A task
    made from it keeps its own title and requirement. Office only.
    Errors: ``PermissionDenied``; ``title``, ``order``."""
    check_office(by)
    title, text, order = _clean_decision(title, text, order)
    d = locked(Decision, decision.pk)
    d.title, d.text = title, text
    if order is not None:
        d.order = order
    d.save(update_fields=["title", "text", "order"])
    return d


def _check_delete(d: Decision, by) -> None:
    check_office(by)
    if d.task_id is not None:
        raise ValidationError(_("该议定事项已转为督办任务，不能删除。"), code="already_tasked")


def can_delete_decision(decision: Decision, user) -> bool:
    """``user`` may delete ``decision``: the office, while no task was made from it."""
    return allowed(_check_delete, decision, user)


@transaction.atomic
def delete_decision(*, decision: Decision, by) -> None:
    """Delete a decision recorded by mistake (its history keeps it). Office only, and
    only while no task was made from it. Errors: ``PermissionDenied``; ``already_tasked``."""
    check_office(by)
    d = locked(Decision, decision.pk)
    _check_delete(d, by)
    d.delete()


def _next_number(plan: Plan) -> str:
    """The first whole number not yet used as a task number in ``plan`` ("1", "2", …)."""
    used = set(plan.tasks.values_list("number", flat=True))
    n = 1
    while str(n) in used:
        n += 1
    return str(n)


@transaction.atomic
def make_decision_task(
    *,
    decision: Decision,
    by,
    plan: Plan,
    due_date: datetime.date,
    lead,
    cooperating: Iterable = (),
    number: str = "",
    title: str = "",
    category: str = "",
    requirement: str = "",
    weight=1,
) -> Task:
    """Turn a decision into a task of ``plan`` (not closed) due on ``due_date``, assigned
    to ``lead`` (牵头) and each unit of ``cooperating`` (配合), in one step. The task's
    number is ``number`` (the plan's next whole number when blank), its title the
    decision's unless ``title`` is given, its requirement the decision's text unless
    ``requirement`` is; it starts on the meeting's day and keeps the meeting as its
    source (``Task.source_meeting``). Office only.

    Errors: ``PermissionDenied``; ``already_tasked``, ``plan_closed``, ``due_date``
    (missing, or before the meeting), ``lead``, ``number`` (taken in the plan).
    """
    check_office(by)
    d = locked(Decision, decision.pk)
    _check_make_task(d, by)
    if plan.status == Plan.Status.CLOSED:
        raise ValidationError(_("该任务清单已结束，不能再添加任务。"), code="plan_closed")
    meeting_day = timezone.localdate(d.meeting.starts_at)
    if not isinstance(due_date, datetime.date):
        raise ValidationError(_("请填写完成时限。"), code="due_date")
    if due_date < meeting_day:
        raise ValidationError(
            _("完成时限不能早于会议日期（%(day)s）。") % {"day": f"{meeting_day:%Y-%m-%d}"},
            code="due_date",
        )
    if lead is None:
        raise ValidationError(_("请选择牵头单位。"), code="lead")
    cooperating = [u for u in cooperating if u.pk != lead.pk]
    number = (number or "").strip() or _next_number(plan)
    if plan.tasks.filter(number=number).exists():
        raise ValidationError(
            _("该任务清单中已有编号为 %(n)s 的任务。") % {"n": number}, code="number"
        )
    task = Task.objects.create(
        plan=plan,
        number=number,
        title=(title or "").strip() or d.title,
        category=(category or "").strip(),
        requirement=(requirement or "").strip() or d.text,
        start_date=meeting_day,
        due_date=due_date,
        weight=weight or 1,
        source_meeting=d.meeting,
    )
    assign_units(tasks=[task], units=[lead], role=Assignment.Role.LEAD, by=by)
    if cooperating:
        assign_units(tasks=[task], units=cooperating, role=Assignment.Role.COOPERATE, by=by)
    d.task = task
    d.save(update_fields=["task"])
    return task
