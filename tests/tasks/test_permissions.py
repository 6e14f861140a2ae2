"""Permission table over every tasks URL (GET and POST) × personas: anonymous, unit A
(renshe), unit B (xinhai), office, staff outside 产改办. Objects belong to unit A, so
unit B gets 404 on each of them; what a persona may not change stays unchanged."""

import pytest
from django.test import Client
from django.urls import reverse

from tasks import urls as task_urls
from tasks.models import (
    Assessment,
    Assignment,
    Evidence,
    Problem,
    ProgressReport,
    Reminder,
)

ANON, A, B, OFFICE, STAFF = "anon", "unit_a", "unit_b", "office", "other_staff"
PERSONAS = [ANON, A, B, OFFICE, STAFF]
LOGIN = "login"  # a redirect to the login page


def report_data(objs):
    return {"period": "2026-06", "percent": "50", "text": "更新", "version": objs["report"].version}


# name → (url(objs), post data(objs), {persona: (GET status, POST status)}). 302 means a
# redirect somewhere other than the login page (the action's own result).
ROUTES = {
    "assignment_list": (
        lambda o: reverse("tasks:assignment_list"),
        lambda o: {},
        {A: (200, 405), B: (200, 405), OFFICE: (200, 405), STAFF: (200, 405)},
    ),
    "export": (
        lambda o: reverse("tasks:export"),
        lambda o: {},
        {A: (200, 405), B: (200, 405), OFFICE: (200, 405), STAFF: (200, 405)},
    ),
    "assignment_detail": (
        lambda o: reverse("tasks:assignment_detail", args=[o["assignment"].pk]),
        lambda o: {},
        {A: (200, 405), B: (404, 405), OFFICE: (200, 405), STAFF: (404, 405)},
    ),
    "assignment_acknowledge": (
        lambda o: reverse("tasks:assignment_acknowledge", args=[o["fresh"].pk]),
        lambda o: {"version": o["fresh"].version},
        # The office sees the assignment but only its unit may acknowledge it: 403.
        {A: (405, 302), B: (405, 404), OFFICE: (405, 403), STAFF: (405, 404)},
    ),
    "report_create": (
        lambda o: reverse("tasks:report_create", args=[o["assignment"].pk]),
        lambda o: {"period": "2026-06", "percent": "60", "text": "新报送"},
        {A: (405, 302), B: (405, 404), OFFICE: (405, 403), STAFF: (405, 404)},
    ),
    "assignment_close": (
        lambda o: reverse("tasks:assignment_close", args=[o["assignment"].pk]),
        lambda o: {"version": o["assignment"].version},
        {A: (404, 404), B: (404, 404), OFFICE: (405, 302), STAFF: (404, 404)},
    ),
    "report_edit": (
        lambda o: reverse("tasks:report_edit", args=[o["report"].pk]),
        report_data,
        {A: (200, 302), B: (404, 404), OFFICE: (403, 403), STAFF: (404, 404)},
    ),
    "report_review": (
        lambda o: reverse("tasks:report_review", args=[o["report"].pk]),
        lambda o: {"decision": "accept", "comment": "", "version": o["report"].version},
        {A: (404, 404), B: (404, 404), OFFICE: (200, 302), STAFF: (404, 404)},
    ),
    "evidence_download": (
        lambda o: reverse("tasks:evidence_download", args=[o["evidence"].pk]),
        lambda o: {},
        {A: (200, 405), B: (404, 405), OFFICE: (200, 405), STAFF: (404, 405)},
    ),
    "reminder_read": (
        lambda o: reverse("tasks:reminder_read", args=[o["reminder"].pk]),
        lambda o: {},
        {A: (405, 302), B: (405, 404), OFFICE: (405, 403), STAFF: (405, 404)},
    ),
    "problem_list": (
        lambda o: reverse("tasks:problem_list"),
        lambda o: {"title": "新问题", "text": "说明"},
        {A: (200, 302), B: (200, 302), OFFICE: (200, 403), STAFF: (200, 403)},
    ),
    "problem_detail": (
        lambda o: reverse("tasks:problem_detail", args=[o["problem"].pk]),
        lambda o: {"reply": "答复", "version": o["problem"].version},
        {A: (200, 403), B: (404, 404), OFFICE: (200, 302), STAFF: (404, 404)},
    ),
    "calendar": (
        lambda o: reverse("tasks:calendar"),
        lambda o: {"action": "renew"},
        {A: (200, 200), B: (200, 200), OFFICE: (200, 200), STAFF: (200, 200)},
    ),
    "calendar_feed": (
        lambda o: reverse("tasks:calendar_feed", args=["not-a-token"]),
        lambda o: {},
        {ANON: (404, 405), A: (404, 405), B: (404, 405), OFFICE: (404, 405), STAFF: (404, 405)},
    ),
    "overview": (
        lambda o: reverse("tasks:overview"),
        lambda o: {},
        {A: (404, 404), B: (404, 404), OFFICE: (200, 405), STAFF: (404, 404)},
    ),
    "review_queue": (
        lambda o: reverse("tasks:review_queue"),
        lambda o: {},
        {A: (404, 404), B: (404, 404), OFFICE: (200, 405), STAFF: (404, 404)},
    ),
    "remind": (
        lambda o: reverse("tasks:remind"),
        lambda o: {"assignments": [o["assignment"].pk], "message": "请抓紧"},
        {A: (404, 404), B: (404, 404), OFFICE: (200, 302), STAFF: (404, 404)},
    ),
    "plan_list": (
        lambda o: reverse("tasks:plan_list"),
        lambda o: {},
        {A: (404, 404), B: (404, 404), OFFICE: (200, 405), STAFF: (404, 404)},
    ),
    "plan_detail": (
        lambda o: reverse("tasks:plan_detail", args=[o["plan"].pk]),
        lambda o: {},
        {A: (404, 404), B: (404, 404), OFFICE: (200, 405), STAFF: (404, 404)},
    ),
    "plan_assign": (
        lambda o: reverse("tasks:plan_assign", args=[o["plan"].pk]),
        lambda o: {
            "tasks": [o["assignment"].task_id],
            "units": [o["unit_b"].pk],
            "role": "cooperate",
        },
        {A: (404, 404), B: (404, 404), OFFICE: (405, 302), STAFF: (404, 404)},
    ),
    "plan_import": (
        lambda o: reverse("tasks:plan_import", args=[o["plan"].pk]),
        lambda o: {},
        {A: (404, 404), B: (404, 404), OFFICE: (405, 200), STAFF: (404, 404)},
    ),
    "assessment_list": (
        lambda o: reverse("tasks:assessment_list", args=[o["plan"].pk]),
        lambda o: {},
        {A: (404, 404), B: (404, 404), OFFICE: (200, 405), STAFF: (404, 404)},
    ),
    "assessment_score": (
        lambda o: reverse("tasks:assessment_score", args=[o["plan"].pk, o["unit_a"].pk]),
        lambda o: {f"u{o['unit_a'].pk}-score": "88", f"u{o['unit_a'].pk}-version": "0"},
        {A: (404, 404), B: (404, 404), OFFICE: (405, 302), STAFF: (404, 404)},
    ),
}


