"""Every text field of the task pages' forms, fed the control characters Word and WPS
paste: saved normalised or refused with a message, never a 500 (portal/text.py)."""

import pytest
from django.urls import reverse

from tasks.models import Assessment, Problem, ProgressReport, Reminder
from tests.factories import acknowledged
from tests.portal.test_control_characters_in import ALL, dirty, stored_controls
from tests.portal.test_text import CONTROLS

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
