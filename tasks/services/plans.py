"""The task list (年度任务清单): draft → active → closed, and import from .xlsx."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Assignment,
    Plan,
    Task,
)
from .base import check_office, locked

P = Plan.Status


def _move(plan: Plan, by, *, source: str, target: str, refusal: ValidationError) -> Plan:
    """Move a locked plan from ``source`` to ``target``, or raise ``refusal``."""
    check_office(by)
    p = locked(Plan, plan.pk)
    if p.status != source:
        raise refusal
    p.status = target
    p._history_user = by  # the revision records who did it, also from the demo loader
    p.save(update_fields=["status"])
    return p


@transaction.atomic
def activate_plan(*, plan: Plan, by) -> Plan:
    """Put a task list into execution (执行中). draft → active. Office only.

    Errors: ``PermissionDenied`` (not the office), ``ValidationError`` code
    ``not_draft`` (already active or closed); nothing changes then.
    """
    refusal = ValidationError(_("只有编制中的任务清单可以开始执行。"), code="not_draft")
    return _move(plan, by, source=P.DRAFT, target=P.ACTIVE, refusal=refusal)


@transaction.atomic
def close_plan(*, plan: Plan, by) -> Plan:
    """End a year's task list (已结束). active → closed. Office only.

    Errors: ``PermissionDenied`` (not the office), ``ValidationError`` code
    ``not_active`` (still a draft, or closed already); nothing changes then.
    """
    refusal = ValidationError(_("只有执行中的任务清单可以结束。"), code="not_active")
    return _move(plan, by, source=P.ACTIVE, target=P.CLOSED, refusal=refusal)


def import_plan(*, plan: Plan, file, by) -> list[Task]:
    """Import a task list (.xlsx) into a plan: the whole sheet is checked first and
    refused whole (one Chinese message per bad row); otherwise every task, milestone
    and assignment is created in one transaction. Office only."""
    from ..xlsx import read_task_sheet

    check_office(by)
    rows = read_task_sheet(file, plan=plan)  # raises ValidationError listing bad rows
    made = []
    with transaction.atomic():
        for row in rows:
            task = Task.objects.create(
                plan=plan,
                number=row.number,
                category=row.category,
                title=row.title,
                requirement=row.requirement,
                start_date=row.start_date,
                due_date=row.due_date,
                weight=row.weight,
            )
            for title, day in row.milestones:
                task.milestones.create(title=title, due_date=day)
            for unit in row.lead:
                Assignment.objects.create(task=task, unit=unit, role=Assignment.Role.LEAD)
            for unit in row.cooperate:
                Assignment.objects.create(task=task, unit=unit, role=Assignment.Role.COOPERATE)
            made.append(task)
    return made
