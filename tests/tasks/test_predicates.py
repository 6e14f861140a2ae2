"""Who may act is asked once: each ``can_…`` predicate answers exactly as its service
decides, in every state and for every persona, and the pages offer what it answers."""

import pytest
from django.db import transaction
from django.urls import reverse

from tasks import services
from tasks.models import Assignment, ProgressReport
from tests.factories import acknowledged

pytestmark = pytest.mark.django_db
S = Assignment.Status


def _report(a, user, *, completion=False):
    return services.submit_report(
        assignment=a, by=user, period="2026-06", text="进展", percent=50,
        requests_completion=completion,
    )  # fmt: skip


def to_state(state, a, unit_user, office):
    """Drive ``a`` to ``state`` through the services."""
    if state == "pending":
        return
    acknowledged(a, unit_user)
    if state == "acknowledged":
        return
    if state == "in_progress":
        _report(a, unit_user)
        return
    report = _report(a, unit_user, completion=True)
    if state == "completion_requested":
        return
    services.accept_report(report=report, by=office, version=None)
    if state == "completion_accepted":
        return
    services.close_assignment(assignment=a, by=office)


STATES = ["pending", "acknowledged", "in_progress", "completion_requested",
          "completion_accepted", "closed"]  # fmt: skip
WHO = ["unit_a", "unit_b", "office", "other_staff"]


def _succeeds(call) -> bool:
    """Whether ``call`` goes through; rolled back either way."""
    try:
        with transaction.atomic():
            call()
            raise _Undo
    except _Undo:
        return True
    except Exception:  # the refusal: PermissionDenied or ValidationError
        return False


class _Undo(Exception):
    pass


@pytest.fixture
def people(user_a, user_b, office_user, other_staff):
    return {"unit_a": user_a, "unit_b": user_b, "office": office_user, "other_staff": other_staff}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", WHO)
def test_assignment_predicates_match_their_services(state, who, assignment_a, people):
    to_state(state, assignment_a, people["unit_a"], people["office"])
    a = Assignment.objects.get(pk=assignment_a.pk)
    user = people[who]
    steps = {
        "acknowledge": (
            services.can_acknowledge(a, user),
            lambda: services.acknowledge_assignment(assignment=a, by=user),
        ),
        "submit_report": (
            services.can_submit_report(a, user),
            lambda: _report(a, user),
        ),
        "close": (
            services.can_close(a, user),
            lambda: services.close_assignment(assignment=a, by=user),
        ),
        "remind": (
            services.can_remind(a, user),
            lambda: services.send_reminder(assignments=[a], by=user, message="请抓紧", email=False),
        ),
    }
    for step, (answer, call) in steps.items():
        assert answer == _succeeds(call), (step, state, who)


@pytest.mark.parametrize("review", ["pending", "accepted", "returned"])
@pytest.mark.parametrize("who", WHO)
def test_report_predicates_match_their_services(review, who, assignment_a, people):
    acknowledged(assignment_a, people["unit_a"])
    report = _report(assignment_a, people["unit_a"])
    if review == "accepted":
        services.accept_report(report=report, by=people["office"], version=None)
    elif review == "returned":
        services.return_report(report=report, by=people["office"], version=None, comment="补充")
    r = ProgressReport.objects.select_related("assignment").get(pk=report.pk)
    user = people[who]
    edit = lambda: services.update_report(  # noqa: E731
        report=r, by=user, version=r.version, period="2026-06", text="改", percent=60
    )
    accept = lambda: services.accept_report(report=r, by=user, version=None)  # noqa: E731
    assert services.can_edit_report(r, user) == _succeeds(edit), (review, who)
    assert services.can_review(r, user) == _succeeds(accept), (review, who)


@pytest.mark.parametrize("who", WHO + ["anon"])
def test_problem_predicates_match_their_services(who, people):
    from django.contrib.auth.models import AnonymousUser

    user = people.get(who) or AnonymousUser()
    problem = services.raise_problem(by=people["unit_a"], title="问题", text="说明")
    raise_ = lambda: services.raise_problem(by=user, title="问题", text="说明")  # noqa: E731
    reply = lambda: services.reply_problem(  # noqa: E731
        problem=problem, by=user, reply="答复", version=None, email=False
    )
    assert services.can_raise_problem(user) == _succeeds(raise_)
    assert services.can_reply_problem(user) == _succeeds(reply)


# --- the pages show what the predicates answer ------------------------------------


def test_assignment_page_offers_close_only_when_it_may_be_closed(
    assignment_a, user_a, office_user, office_client
):
    url = reverse("tasks:assignment_detail", args=[assignment_a.pk])
    close = reverse("tasks:assignment_close", args=[assignment_a.pk])
    to_state("completion_requested", assignment_a, user_a, office_user)
    assert close not in office_client.get(url).content.decode()
    report = assignment_a.reports.get()
    services.accept_report(report=report, by=office_user, version=None)
    page = office_client.get(url).content.decode()
    assert close in page and "?assignment=" in page  # 办结 and 催办
    services.close_assignment(assignment=assignment_a, by=office_user)
    page = office_client.get(url).content.decode()
    assert close not in page and "?assignment=" not in page


def test_overview_offers_reminders_only_for_open_assignments(
    assignment_a, assignment_b, user_a, office_user, office_client
):
    to_state("closed", assignment_a, user_a, office_user)
    page = office_client.get(reverse("tasks:overview")).content.decode()
    assert f'name="assignment" value="{assignment_b.pk}"' in page
    assert f'name="assignment" value="{assignment_a.pk}"' not in page


# --- 通过并办结: one service call -------------------------------------------------------


def test_accept_and_close_is_one_call(assignment_a, user_a, office_user):
    to_state("completion_requested", assignment_a, user_a, office_user)
    report = assignment_a.reports.get()
    services.accept_report(report=report, by=office_user, version=report.version, close=True)
    assignment_a.refresh_from_db()
    report.refresh_from_db()
    assert report.review_status == ProgressReport.Review.ACCEPTED
    assert assignment_a.status == S.CLOSED and assignment_a.closed_at


def test_accept_and_close_refused_accepts_nothing(assignment_a, user_a, office_user):
    """A report that does not ask for 办结 cannot close: it is not accepted either."""
    from django.core.exceptions import ValidationError

    to_state("in_progress", assignment_a, user_a, office_user)
    report = assignment_a.reports.get()
    with pytest.raises(ValidationError) as info:
        services.accept_report(report=report, by=office_user, version=None, close=True)
    assert info.value.code == "not_requested"
    report.refresh_from_db()
    assignment_a.refresh_from_db()
    assert report.review_status == ProgressReport.Review.PENDING
    assert (assignment_a.status, assignment_a.progress) == (S.IN_PROGRESS, 0)


def test_review_page_accept_and_close(assignment_a, user_a, office_user, office_client):
    to_state("completion_requested", assignment_a, user_a, office_user)
    report = assignment_a.reports.get()
    response = office_client.post(
        reverse("tasks:report_review", args=[report.pk]),
        {"decision": "accept_close", "comment": "同意", "version": report.version},
    )
    assert response.status_code == 302
    assignment_a.refresh_from_db()
    assert assignment_a.status == S.CLOSED
