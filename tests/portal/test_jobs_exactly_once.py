"""Scheduled publishing and the daily reminders run exactly once per due row, with two
runs started at the same instant (two cron hosts, two workers) and after a run killed
mid-way and started again."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from bulletins import services as bulletin_services
from bulletins.models import Issue
from tasks.models import Assignment, Reminder
from tests.factories import IssueFactory, UnitFactory, make_plan, make_task


def scheduled_due_issues(office_user, n):
    issues = [IssueFactory() for _ in range(n)]
    soon = timezone.now() + dt.timedelta(minutes=5)
    for issue in issues:
        bulletin_services.schedule_issue(issue=issue, publish_at=soon, by=office_user)
    Issue.objects.filter(pk__in=[i.pk for i in issues]).update(
        publish_at=timezone.now() - dt.timedelta(minutes=1)
    )
    return issues


def at_the_same_instant(*commands):
    """Run each management command in its own thread (own connection), all released at once."""
    start = threading.Barrier(len(commands))
    errors = []

    def run(name):
        try:
            start.wait()
            call_command(name, verbosity=0)
        except Exception as exc:  # reported below: a failed run is a failed test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(name,)) for name in commands]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []


def published_revisions(issue) -> int:
    return Issue.history.filter(id=issue.pk, status=Issue.Status.PUBLISHED).count()


@pytest.fixture
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent runs need PostgreSQL (SQLite serialises the whole file)")


@pytest.mark.django_db(transaction=True)
def test_two_publish_runs_at_once_publish_each_issue_once(postgresql_only, office_user):
    issues = scheduled_due_issues(office_user, 12)
    at_the_same_instant("publish_scheduled", "publish_scheduled")
    assert set(Issue.objects.values_list("status", flat=True)) == {Issue.Status.PUBLISHED}
    assert [published_revisions(i) for i in issues] == [1] * 12


@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_send_each_reminder_once(postgresql_only, today):
    plan = make_plan(2026)
    units = [UnitFactory() for _ in range(4)]
    soon = timezone.localdate() + dt.timedelta(days=3)
    for n in range(5):
        task = make_task(plan, f"{n + 1}.1", due=soon)
        for unit in units:
            Assignment.objects.create(task=task, unit=unit)
    at_the_same_instant("send_due_reminders", "send_due_reminders")
    assert Reminder.objects.count() == 20
    assert set(Counter(Reminder.objects.values_list("assignment", flat=True)).values()) == {1}
    # One mail per unit, whichever run made its reminders.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in units)


@pytest.mark.django_db
def test_a_publish_run_killed_mid_way_and_run_again_publishes_each_once(office_user, monkeypatch):
    issues = scheduled_due_issues(office_user, 3)
    real = bulletin_services._publish_locked
    calls = []

    def dies_on_the_second(issue, **kwargs):
        calls.append(issue.pk)
        if len(calls) == 2:
            raise SystemExit("killed")  # as a SIGTERM mid-run: nothing after it runs
        return real(issue, **kwargs)

    monkeypatch.setattr(bulletin_services, "_publish_locked", dies_on_the_second)
    with pytest.raises(SystemExit):
        call_command("publish_scheduled", verbosity=0)
    statuses = [Issue.objects.get(pk=i.pk).status for i in issues]
    assert statuses == ["published", "scheduled", "scheduled"]  # one whole, none half
    monkeypatch.setattr(bulletin_services, "_publish_locked", real)
    call_command("publish_scheduled", verbosity=0)
    assert [published_revisions(i) for i in issues] == [1, 1, 1]
