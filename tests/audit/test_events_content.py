"""Issues and meetings: publish, schedule, withdraw, delete, reminders to sign, and the
downloads of what is internal, each in the audit trail; refusals too."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bulletins import services
from bulletins.models import Issue, Meeting, Visibility
from portal.audit.models import AuditEntry
from tests.factories import make_attachment, make_issue, make_meeting

pytestmark = pytest.mark.django_db
DONE, REFUSED = AuditEntry.Result.DONE, AuditEntry.Result.REFUSED


def _only(action, **filters):
    (entry,) = AuditEntry.objects.filter(action=action, **filters)
    return entry


def test_publish_schedule_and_withdraw_are_recorded(office_user):
    issue = make_issue("draft")
    at = timezone.now() + dt.timedelta(days=2)
    services.schedule_issue(issue=issue, publish_at=at, by=office_user)
    services.withdraw_issue(issue=issue, by=office_user)  # cancels the schedule
    services.publish_issue(issue=issue, by=office_user)
    services.withdraw_issue(issue=issue, by=office_user)
    issues = AuditEntry.objects.filter(action__startswith="issue.").order_by("id")
    actions = list(issues.values_list("action", "result"))
    assert actions == [
        ("issue.schedule", DONE),
        ("issue.withdraw", DONE),
        ("issue.publish", DONE),
        ("issue.withdraw", DONE),
    ]
    schedule = _only("issue.schedule")
    assert schedule.detail == f"{timezone.localtime(at):%Y-%m-%d %H:%M}"
    assert (schedule.actor_name, schedule.object_type, schedule.object_id) == (
        "office",
        "bulletins.issue",
        str(issue.pk),
    )


def test_a_refused_publish_is_recorded_with_its_reason(office_user, user_a):
    issue = make_issue("draft", number=None)
    with pytest.raises(PermissionDenied):
        services.publish_issue(issue=issue, by=user_a)
    with pytest.raises(ValidationError):
        services.publish_issue(issue=issue, by=office_user)
    refused = list(AuditEntry.objects.filter(action="issue.publish").order_by("id"))
    assert [(e.actor_name, e.result) for e in refused] == [
        ("renshe", REFUSED),
        ("office", REFUSED),
    ]
    assert "只有产改办" in refused[0].reason and "请填写期号" in refused[1].reason
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def test_the_scheduler_publishes_as_the_system(today):
    issue = make_issue("scheduled", publish_at=timezone.now() - dt.timedelta(minutes=1))
    services.publish_due_issues()
    entry = _only("issue.publish")
    assert entry.actor is None and entry.detail == "定时发布"
    assert entry.object_id == str(issue.pk)


def test_reminders_to_sign_are_recorded(office_user, unit_a):
    issue = make_issue()
    issue.distribution.set([unit_a])
    services.remind_unacknowledged_units(issue=issue, by=office_user)
    assert _only("issue.remind").actor == office_user


def test_deleting_a_draft_in_the_admin_is_recorded(office_client, office_user):
    issue = make_issue("draft", title="作废的草稿")
    response = office_client.post(
        f"/admin/bulletins/issue/{issue.pk}/delete/", {"post": "yes"}, REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 302
    entry = _only("issue.delete")
    assert (entry.actor, entry.address, entry.object_id) == (office_user, "10.1.1.1", str(issue.pk))


def test_meetings_recorded_when_published_and_deleted():
    meeting = make_meeting(title="推进会")
    pk = meeting.pk
    meeting.delete()
    assert _only("meeting.publish").object_label == "推进会"
    assert _only("meeting.delete").object_id == str(pk)
    assert not Meeting.objects.exists()


def test_internal_pdf_downloads_are_recorded_public_ones_not(client_a, user_a):
    internal = make_issue(visibility=Visibility.INTERNAL)
    public = make_issue()
    assert client_a.get(f"/bulletins/{internal.pk}/pdf/").status_code == 200
    assert client_a.get(f"/bulletins/{public.pk}/pdf/").status_code == 200
    entry = _only("download.issue_pdf")
    assert (entry.actor, entry.unit_name, entry.object_id) == (user_a, "市人社局", str(internal.pk))
    # HEAD sends no file: nothing recorded.
    client_a.head(f"/bulletins/{internal.pk}/pdf/")
    assert AuditEntry.objects.filter(action="download.issue_pdf").count() == 1


def test_refused_pdf_downloads_of_signed_in_users_are_recorded(client_a, user_a, anon_client):
    draft = make_issue("draft", Visibility.INTERNAL)
    assert anon_client.get(f"/bulletins/{draft.pk}/pdf/").status_code == 404
    assert not AuditEntry.objects.filter(action="download.issue_pdf").exists()
    assert client_a.get(f"/bulletins/{draft.pk}/pdf/").status_code == 404
    entry = _only("download.issue_pdf")
    assert (entry.actor, entry.result, entry.object_type, entry.object_id) == (
        user_a,
        REFUSED,
        "bulletins.issue",
        str(draft.pk),
    )
    assert entry.object_label == f"#{draft.pk}"  # not the draft's title


def test_internal_attachment_downloads_are_recorded(client_a):
    internal = make_issue(visibility=Visibility.INTERNAL)
    attachment = make_attachment(internal, name="讲话稿.pdf")
    public_file = make_attachment(make_issue(), name="公开.pdf")
    url = "/bulletins/{}/attachments/{}/"
    assert client_a.get(url.format(internal.pk, attachment.pk)).status_code == 200
    assert client_a.get(url.format(public_file.issue_id, public_file.pk)).status_code == 200
    entry = _only("download.attachment")
    assert entry.object_id == str(attachment.pk) and entry.object_label.endswith("讲话稿.pdf")


def test_refused_attachment_downloads_are_recorded_anonymous_ones_not(
    client_a, user_a, anon_client
):
    draft = make_issue("draft", Visibility.INTERNAL)
    attachment = make_attachment(draft, name="未发布讲话稿.pdf")
    url = f"/bulletins/{draft.pk}/attachments/{attachment.pk}/"
    assert anon_client.get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="download.attachment").exists()
    assert client_a.get(url).status_code == 404
    entry = _only("download.attachment")
    assert (entry.actor, entry.result, entry.object_type, entry.object_id) == (
        user_a,
        REFUSED,
        "bulletins.attachment",
        str(attachment.pk),
    )
    assert entry.object_label == f"#{attachment.pk}"  # not the file's name


def test_year_zip_downloads_are_recorded(client_a):
    make_issue(visibility=Visibility.INTERNAL, year=2020)
    response = client_a.get("/bulletins/archive/2020/zip/")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert _only("download.year_zip").actor_name == "renshe"
