"""Permission table of the 延期申请 and 议定事项 routes × personas: anonymous, unit A (renshe),
unit A's leader (负责人, acts for the unit like any of its users), unit B (xinhai), the
office, staff outside 产改办 and a deactivated unit A user.

The objects belong to unit A: unit B gets 404 on each; the 议定事项 pages are the
office's and do not exist for anyone else. A row marked ``changes`` takes effect;
every other row must leave requests, assignments, tasks and decisions unchanged.
"""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from bulletins.models import Visibility
from tasks import services
from tasks.models import Assignment, Decision, ExtensionRequest, Task
from tests.factories import UserFactory, acknowledged, make_meeting, make_task, pdf
from tests.permissions import (
    ACTION_ONLY,
    LOGIN,
    READ_ONLY,
    Cell,
    assert_every_persona,
    cases,
    done,
    hidden,
    ok,
    refused,
    run_row,
)
from tests.permissions import office_only as shared_office_only

from .test_permissions import NOT_B, NOT_STAFF, SIGN_IN

ANON, A, B, OFFICE, STAFF, GONE = "anon", "unit_a", "unit_b", "office", "other_staff", "deactivated"
LEAD = "unit_a_leader"
PERSONAS = [ANON, A, LEAD, B, OFFICE, STAFF, GONE]
SWITCHED_OFF = Cell(LOGIN, "a deactivated account counts as nobody: sign in first")
NOBODY = {ANON: (SIGN_IN, SIGN_IN), GONE: (SWITCHED_OFF, SWITCHED_OFF)}


def office_only(get: Cell, post: Cell) -> dict:
    return shared_office_only(get, post, personas=PERSONAS, nobody=NOBODY)


# name → (url(objs), POST data(objs), {persona: (GET cell, POST cell)})
ROUTES = {
    "extension_create": (
        lambda o: reverse("tasks:extension_create", args=[o["fresh"].pk]),
        lambda o: {"due_date": o["later"], "reason": "停产检修"},
        {
            **NOBODY,
            A: (ACTION_ONLY, done("unit A asks to move its own assignment's date")),
            LEAD: (ACTION_ONLY, done("unit A's leader asks for the unit")),
            B: (ACTION_ONLY, NOT_B),
            OFFICE: (ACTION_ONLY, refused("the office sees the assignment; only its unit asks")),
            STAFF: (ACTION_ONLY, NOT_STAFF),
        },
    ),
    "extension_list": (
        lambda o: reverse("tasks:extension_list"),
        lambda o: {},
        {
            **NOBODY,
            A: (ok("unit A lists its own requests"), READ_ONLY),
            LEAD: (ok("unit A's leader lists the unit's requests"), READ_ONLY),
            B: (ok("unit B lists its own requests, none of A's"), READ_ONLY),
            OFFICE: (ok("the office lists every unit's requests"), READ_ONLY),
            STAFF: (ok("staff outside the office get an empty list"), READ_ONLY),
        },
    ),
    "extension_detail": (
        lambda o: reverse("tasks:extension_detail", args=[o["request"].pk]),
        lambda o: {"decision": "approve", "version": o["request"].version, "comment": "同意"},
        {
            **NOBODY,
            A: (ok("unit A reads its own request"), refused("only the office decides")),
            LEAD: (ok("the leader reads the unit's request"), refused("a leader does not decide")),
            B: (NOT_B, NOT_B),
            OFFICE: (ok("the office reads the request"), done("the office approves it")),
            STAFF: (NOT_STAFF, NOT_STAFF),
        },
    ),
    "extension_withdraw": (
        lambda o: reverse("tasks:extension_withdraw", args=[o["request"].pk]),
        lambda o: {"version": o["request"].version},
        {
            **NOBODY,
            A: (ACTION_ONLY, done("unit A withdraws its own waiting request")),
            LEAD: (ACTION_ONLY, done("unit A's leader withdraws it for the unit")),
            B: (ACTION_ONLY, NOT_B),
            OFFICE: (ACTION_ONLY, refused("the office decides; only the unit withdraws")),
            STAFF: (ACTION_ONLY, NOT_STAFF),
        },
    ),
    "extension_evidence": (
        lambda o: reverse("tasks:extension_evidence", args=[o["request"].pk]),
        lambda o: {},
        {
            **NOBODY,
            A: (ok("unit A downloads its own evidence"), READ_ONLY),
            LEAD: (ok("unit A's leader downloads the unit's evidence"), READ_ONLY),
            B: (NOT_B, READ_ONLY),
            OFFICE: (ok("the office downloads every unit's evidence"), READ_ONLY),
            STAFF: (hidden("staff outside the office see no unit's file"), READ_ONLY),
        },
    ),
    "decision_list": (
        lambda o: reverse("tasks:decision_list", args=[o["meeting"].pk]),
        lambda o: {"title": "线上要推动县区齐步走"},
        office_only(ok("the office reads a meeting's decisions"), done("it adds one")),
    ),
    "decision_edit": (
        lambda o: reverse("tasks:decision_edit", args=[o["decision"].pk]),
        lambda o: {"order": "2", "title": "面上要细化分解任务、明确分工"},
        office_only(ok("the office opens a decision to correct it"), done("it corrects it")),
    ),
    "decision_task": (
        lambda o: reverse("tasks:decision_task", args=[o["decision"].pk]),
        lambda o: {
            "plan": o["plan"].pk,
            "title": "细化分解任务",
            "due_date": o["later"],
            "weight": "1",
            "lead": o["unit_a"].pk,
        },
        office_only(ok("the office opens the form"), done("it makes the decision a task")),
    ),
}

