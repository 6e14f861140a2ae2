"""Admin: actions call the services (催办, 办结, 通过); statuses are read-only."""

import pytest
from django.urls import reverse

from tasks.models import Assignment, ProgressReport, Reminder
from tests.factories import acknowledged

pytestmark = pytest.mark.django_db


def test_remind_action_on_many(
    assignment_a, assignment_b, office_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("admin:tasks_assignment_changelist"),
            {"action": "remind", "_selected_action": [assignment_a.pk, assignment_b.pk]},
            follow=True,
        )
    assert "已催办 2 项任务分工" in response.content.decode()
    assert Reminder.objects.count() == 2 and len(mailoutbox) == 2


def test_close_action_reports_refusals(assignment_a, office_client):
    response = office_client.post(
        reverse("admin:tasks_assignment_changelist"),
        {"action": "close", "_selected_action": [assignment_a.pk]},
        follow=True,
    )
    assert "单位尚未申请办结" in response.content.decode()
    assignment_a.refresh_from_db()
    assert assignment_a.status == Assignment.Status.PENDING


def test_accept_action(report_a, office_client):
    office_client.post(
        reverse("admin:tasks_progressreport_changelist"),
        {"action": "accept", "_selected_action": [report_a.pk]},
    )
    report_a.refresh_from_db()
    assert report_a.review_status == ProgressReport.Review.ACCEPTED


def test_status_is_not_editable_in_the_admin(assignment_a, user_a, office_client):
    acknowledged(assignment_a, user_a)
    url = reverse("admin:tasks_assignment_change", args=[assignment_a.pk])
    page = office_client.get(url).content.decode()
    assert 'name="status"' not in page
    office_client.post(url, {"role": "cooperate", "status": "closed"})
    assignment_a.refresh_from_db()
    assert assignment_a.status == Assignment.Status.ACKNOWLEDGED


def test_admin_pages_render(report_a, reminder_a, problem_a, office_client):
    for name in [
        "plan",
        "task",
        "assignment",
        "progressreport",
        "reminder",
        "problem",
        "assessment",
    ]:
        assert office_client.get(reverse(f"admin:tasks_{name}_changelist")).status_code == 200
    assert (
        office_client.get(
            reverse("admin:tasks_progressreport_change", args=[report_a.pk])
        ).status_code
        == 200
    )
    assert (
        office_client.get(
            reverse("admin:tasks_task_change", args=[report_a.assignment.task_id])
        ).status_code
        == 200
    )
