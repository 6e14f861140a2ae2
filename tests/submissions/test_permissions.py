"""Permission table over every 信息报送 URL (GET and POST) × personas: anonymous, a
deactivated account, unit A (renshe), unit A's leader (负责人), unit B (xinhai), the
office, staff outside 产改办.

The pieces belong to unit A, so unit B gets 404 on each of them, in every view and
download; the office does not see unit A's draft. A row marked ``changes`` takes
effect; every other row must leave the database unchanged.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from bulletins.models import Article
from bulletins.submissions import urls as submission_urls
from bulletins.submissions.models import Adoption, ScoringRule, Submission, SubmissionFile
from tests.factories import make_adoption, make_submission, png_bytes
from tests.permissions import (
    ACTION_ONLY,
    LOGIN,
    OFFICE_PAGE,
    READ_ONLY,
    Cell,
    assert_every_persona,
    cases,
    done,
    hidden,
    ok,
    run_row,
)
from tests.permissions import office_only as shared_office_only

ANON, DEAD, A, LEAD, B, OFFICE, STAFF = (
    "anon",
    "deactivated",
    "unit_a",
    "leader",
    "unit_b",
    "office",
    "other_staff",
)
PERSONAS = [ANON, DEAD, A, LEAD, B, OFFICE, STAFF]
SIGN_IN = Cell(LOGIN, "anonymous or switched off: sign in first, nothing shown")
NOT_B = hidden("unit A's piece: unit B cannot see it")
NOT_STAFF = hidden("staff outside the office act for no unit and see no piece")
NOBODY = {ANON: (SIGN_IN, SIGN_IN), DEAD: (SIGN_IN, SIGN_IN)}


def office_only(get: Cell, post: Cell) -> dict:
    return shared_office_only(get, post, personas=PERSONAS, nobody=NOBODY)


def a_piece_to_read(office: Cell) -> dict:
    """A page or download of unit A's pending piece."""
    return {
        **NOBODY,
        A: (ok("the unit reads its own piece"), READ_ONLY),
        LEAD: (ok("the leader reads the unit's pieces"), READ_ONLY),
        B: (NOT_B, READ_ONLY),
        OFFICE: (office, READ_ONLY),
        STAFF: (NOT_STAFF, READ_ONLY),
    }


def piece_form(o):
    return {
        "category": o["category"].pk,
        "title": "新的信息",
        "body": "<p>正文。</p>",
        "author": "李敏",
        "author_phone": "0518-85800001",
        "signer": "张伟",
        "version": "",
    }


def edit_form(o):
    return {**piece_form(o), "version": o["draft"].version}


def no_data(o):
    return {}


def comment(o):
    return {"comment": "请补充数据"}


def adopt_form(o):
    return {"issue": o["issue"].pk, "mode": "article", "article": ""}


def upward_form(o):
    return {"level": "province", "publication": "江苏工运动态", "published_on": "2026-06-10"}


def rule_form(o):
    return {
        "per_piece": "2",
        "per_issue": "3",
        "per_city": "5",
        "per_province": "8",
        "per_national": "12",
        "monthly_quota": "2",
        "quota_start_month": "1",
        "missed_month_penalty": "2",
        "assessment_cap": "10",
    }


def url(name, *keys):
    return lambda o: reverse(f"submissions:{name}", args=[o[k] for k in keys])


UNIT_ACTION = {
    **NOBODY,
    B: (ACTION_ONLY, NOT_B),
    OFFICE: (ACTION_ONLY, hidden("a unit's draft or piece awaiting sign-off is not the office's")),
    STAFF: (ACTION_ONLY, NOT_STAFF),
}

