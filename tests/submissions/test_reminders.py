"""Units under the month's quota are reminded by mail a few days before the month ends,
once a month, by the daily reminder run."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from bulletins.submissions.models import QuotaReminder, ScoringRule
from bulletins.submissions.services import send_quota_reminders
from tests.factories import make_submission

pytestmark = pytest.mark.django_db
NEAR_END = dt.date(2026, 6, 27)


@pytest.fixture
def rule(db):
    return ScoringRule.objects.create(year=2026, monthly_quota=2)


def test_under_quota_units_are_reminded_once_near_month_end(
    rule, unit_a, unit_b, django_capture_on_commit_callbacks
):
    make_submission(unit_a, "pending", sent_at=dt.datetime(2026, 6, 3, 9, tzinfo=dt.UTC))
    make_submission(unit_a, "pending", sent_at=dt.datetime(2026, 6, 4, 9, tzinfo=dt.UTC))
    make_submission(unit_b, "pending", sent_at=dt.datetime(2026, 6, 4, 9, tzinfo=dt.UTC))
    make_submission(unit_b, "draft")  # a draft is not sent
    assert send_quota_reminders(today=dt.date(2026, 6, 20)) == []  # too early
    with django_capture_on_commit_callbacks(execute=True):
        made = send_quota_reminders(today=NEAR_END)
    assert [(r.unit, r.sent_count) for r in made] == [(unit_b, 1)]
    assert mail.outbox[0].to == ["xinhai@example.cn"]
    assert "已报送信息 1 篇，每月应报送 2 篇" in mail.outbox[0].body
    assert send_quota_reminders(today=dt.date(2026, 6, 30)) == []
    assert QuotaReminder.objects.count() == 1


def test_no_rules_or_no_quota_means_no_reminder(unit_a):
    assert send_quota_reminders(today=NEAR_END) == []
    ScoringRule.objects.create(year=2026, monthly_quota=0)
    assert send_quota_reminders(today=NEAR_END) == []
    ScoringRule.objects.filter(year=2026).update(monthly_quota=1, quota_start_month=7)
    assert send_quota_reminders(today=NEAR_END) == []


def test_the_daily_command_sends_them(rule, unit_a):
    out = StringIO()
    call_command("send_due_reminders", "--date", "2026-06-28", stdout=out)
    assert "1 quota reminder(s) sent." in out.getvalue()
