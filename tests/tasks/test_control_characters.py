"""Every text field of the task pages' forms, fed the control characters Word and WPS
paste: saved normalised or refused with a message, never a 500 (portal/text.py)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from tasks.models import (
    Assessment,
    Assignment,
    Decision,
    ExtensionRequest,
    Problem,
    ProgressReport,
    Reminder,
    Task,
)
from tests.factories import acknowledged, make_meeting, make_task
from tests.portal.test_control_characters_in import ALL, dirty, stored_controls
from tests.portal.test_control_characters_out import DIRTY
from tests.portal.test_text import CONTROLS, has_control, write_raw

pytestmark = pytest.mark.django_db


def post_each(client, url, base: dict, keys: list[str]) -> None:
    """Post the form once per character and once with all of them in every text field."""
    for ch in (*CONTROLS, ALL):
        data = {**base, **{k: dirty(ch, n) for n, k in enumerate(keys)}}
        response = client.post(url, data)
        assert response.status_code in (200, 302), (url, repr(ch))
        if response.status_code == 200:
            assert "errorlist" in response.content.decode() or list(response.context["messages"]), (
                url,
                repr(ch),
                "refused without a message",
            )


def test_report_form(client_a, assignment_a, user_a):
    acknowledged(assignment_a, user_a)
    url = reverse("tasks:report_create", args=[assignment_a.pk])
    for ch in (*CONTROLS, ALL):
        assignment_a.refresh_from_db()
        # A pasted period keeps working: "2026-06" plus a soft return is still 2026-06.
        data = {"period": f"2026-0{len(ch) % 9 + 1}{ch}", "percent": "40", "text": dirty(ch, 1)}
        data["version"] = str(assignment_a.version)
        response = client_a.post(url, data)
        assert response.status_code in (200, 302), repr(ch)
    assert ProgressReport.objects.filter(text__contains="乙").exists()
    assert stored_controls() == []


def test_problem_reply_review_reminder_and_assessment_forms(
    client_a, office_client, report_a, plan, unit_a
):
    post_each(client_a, reverse("tasks:problem_list"), {}, ["title", "text"])
    problem = Problem.objects.order_by("-pk").first()
    assert "乙" in problem.title and "乙" in problem.text
    for ch in (*CONTROLS, ALL):
        problem.refresh_from_db()
        response = office_client.post(
            reverse("tasks:problem_detail", args=[problem.pk]),
            {"reply": dirty(ch, 1), "version": str(problem.version)},
        )
        assert response.status_code in (200, 302)
    problem.refresh_from_db()
    assert "乙" in problem.reply
    response = office_client.post(
        reverse("tasks:report_review", args=[report_a.pk]),
        {"decision": "return", "comment": dirty(ALL, 1), "version": str(report_a.version)},
    )
    assert response.status_code == 302
    post_each(
        office_client,
        reverse("tasks:remind"),
        {"assignments": [str(report_a.assignment_id)]},
        ["message"],
    )
    prefix = f"u{unit_a.pk}"
    post_each(
        office_client,
        reverse("tasks:assessment_score", args=[plan.pk, unit_a.pk]),
        {f"{prefix}-score": "90"},
        [f"{prefix}-comment"],
    )
    report_a.refresh_from_db()
    assert "乙" in report_a.review_comment
    assert Reminder.objects.filter(message__contains="乙").exists()
    assert Assessment.objects.filter(comment__contains="乙").exists()
    assert stored_controls() == []


def test_extension_request_and_decision_forms(client_a, office_client, plan, unit_a, user_a, today):
    task = make_task(plan, "3.1", due=today - dt.timedelta(days=5))
    assignment = acknowledged(Assignment.objects.create(task=task, unit=unit_a), user_a)
    later = (today + dt.timedelta(days=30)).isoformat()
    for ch in (*CONTROLS, ALL):
        ExtensionRequest.objects.filter(status=ExtensionRequest.Status.PENDING).delete()
        response = client_a.post(
            reverse("tasks:extension_create", args=[assignment.pk]),
            {"due_date": later, "reason": dirty(ch, 1)},
        )
        assert response.status_code in (200, 302), repr(ch)
    request = ExtensionRequest.objects.get(status=ExtensionRequest.Status.PENDING)
    assert "乙" in request.reason
    response = office_client.post(
        reverse("tasks:extension_detail", args=[request.pk]),
        {"decision": "decline", "comment": dirty(ALL, 1), "version": str(request.version)},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert "乙" in request.decision_comment
    assert stored_controls() == []


def test_decision_forms_and_their_search_snippets(office_client, plan, unit_a, unit_b, today):
    meeting = make_meeting(day=today - dt.timedelta(days=10), title="产改工作推进会")
    post_each(
        office_client, reverse("tasks:decision_list", args=[meeting.pk]), {}, ["title", "text"]
    )
    decision = Decision.objects.order_by("-pk").first()
    assert "乙" in decision.title and "乙" in decision.text
    data = {
        "plan": plan.pk,
        "due_date": (today + dt.timedelta(days=30)).isoformat(),
        "weight": "1",
        "lead": unit_a.pk,
        "cooperating": [unit_b.pk],
    }
    keys = ["number", "title", "category", "requirement"]
    post_each(office_client, reverse("tasks:decision_task", args=[decision.pk]), data, keys)
    assert Task.objects.filter(decision=decision, title__contains="乙").exists()
    assert stored_controls() == []
    # Written around the forms (raw SQL, as before portal/text.py): search still renders.
    write_raw("tasks_decision", "title", decision.pk, f"检索事项{DIRTY}")
    write_raw("tasks_decision", "text", decision.pk, f"检索内容{DIRTY}")
    write_raw("bulletins_meeting", "title", meeting.pk, f"检索会议{DIRTY}")
    call_command("rebuild_search_index", "--no-progress")
    response = office_client.get(reverse("search:search"), {"q": "检索"})
    page = response.content.decode()
    assert response.status_code == 200 and f"#decision-{decision.pk}" in page
    assert not has_control(page)
    assert office_client.get(reverse("tasks:decision_list", args=[meeting.pk])).status_code == 200