# name: (url, post data, {persona: (GET, POST)})
ROUTES = {
    "list": (
        url("list"),
        no_data,
        {
            **NOBODY,
            A: (ok("the unit's own pieces and points"), READ_ONLY),
            LEAD: (ok("the leader sees the unit's pieces"), READ_ONLY),
            B: (ok("unit B sees its own (empty) list"), READ_ONLY),
            OFFICE: (ok("the office's inbox"), READ_ONLY),
            STAFF: (hidden("acts for no unit and is not the office"), READ_ONLY),
        },
    ),
    "create": (
        url("create"),
        piece_form,
        {
            **NOBODY,
            A: (ok("a unit writes"), done("a draft of unit A")),
            LEAD: (ok("a leader writes too"), done("a draft of unit A")),
            B: (ok("unit B writes its own"), done("a draft of unit B, never A's")),
            OFFICE: (OFFICE_PAGE, hidden("the office receives pieces, it does not send them")),
            STAFF: (NOT_STAFF, NOT_STAFF),
        },
    ),
    "detail": (url("detail", "pending_pk"), no_data, a_piece_to_read(ok("the office's piece"))),
    "edit": (
        url("edit", "draft_pk"),
        edit_form,
        {
            **NOBODY,
            A: (ok("the unit revises its draft"), done("saved as a new version")),
            LEAD: (ok("the leader may revise too"), done("saved as a new version")),
            B: (NOT_B, NOT_B),
            OFFICE: (hidden("a draft stays inside the unit"), hidden("a draft stays inside")),
            STAFF: (NOT_STAFF, NOT_STAFF),
        },
    ),
    "submit": (
        url("submit", "draft_pk"),
        no_data,
        {
            **UNIT_ACTION,
            A: (ACTION_ONLY, done("sent to the unit's leader")),
            LEAD: (ACTION_ONLY, done("the leader's sending signs it off: to the office")),
        },
    ),
    "sign_off": (
        url("sign_off", "awaiting_pk"),
        no_data,
        {
            **UNIT_ACTION,
            A: (ACTION_ONLY, Cell(302, "not a leader: refused with a message, nothing changes")),
            LEAD: (ACTION_ONLY, done("approved: reaches the office")),
        },
    ),
    "leader_return": (
        url("leader_return", "awaiting_pk"),
        comment,
        {
            **UNIT_ACTION,
            A: (ACTION_ONLY, Cell(302, "not a leader: refused with a message, nothing changes")),
            LEAD: (ACTION_ONLY, done("returned inside the unit")),
        },
    ),
    "return": (
        url("return", "pending_pk"),
        comment,
        office_only(ACTION_ONLY, done("returned to unit A")),
    ),
    "decline": (
        url("decline", "pending_pk"),
        comment,
        office_only(ACTION_ONLY, done("declined")),
    ),
    "adopt": (
        url("adopt", "pending_pk"),
        adopt_form,
        office_only(ACTION_ONLY, done("adopted into the draft issue")),
    ),
    "upward": (
        url("upward", "adopted_pk"),
        upward_form,
        office_only(ACTION_ONLY, done("a provincial adoption recorded")),
    ),
    "file": (url("file", "pending_pk", "file_pk"), no_data, a_piece_to_read(ok("downloads"))),
    "image": (url("image", "pending_pk", "image_pk"), no_data, a_piece_to_read(ok("pictures"))),
    "version": (
        url("version", "pending_pk", "history_id"),
        no_data,
        a_piece_to_read(ok("earlier versions")),
    ),
    "points": (url("points"), no_data, office_only(ok("the year table"), READ_ONLY)),
    "points_export": (url("points_export"), no_data, office_only(ok("xlsx"), READ_ONLY)),
    "rules": (url("rules", "year"), rule_form, office_only(ok("the rules"), done("saved"))),
}

CASES = cases(ROUTES, PERSONAS)


def test_every_route_has_expectations():
    assert {p.name for p in submission_urls.urlpatterns} == set(ROUTES)
    assert_every_persona(ROUTES, PERSONAS)


@pytest.fixture
def objs(unit_a, unit_b, leader_a, category, draft_issue):
    pending = make_submission(unit_a, "pending")
    picture = SubmissionFile(submission=pending, original_name="现场.png", content_type="image/png")
    picture.file.save("p.png", ContentFile(png_bytes()), save=False)
    picture.save()
    attachment = SubmissionFile(
        submission=pending, original_name="材料.pdf", content_type="application/pdf"
    )
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    adopted = make_submission(unit_a, "adopted", title="已采用的信息")
    make_adoption(adopted, issue=draft_issue)
    return {
        "category": category,
        "issue": draft_issue,
        "draft": make_submission(unit_a, "draft", title="草稿"),
        "draft_pk": Submission.objects.get(title="草稿").pk,
        "awaiting_pk": make_submission(unit_a, "awaiting_signoff", title="待审签").pk,
        "pending_pk": pending.pk,
        "adopted_pk": adopted.pk,
        "file_pk": attachment.pk,
        "image_pk": picture.pk,
        "history_id": pending.history.first().history_id,
        "year": 2026,
    }


def fingerprint():
    return (
        list(Submission.objects.order_by("pk").values_list("pk", "unit_id", "status", "version")),
        list(Adoption.objects.order_by("pk").values_list("pk", "level")),
        list(Article.objects.order_by("pk").values_list("pk", "body")),
        list(ScoringRule.objects.values_list("year", "per_piece")),
        SubmissionFile.objects.count(),
    )


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def clients(request, leader_a):
    getters = {
        ANON: "anon_client",
        DEAD: "deactivated_client",
        A: "client_a",
        B: "client_b",
        OFFICE: "office_client",
        STAFF: "other_staff_client",
    }
    return lambda who: _client(leader_a) if who == LEAD else request.getfixturevalue(getters[who])


@pytest.mark.parametrize("name,who,method", CASES)
def test_permission_table(name, who, method, objs, clients, today):
    run_row(ROUTES, objs, name, who, method, clients(who), fingerprint)