CASES = cases(ROUTES, PERSONAS)


def test_every_row_has_every_persona():
    assert_every_persona(ROUTES, PERSONAS)


@pytest.fixture
def objs(plan, unit_a, unit_b, user_a, office_user, today):
    overdue = Assignment.objects.create(
        task=make_task(plan, "5.1", due=today - dt.timedelta(days=3)), unit=unit_a
    )
    acknowledged(overdue, user_a)
    request = services.request_extension(
        assignment=overdue,
        by=user_a,
        due_date=today + dt.timedelta(days=30),
        reason="设备检修",
        evidence=pdf("检修通知.pdf"),
    )
    fresh = Assignment.objects.create(task=make_task(plan, "5.2"), unit=unit_a)
    meeting = make_meeting(Visibility.INTERNAL, day=today - dt.timedelta(days=3))
    decision = services.add_decision(meeting=meeting, by=office_user, title="面上要细化分解任务")
    return {
        "plan": plan,
        "unit_a": unit_a,
        "meeting": meeting,
        "decision": decision,
        "request": request,
        "fresh": fresh,
        "later": (fresh.task.due_date + dt.timedelta(days=30)).isoformat(),
    }


def fingerprint():
    return (
        list(
            ExtensionRequest.objects.order_by("pk").values_list(
                "pk", "status", "approved_due_date", "decided_by", "version"
            )
        ),
        list(Assignment.objects.order_by("pk").values_list("pk", "extended_due_date", "version")),
        list(Decision.objects.order_by("pk").values_list("pk", "order", "title", "task_id")),
        Task.objects.count(),
    )


CLIENTS = {
    ANON: "anon_client",
    A: "client_a",
    LEAD: "leader_client",
    B: "client_b",
    OFFICE: "office_client",
    STAFF: "other_staff_client",
    GONE: "deactivated_client",
}


@pytest.fixture
def leader_client(unit_a):
    leader = UserFactory(username="renshe_lead", unit=unit_a, is_unit_leader=True)
    client = Client()
    client.force_login(leader)
    return client


@pytest.mark.parametrize("name,who,method", CASES)
def test_permission_table(name, who, method, objs, request):
    client = request.getfixturevalue(CLIENTS[who])
    run_row(ROUTES, objs, name, who, method, client, fingerprint)


def test_unit_b_lists_none_of_unit_as_requests(objs, client_b, client_a):
    title = objs["request"].assignment.task.title
    assert title not in client_b.get(reverse("tasks:extension_list")).content.decode()
    assert title in client_a.get(reverse("tasks:extension_list")).content.decode()


def test_a_decided_request_posted_again_changes_nothing(objs, office_client, office_user):
    ext = objs["request"]
    services.decline_extension(request=ext, by=office_user, version=ext.version, comment="不同意")
    before = fingerprint()
    response = office_client.post(
        reverse("tasks:extension_detail", args=[ext.pk]),
        {"decision": "approve", "version": ext.version + 1},
    )
    assert response.status_code == 200 and fingerprint() == before
    assert "该延期申请已审批" in response.content.decode()


def test_the_office_home_panel_counts_waiting_requests(objs, office_client, client_a):
    assert "待审批延期申请 1 份" in office_client.get("/").content.decode()
    assert "待审批延期申请" not in client_a.get("/").content.decode()
