"""The follow-up demo: extension requests in every state, loaded twice without change."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from tasks import selectors
from tasks.models import Assignment, ExtensionRequest, Light

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo", password="demo-pass-xyz")


def test_demo_shows_extensions_in_every_state(demo):
    statuses = sorted(ExtensionRequest.objects.values_list("status", flat=True))
    assert statuses == ["approved", "approved", "declined", "pending"]
    waiting = ExtensionRequest.objects.get(status="pending")
    # While it waits, the light keeps the task's date: red.
    assert Assignment.objects.with_light().get(pk=waiting.assignment_id).light == Light.RED
    current = Assignment.objects.exclude(task__plan__year=2020).with_light()
    totals = selectors.totals(current, timezone.localdate())
    assert totals["extended"] == 2 and totals["on_time_extended"] == 1


def test_no_overdue_notice_on_an_assignment_whose_extension_was_granted(demo):
    from tasks.models import Reminder

    today = timezone.localdate()
    notices = Reminder.objects.filter(message__contains="超过完成时限").select_related(
        "assignment__task"
    )
    assert notices.exists()
    for notice in notices:
        a = notice.assignment
        assert (a.extended_due_date or a.task.due_date) < today, a


def test_demo_is_idempotent(demo):
    rows = list(ExtensionRequest.objects.values_list("pk", "status", "version"))
    call_command("load_demo", password="demo-pass-xyz")
    assert list(ExtensionRequest.objects.values_list("pk", "status", "version")) == rows


def test_the_june_meeting_carries_its_three_decisions_as_tasks(demo, client):
    from bulletins.models import Meeting
    from tasks.demo_decisions import MEETING_TITLE

    meeting = Meeting.objects.get(title=MEETING_TITLE)
    decisions = list(meeting.decisions.select_related("task__plan"))
    assert [d.title[:2] for d in decisions] == ["面上", "线上", "点上"]
    assert [d.task.number for d in decisions] == ["4.1", "4.2", "4.3"]
    assert {d.task.plan.year for d in decisions} == {2020}
    assert all(d.task.source_meeting == meeting for d in decisions)
    assert all(d.task.assignments.filter(role="lead").exists() for d in decisions)
    client.force_login(get_user_model().objects.get(username="office"))
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "议定事项" in page and "点上要助力企业主动推、大胆试" in page and "进度 100%" in page
