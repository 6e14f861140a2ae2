"""Permission table over every tasks URL (GET and POST) × personas: anonymous, unit A
(renshe), unit B (xinhai), office, staff outside 产改办.

The objects belong to unit A, so unit B gets 404 on each of them. Every row gives its
expected status and its reason; a row marked ``changes`` is an action that takes
effect, and every other row (refusals, pages, a refused service call answered with a
redirect or with the bound form) must leave every row of the database unchanged.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tasks import urls as task_urls
from tasks.models import (
    Assessment,
    Assignment,
    CalendarToken,
    Evidence,
    Problem,
    ProgressReport,
    Reminder,
)
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

ANON, A, B, OFFICE, STAFF = "anon", "unit_a", "unit_b", "office", "other_staff"
PERSONAS = [ANON, A, B, OFFICE, STAFF]
# Reasons that many rows share.
SIGN_IN = Cell(LOGIN, "anonymous: every task page asks to sign in first")
NOT_B = hidden("unit A's object: unit B cannot see it")
NOT_STAFF = hidden("staff outside the office act for no unit and see no unit's object")
ANON_ROW = (SIGN_IN, SIGN_IN)


def office_only(get: Cell, post: Cell) -> dict:
    """An office page: the office gets ``get`` / ``post``, everyone else 404 (or login)."""
    return shared_office_only(get, post, personas=PERSONAS, nobody={ANON: ANON_ROW})


def report_data(o):
    return {"period": "2026-06", "percent": "50", "text": "更新", "version": o["report"].version}


# name → (url(objs), POST data(objs), {persona: (GET cell, POST cell)})
ROUTES = {
    "assignment_list": (
        lambda o: reverse("tasks:assignment_list"),
        lambda o: {},
        {
            ANON: ANON_ROW,
            A: (ok("unit A lists its own assignments"), READ_ONLY),
            B: (ok("unit B lists its own assignments, none of A's"), READ_ONLY),
            OFFICE: (ok("the office lists every unit's assignments"), READ_ONLY),
            STAFF: (ok("staff outside the office get an empty list"), READ_ONLY),
        },
    ),
    "export": (
        lambda o: reverse("tasks:export"),
        lambda o: {},
        {
            ANON: ANON_ROW,
            A: (ok("unit A exports its own assignments"), READ_ONLY),
            B: (ok("unit B exports its own assignments, none of A's"), READ_ONLY),
            OFFICE: (ok("the office exports every unit's assignments"), READ_ONLY),
            STAFF: (ok("staff outside the office export an empty sheet"), READ_ONLY),
        },
    ),
    "assignment_detail": (
        lambda o: reverse("tasks:assignment_detail", args=[o["assignment"].pk]),
        lambda o: {},
        {
            ANON: ANON_ROW,
            A: (ok("unit A reads its own assignment"), READ_ONLY),
            B: (NOT_B, READ_ONLY),
            OFFICE: (ok("the office reads every assignment"), READ_ONLY),
            STAFF: (NOT_STAFF, READ_ONLY),
        },
    ),
    "assignment_acknowledge": (
        lambda o: reverse("tasks:assignment_acknowledge", args=[o["fresh"].pk]),
        lambda o: {"version": o["fresh"].version},
        {
            ANON: ANON_ROW,
            A: (ACTION_ONLY, done("unit A signs (签收) its own pending assignment")),
            B: (ACTION_ONLY, NOT_B),
            OFFICE: (
                ACTION_ONLY,
                refused("the office sees the assignment but only its unit may sign it"),
            ),
            STAFF: (ACTION_ONLY, NOT_STAFF),
        },
    ),
    "report_create": (
        lambda o: reverse("tasks:report_create", args=[o["assignment"].pk]),
        lambda o: {"period": "2026-06", "percent": "60", "text": "新报送"},
        {
            ANON: ANON_ROW,
            A: (ACTION_ONLY, done("unit A reports progress on its own assignment")),
            B: (ACTION_ONLY, NOT_B),
            OFFICE: (ACTION_ONLY, refused("the office sees the assignment but does not report")),
            STAFF: (ACTION_ONLY, NOT_STAFF),
        },
    ),
    "assignment_close": (
        lambda o: reverse("tasks:assignment_close", args=[o["assignment"].pk]),
        lambda o: {"version": o["assignment"].version},
        office_only(
            ACTION_ONLY,
            Cell(
                302,
                "the office may 办结, but this unit has not asked for it: "
                "refused with a message, nothing changes",
            ),
        ),
    ),
    "report_edit": (
        lambda o: reverse("tasks:report_edit", args=[o["report"].pk]),
        report_data,
        {
            ANON: ANON_ROW,
            A: (
                ok("unit A opens its own pending report to edit"),
                done("unit A edits its own pending report"),
            ),
            B: (NOT_B, NOT_B),
            OFFICE: (
                refused("the office sees the report but only its unit edits it"),
                refused("the office sees the report but only its unit edits it"),
            ),
            STAFF: (NOT_STAFF, NOT_STAFF),
        },
    ),
    "report_review": (
        lambda o: reverse("tasks:report_review", args=[o["report"].pk]),
        lambda o: {"decision": "accept", "comment": "", "version": o["report"].version},
        office_only(
            ok("the office opens a pending report to review"),
            done("the office accepts (通过) the pending report"),
        ),
    ),
    "evidence_download": (
        lambda o: reverse("tasks:evidence_download", args=[o["evidence"].pk]),
        lambda o: {},
        {
            ANON: ANON_ROW,
            A: (ok("unit A downloads its own evidence"), READ_ONLY),
            B: (NOT_B, READ_ONLY),
            OFFICE: (ok("the office downloads every unit's evidence"), READ_ONLY),
            STAFF: (NOT_STAFF, READ_ONLY),
        },
    ),
    "reminder_read": (
        lambda o: reverse("tasks:reminder_read", args=[o["reminder"].pk]),
        lambda o: {},
        {
            ANON: ANON_ROW,
            A: (ACTION_ONLY, done("unit A marks its own 催办 notice read")),
            B: (ACTION_ONLY, NOT_B),
            OFFICE: (
                ACTION_ONLY,
                refused("the office sent the notice; only the unit marks it read"),
            ),
            STAFF: (ACTION_ONLY, NOT_STAFF),
        },
    ),
    "problem_list": (
        lambda o: reverse("tasks:problem_list"),
        lambda o: {"title": "新问题", "text": "说明"},
        {
            ANON: ANON_ROW,
            A: (
                ok("unit A lists its own problems"),
                done("unit A raises a problem for itself"),
            ),
            B: (
                ok("unit B lists its own problems, none of A's"),
                done("unit B raises a problem for itself"),
            ),
            OFFICE: (
                ok("the office lists every unit's problems"),
                refused("the office answers problems, it does not raise them"),
            ),
            STAFF: (
                ok("staff outside the office get an empty list"),
                refused("staff outside the office act for no unit: they cannot raise one"),
            ),
        },
    ),
    "problem_detail": (
        lambda o: reverse("tasks:problem_detail", args=[o["problem"].pk]),
        lambda o: {"reply": "答复", "version": o["problem"].version},
        {
            ANON: ANON_ROW,
            A: (
                ok("unit A reads its own problem and the reply"),
                refused("unit A may not answer its own problem"),
            ),
            B: (NOT_B, NOT_B),
            OFFICE: (ok("the office reads every problem"), done("the office answers")),
            STAFF: (NOT_STAFF, NOT_STAFF),
        },
    ),
    "calendar": (
        lambda o: reverse("tasks:calendar"),
        lambda o: {"action": "renew"},
        {
            ANON: ANON_ROW,
            **{
                who: (
                    ok("every signed-in user manages their own calendar address"),
                    done("every signed-in user renews their own address (shown once)", status=200),
                )
                for who in (A, B, OFFICE, STAFF)
            },
        },
    ),
    "calendar_feed": (
        lambda o: reverse("tasks:calendar_feed", args=["not-a-token"]),
        lambda o: {},
        {
            who: (
                hidden("the URL is the credential: an unknown token is 404 for anyone"),
                Cell(405, "a feed to read: POST is not allowed, signed in or not"),
            )
            for who in PERSONAS
        },
    ),
    "overview": (
        lambda o: reverse("tasks:overview"),
        lambda o: {},
        office_only(ok("the office's overview of every unit"), READ_ONLY),
    ),
    "review_queue": (
        lambda o: reverse("tasks:review_queue"),
        lambda o: {},
        office_only(ok("the office's queue of reports to review"), READ_ONLY),
    ),
    "remind": (
        lambda o: reverse("tasks:remind"),
        lambda o: {"assignments": [o["assignment"].pk], "message": "请抓紧"},
        office_only(
            ok("the office opens the 催办 form"),
            done("the office sends a 催办 notice"),
        ),
    ),
    "plan_list": (
        lambda o: reverse("tasks:plan_list"),
        lambda o: {},
        office_only(ok("the office lists the task lists"), READ_ONLY),
    ),
    "plan_detail": (
        lambda o: reverse("tasks:plan_detail", args=[o["plan"].pk]),
        lambda o: {},
        office_only(ok("the office reads a task list with every unit's assignments"), READ_ONLY),
    ),
    "plan_assign": (
        lambda o: reverse("tasks:plan_assign", args=[o["plan"].pk]),
        lambda o: {
            "tasks": [o["assignment"].task_id],
            "units": [o["unit_b"].pk],
            "role": "cooperate",
        },
        office_only(ACTION_ONLY, done("the office assigns (分派) a task to unit B")),
    ),
    "plan_import": (
        lambda o: reverse("tasks:plan_import", args=[o["plan"].pk]),
        lambda o: {},
        office_only(
            ACTION_ONLY,
            ok("the office posts no file: the form comes back with its error, nothing changes"),
        ),
    ),
    "assessment_list": (
        lambda o: reverse("tasks:assessment_list", args=[o["plan"].pk]),
        lambda o: {},
        office_only(ok("the office reads the 考核评价 page"), READ_ONLY),
    ),
    "assessment_score": (
        lambda o: reverse("tasks:assessment_score", args=[o["plan"].pk, o["unit_a"].pk]),
        lambda o: {f"u{o['unit_a'].pk}-score": "88", f"u{o['unit_a'].pk}-version": "0"},
        office_only(ACTION_ONLY, done("the office scores unit A")),
    ),
}

CASES = cases(ROUTES, PERSONAS)


def test_every_route_has_expectations():
    from .test_extension_permissions import ROUTES as FOLLOWUP_ROUTES  # 延期申请, 议定事项

    names = {p.name for p in task_urls.urlpatterns}
    tables = set(ROUTES) | set(FOLLOWUP_ROUTES)
    assert names == tables, "a new tasks route needs a row in a permission table"
    assert_every_persona(ROUTES, PERSONAS)


@pytest.fixture
def objs(plan, task, unit_a, unit_b, report_a, reminder_a, problem_a, user_a):
    from tests.factories import make_task

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
        list(CalendarToken.objects.order_by("pk").values_list("user_id", "token_hash")),
        Evidence.objects.count(),
        Assessment.objects.count(),
    )


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
    run_row(ROUTES, objs, name, who, method, client, fingerprint)
