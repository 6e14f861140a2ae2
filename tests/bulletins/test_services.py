"""The issue lifecycle services: rights, states, completeness, the scheduler, reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from bulletins import services
from bulletins.models import Article, Issue, ReadReceipt
from tests.factories import IssueFactory, UnitFactory

pytestmark = pytest.mark.django_db
S = Issue.Status


def codes(exc: ValidationError) -> set[str]:
    return {e.code for e in exc.error_list}


def snapshot(issue: Issue) -> dict:
    row = Issue.objects.get(pk=issue.pk)
    data = model_to_dict(row, exclude=["distribution", "cover", "official_pdf"])
    data.update(status=row.status, published_at=row.published_at, withdrawn_at=row.withdrawn_at)
    data["history"] = row.history.count()
    return data


# --- publish -----------------------------------------------------------------


def test_office_publishes_a_complete_draft(office_user):
    issue = IssueFactory()
    before = timezone.now()
    result = services.publish_issue(issue=issue, by=office_user)
    issue.refresh_from_db()
    assert issue.status == S.PUBLISHED and result.status == S.PUBLISHED
    assert issue.published_at >= before
    assert issue.updated_by == office_user
    assert issue.history.first().history_user == office_user


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"number": None}, "missing_number"),
        ({"issue_date": None}, "missing_issue_date"),
        ({"printed_on": None}, "missing_printed_on"),
    ],
)
def test_incomplete_issue_is_refused_and_unchanged(office_user, change, code):
    issue = IssueFactory(**change)
    before = snapshot(issue)
    with pytest.raises(ValidationError) as exc:
        services.publish_issue(issue=issue, by=office_user)
    assert codes(exc.value) == {code}
    assert snapshot(issue) == before


def test_issue_without_articles_is_refused(office_user):
    issue = IssueFactory(articles=0)
    before = snapshot(issue)
    with pytest.raises(ValidationError) as exc:
        services.publish_issue(issue=issue, by=office_user)
    assert codes(exc.value) == {"no_articles"}
    assert snapshot(issue) == before


def test_all_missing_parts_are_reported_at_once(office_user):
    issue = IssueFactory(number=None, issue_date=None, printed_on=None, articles=0)
    with pytest.raises(ValidationError) as exc:
        services.publish_issue(issue=issue, by=office_user)
    assert codes(exc.value) == {
        "missing_number",
        "missing_issue_date",
        "missing_printed_on",
        "no_articles",
    }


def test_publishing_twice_is_refused(office_user):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    before = snapshot(issue)
    with pytest.raises(ValidationError) as exc:
        services.publish_issue(issue=issue, by=office_user)
    assert codes(exc.value) == {"already_published"}
    assert snapshot(issue) == before


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("user_a", id="a unit reads and signs, it does not publish"),
        pytest.param("other_staff", id="staff outside 产改办 without the publish right"),
        pytest.param("anonymous", id="nobody signed in"),
        pytest.param("inactive_office", id="an office account switched off loses its right"),
    ],
)
def test_only_the_office_may_act(request, who, office_user):
    from django.contrib.auth.models import AnonymousUser

    if who == "anonymous":
        user = AnonymousUser()
    elif who == "inactive_office":
        office_user.is_active = False
        office_user.save()
        user = office_user
    else:
        user = request.getfixturevalue(who)
    issue = IssueFactory()
    published = IssueFactory()
    Issue.objects.filter(pk=published.pk).update(status=S.PUBLISHED, published_at=timezone.now())
    before = snapshot(issue), snapshot(published)
    calls = [
        lambda: services.publish_issue(issue=issue, by=user),
        lambda: services.schedule_issue(
            issue=issue, publish_at=timezone.now() + dt.timedelta(days=1), by=user
        ),
        lambda: services.withdraw_issue(issue=published, by=user),
        lambda: services.remind_unacknowledged_units(issue=published, by=user),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert (snapshot(issue), snapshot(published)) == before


def test_staff_with_the_publish_permission_may_act(other_staff):
    from django.contrib.auth.models import Permission

    other_staff.user_permissions.add(Permission.objects.get(codename="publish_issue"))
    other_staff = type(other_staff).objects.get(pk=other_staff.pk)  # fresh permission cache
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=other_staff)
    assert Issue.objects.get(pk=issue.pk).status == S.PUBLISHED


# --- schedule ----------------------------------------------------------------


def test_schedule_sets_the_time_and_state(office_user):
    issue = IssueFactory()
    at = timezone.now() + dt.timedelta(hours=2)
    services.schedule_issue(issue=issue, publish_at=at, by=office_user)
    issue.refresh_from_db()
    assert issue.status == S.SCHEDULED and issue.publish_at == at
    assert issue.published_at is None


def test_schedule_in_the_past_is_refused(office_user):
    issue = IssueFactory()
    before = snapshot(issue)
    with pytest.raises(ValidationError) as exc:
        services.schedule_issue(
            issue=issue, publish_at=timezone.now() - dt.timedelta(minutes=1), by=office_user
        )
    assert codes(exc.value) == {"publish_at_past"}
    assert snapshot(issue) == before


def test_schedule_checks_completeness(office_user):
    issue = IssueFactory(articles=0)
    before = snapshot(issue)
    with pytest.raises(ValidationError) as exc:
        services.schedule_issue(
            issue=issue, publish_at=timezone.now() + dt.timedelta(days=1), by=office_user
        )
    assert codes(exc.value) == {"no_articles"}
    assert snapshot(issue) == before


def test_published_issue_cannot_be_scheduled(office_user):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    with pytest.raises(ValidationError) as exc:
        services.schedule_issue(
            issue=issue, publish_at=timezone.now() + dt.timedelta(days=1), by=office_user
        )
    assert codes(exc.value) == {"already_published"}


# --- withdraw and republish ------------------------------------------------------


def test_withdraw_hides_a_published_issue_and_keeps_it(office_user, user_a):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    services.withdraw_issue(issue=issue, by=office_user)
    issue.refresh_from_db()
    assert issue.status == S.WITHDRAWN and issue.withdrawn_at is not None
    assert not Issue.objects.visible_to(user_a).filter(pk=issue.pk).exists()
    assert Issue.objects.visible_to(office_user).filter(pk=issue.pk).exists()


def test_withdraw_of_a_scheduled_issue_cancels_the_schedule(office_user):
    issue = IssueFactory()
    services.schedule_issue(
        issue=issue, publish_at=timezone.now() + dt.timedelta(days=1), by=office_user
    )
    services.withdraw_issue(issue=issue, by=office_user)
    issue.refresh_from_db()
    assert issue.status == S.DRAFT and issue.publish_at is None


@pytest.mark.parametrize("state", ["draft", "withdrawn"])
def test_withdraw_refuses_drafts_and_withdrawn_issues(office_user, state):
    issue = IssueFactory()
    if state == "withdrawn":
        services.publish_issue(issue=issue, by=office_user)
        services.withdraw_issue(issue=issue, by=office_user)
    before = snapshot(issue)
    with pytest.raises(ValidationError) as exc:
        services.withdraw_issue(issue=issue, by=office_user)
    assert codes(exc.value) == {"not_published"}
    assert snapshot(issue) == before


def test_withdrawn_issue_may_be_republished(office_user):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    services.withdraw_issue(issue=issue, by=office_user)
    services.publish_issue(issue=issue, by=office_user)
    issue.refresh_from_db()
    assert issue.status == S.PUBLISHED and issue.withdrawn_at is None
    statuses = list(issue.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[-3:] == ["published", "withdrawn", "published"]


# --- the scheduler ------------------------------------------------------------


def test_publish_due_issues_publishes_exactly_the_due_ones(office_user):
    now = timezone.now()
    due = IssueFactory()
    later = IssueFactory()
    draft = IssueFactory()
    services.schedule_issue(issue=due, publish_at=now + dt.timedelta(minutes=5), by=office_user)
    services.schedule_issue(issue=later, publish_at=now + dt.timedelta(hours=5), by=office_user)

    assert services.publish_due_issues(now=now) == []
    published = services.publish_due_issues(now=now + dt.timedelta(minutes=5))
    assert [i.pk for i in published] == [due.pk]
    assert Issue.objects.get(pk=due.pk).status == S.PUBLISHED
    assert Issue.objects.get(pk=due.pk).published_at == now + dt.timedelta(minutes=5)
    assert Issue.objects.get(pk=later.pk).status == S.SCHEDULED
    assert Issue.objects.get(pk=draft.pk).status == S.DRAFT
    # Idempotent: a second run finds nothing due.
    assert services.publish_due_issues(now=now + dt.timedelta(minutes=6)) == []


def test_scheduler_leaves_an_issue_that_became_incomplete(office_user):
    now = timezone.now()
    broken = IssueFactory()
    fine = IssueFactory()
    for issue in (broken, fine):
        services.schedule_issue(
            issue=issue, publish_at=now + dt.timedelta(minutes=1), by=office_user
        )
    Article.objects.filter(issue=broken).delete()
    published = services.publish_due_issues(now=now + dt.timedelta(minutes=2))
    assert [i.pk for i in published] == [fine.pk]
    assert Issue.objects.get(pk=broken.pk).status == S.SCHEDULED


# --- reminders ------------------------------------------------------------------


def test_reminder_goes_only_to_units_that_have_not_signed(
    office_user, unit_a, unit_b, django_capture_on_commit_callbacks
):
    unit_c = UnitFactory(name="集团工会", email="")  # no address: skipped
    inactive = UnitFactory(name="已撤销单位", email="old@example.cn", active=False)
    issue = IssueFactory(distribution=[unit_a, unit_b, unit_c, inactive])
    services.publish_issue(issue=issue, by=office_user)
    ReadReceipt.objects.create(issue=issue, unit=unit_a, acknowledged_at=timezone.now())
    ReadReceipt.objects.create(issue=issue, unit=unit_b, first_viewed_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sent = services.remind_unacknowledged_units(
            issue=issue, by=office_user, base_url="https://portal.example.cn"
        )
    assert sent == 1 and len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["xinhai@example.cn"]]
    message = mail.outbox[0]
    assert "请签收" in message.subject and "2020年第" in message.subject
    assert f"https://portal.example.cn/bulletins/{issue.pk}/" in message.body
    assert issue.title in message.body


def test_no_mail_before_commit(office_user, unit_b, django_capture_on_commit_callbacks):
    issue = IssueFactory(distribution=[unit_b])
    services.publish_issue(issue=issue, by=office_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert services.remind_unacknowledged_units(issue=issue, by=office_user) == 1
    assert mail.outbox == [] and len(callbacks) == 1


def test_reminder_needs_a_published_issue(office_user, unit_b):
    issue = IssueFactory(distribution=[unit_b])
    with pytest.raises(ValidationError) as exc:
        services.remind_unacknowledged_units(issue=issue, by=office_user)
    assert codes(exc.value) == {"not_published"}
    assert mail.outbox == []
