"""催办: the office's reminders, the unit marking them read, and the daily job."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audited

from ..models import (
    DUE_SOON_DAYS,
    Assignment,
    Reminder,
    due_date_expr,
    due_q,
)
from .base import S, allowed, check_office, check_own_unit, locked, mail_unit


def _check_remind(a: Assignment, by) -> None:
    check_office(by)
    if a.status == S.CLOSED:
        raise ValidationError(_("该任务已办结，无需催办。"), code="closed")


def can_remind(assignment: Assignment, user) -> bool:
    """``user`` may 催办 ``assignment`` (the office; the assignment not closed)."""
    return allowed(_check_remind, assignment, user)


def can_remind_status(status: str, user) -> bool:
    """``can_remind`` for any assignment in ``status`` (an ``Assignment.Status`` value):
    the rule reads the user and the status only, so a table asks once per status (with
    a stand-in holding the status: a model instance cost about 15 µs to make)."""
    return can_remind(SimpleNamespace(status=status), user)


@audited(
    "task.remind",
    label=lambda kw, made: "；".join(
        str(getattr(a, "assignment", a)) for a in made or kw["assignments"]
    ),
    detail=lambda kw, _made: kw["message"],
)
@transaction.atomic
def send_reminder(
    *, assignments: Iterable[Assignment], by, message: str, email: bool = True
) -> list[Reminder]:
    """催办 one or many assignments: a notice each unit sees on /tasks/ and one mail per
    unit to its liaison. Office only. If any is closed (``can_remind`` false), all are
    refused with code ``closed``, changing nothing. Errors also: ``PermissionDenied``,
    ``message_required``, ``empty``."""
    check_office(by)
    message = (message or "").strip()
    if not message:
        raise ValidationError(_("请填写催办内容。"), code="message_required")
    pks = [a.pk for a in assignments]
    if not pks:
        raise ValidationError(_("请至少选择一项任务分工。"), code="empty")
    rows = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("task", "unit")
    )
    closed = [a for a in rows if not can_remind(a, by)]
    if closed:
        raise ValidationError(
            _("以下任务已办结，无需催办：%(names)s")
            % {"names": "；".join(f"{a.task.number} {a.unit.display_name}" for a in closed)},
            code="closed",
        )
    now = timezone.now()
    by_unit = defaultdict(list)
    for a in rows:
        by_unit[a.unit_id].append(a)
    made = []
    for group in by_unit.values():
        unit = group[0].unit
        address = ""
        if email:
            address = mail_unit(
                unit,
                _("【催办】请抓紧推进产改任务"),
                [message, ""]
                + [
                    _("· %(number)s %(title)s（完成时限 %(due)s）")
                    % {"number": a.task.number, "title": a.task.title, "due": a.due_date}
                    for a in group
                ],
            )
        for a in group:
            made.append(
                Reminder.objects.create(
                    assignment=a,
                    kind=Reminder.Kind.MANUAL,
                    message=message,
                    sent_by=by,
                    sent_at=now,
                    sent_on=timezone.localdate(now),
                    emailed_to=address,
                )
            )
    return made


@transaction.atomic
def mark_reminder_read(*, reminder: Reminder, by) -> Reminder:
    """The unit marks a 催办 notice as read (idempotent). Unit of the assignment only."""
    check_own_unit(by, reminder.assignment.unit_id)
    r = locked(Reminder, reminder.pk)
    if r.read_at is None:
        r.read_at, r.read_by = timezone.now(), by
        r.save(update_fields=["read_at", "read_by"])
    return r


def send_due_reminders(*, today: datetime.date | None = None) -> list[Reminder]:
    """The daily job: remind liaisons of open assignments due within 7 days or overdue,
    at most once per assignment per day (a database constraint backs this), one mail
    per unit. Rerunning the same day sends nothing more. Returns the reminders made."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    candidates = (
        Assignment.objects.open()
        .filter(due_q("lte", today + datetime.timedelta(days=DUE_SOON_DAYS)))
        .exclude(
            Exists(
                Reminder.objects.filter(assignment=OuterRef("pk"), sent_on=today).exclude(
                    kind=Reminder.Kind.MANUAL
                )
            )
        )
        .select_related("task", "unit")
        .order_by("unit_id", due_date_expr(), "pk")
    )
    made = []
    with transaction.atomic():
        by_unit = defaultdict(list)
        for a in candidates:
            overdue = a.due_date < today
            kind = Reminder.Kind.OVERDUE if overdue else Reminder.Kind.DUE_SOON
            if overdue:
                message = _("任务“%(title)s”已逾期（完成时限 %(due)s），请抓紧办理并报送进展。")
            else:
                message = _("任务“%(title)s”将于 %(due)s 到期，请按时完成并报送进展。")
            message %= {"title": f"{a.task.number} {a.task.title}", "due": a.due_date}
            try:
                with transaction.atomic():  # savepoint: a parallel run may have sent it
                    reminder = Reminder.objects.create(
                        assignment=a, kind=kind, message=message, sent_at=now, sent_on=today
                    )
            except IntegrityError:
                continue
            by_unit[a.unit_id].append(reminder)
            made.append(reminder)
        for reminders in by_unit.values():
            unit = reminders[0].assignment.unit
            address = mail_unit(
                unit, _("【产改任务提醒】临期与逾期任务"), [r.message for r in reminders]
            )
            if address:
                Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(emailed_to=address)
    return made