def test_every_route_has_expectations():
    names = {p.name for p in task_urls.urlpatterns}
    assert names == set(ROUTES), "a new tasks route needs a row in the permission table"


@pytest.fixture
def objs(plan, task, unit_a, unit_b, report_a, reminder_a, problem_a, user_a):
    from .conftest import make_task

    fresh = Assignment.objects.create(task=make_task(plan, "9.9"), unit=unit_a)
    report_a.refresh_from_db()
    return {
        "plan": plan,
        "assignment": report_a.assignment,
        "fresh": fresh,
        "report": report_a,
        "evidence": report_a.evidence.get(),
        "reminder": reminder_a,
        "problem": problem_a,
        "unit_a": unit_a,
        "unit_b": unit_b,
    }


def fingerprint():
    """Everything a write could change."""
    return (
        list(Assignment.objects.order_by("pk").values_list("pk", "unit_id", "status", "version")),
        list(
            ProgressReport.objects.order_by("pk").values_list(
                "pk", "review_status", "text", "version"
            )
        ),
        list(Reminder.objects.order_by("pk").values_list("pk", "read_at")),
        list(Problem.objects.order_by("pk").values_list("pk", "status", "reply", "unit_id")),
        Evidence.objects.count(),
        Assessment.objects.count(),
    )


def _expected(name, who, method):
    table = ROUTES[name][2]
    if who == ANON and who not in table:
        return LOGIN
    return table[who][0 if method == "get" else 1]


CASES = [(name, who, method) for name in ROUTES for who in PERSONAS for method in ("get", "post")]
CLIENTS = {
    ANON: "anon_client",
    A: "client_a",
    B: "client_b",
    OFFICE: "office_client",
    STAFF: "other_staff_client",
}


@pytest.fixture
def other_staff_client(other_staff):
    client = Client()
    client.force_login(other_staff)
    return client


@pytest.mark.parametrize("name,who,method", CASES)
def test_permission_table(name, who, method, objs, request):
    client = request.getfixturevalue(CLIENTS[who])
    url = ROUTES[name][0](objs)
    data = ROUTES[name][1](objs)
    before = fingerprint()
    response = client.get(url) if method == "get" else client.post(url, data)
    expected = _expected(name, who, method)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, (name, who, method, response.status_code)
        if expected == 302:
            assert not response["Location"].startswith("/accounts/login/")
    if method == "get" or expected not in (200, 302):
        assert fingerprint() == before, "a GET or a refused POST changed something"
