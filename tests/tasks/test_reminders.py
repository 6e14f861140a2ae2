"""The daily reminder job: due within 7 days and overdue, once per assignment per day,
recorded, one mail per unit; the command and the background job call the same service."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tasks import services
from tasks.jobs import send_due_reminders_job
from tasks.models import Assignment, Reminder
from tests.factories import make_task

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 15)


@pytest.fixture
def due_mix(plan, unit_a, unit_b):
    def at(number, days, unit):
        return Assignment.objects.create(
            task=make_task(plan, number, due=DAY + datetime.timedelta(days=days)), unit=unit
        )

    return {
        "overdue": at("1", -3, unit_a),
        "today": at("2", 0, unit_a),
        "in7": at("3", 7, unit_b),
        "in8": at("4", 8, unit_b),
    }


def test_sends_once_per_assignment_per_day(due_mix, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.send_due_reminders(today=DAY)
    reminded = {r.assignment_id: r.kind for r in made}
    assert reminded == {
        due_mix["overdue"].pk: Reminder.Kind.OVERDUE,
        due_mix["today"].pk: Reminder.Kind.DUE_SOON,
        due_mix["in7"].pk: Reminder.Kind.DUE_SOON,
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["renshe@example.cn", "xinhai@example.cn"]
    assert Reminder.objects.filter(emailed_to="renshe@example.cn").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        again = services.send_due_reminders(today=DAY)
    assert again == [] and len(mail.outbox) == 2 and Reminder.objects.count() == 3

    # The next day they are due again.
    with django_capture_on_commit_callbacks(execute=True):
        next_day = services.send_due_reminders(today=DAY + datetime.timedelta(days=1))
    assert len(next_day) == 4  # in8 is now within 7 days


def test_manual_reminder_does_not_block_the_daily_one(due_mix, office_user):
    services.send_reminder(assignments=[due_mix["overdue"]], by=office_user, message="催")
    made = services.send_due_reminders(today=DAY)
    assert due_mix["overdue"].pk in {r.assignment_id for r in made}


def test_closed_assignments_are_not_reminded(due_mix, user_a, office_user):
    a = due_mix["overdue"]
    services.acknowledge_assignment(assignment=a, by=user_a)
    r = services.submit_report(
        assignment=a,
        by=user_a,
        period="2026-06",
        text="完成",
        percent=100,
        requests_completion=True,
    )
    services.accept_report(report=r, by=office_user, version=None)
    services.close_assignment(assignment=a, by=office_user)
    made = services.send_due_reminders(today=DAY)
    assert a.pk not in {r.assignment_id for r in made}


def test_database_refuses_a_second_automatic_reminder_the_same_day(due_mix):
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    a = due_mix["today"]
    kwargs = {
        "assignment": a,
        "kind": "due_soon",
        "message": "x",
        "sent_at": timezone.now(),
        "sent_on": DAY,
    }
    Reminder.objects.create(**kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**kwargs)


def test_command_and_job(due_mix, capsys):
    call_command("send_due_reminders", "--date", DAY.isoformat())
    assert "3 reminder(s) sent." in capsys.readouterr().out
    call_command("send_due_reminders", "--date", DAY.isoformat())
    assert "0 reminder(s) sent." in capsys.readouterr().out
    # The background job calls the same service for the day it runs on (immediate
    # backend in tests): ten days on, all four are overdue.
    later = DAY + datetime.timedelta(days=10)
    with time_machine.travel(
        timezone.make_aware(datetime.datetime.combine(later, datetime.time(9)))
    ):
        result = send_due_reminders_job.enqueue()
        assert result.return_value == Reminder.objects.filter(sent_on=later).count() == 4
        assert send_due_reminders_job.enqueue().return_value == 0
    assert Reminder.objects.filter(sent_on=DAY).count() == 3
