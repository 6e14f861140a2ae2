"""The publish_scheduled command and background job: exactly the due issues, idempotent."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bulletins import services
from bulletins.models import Issue
from bulletins.tasks import publish_due_issues_job
from tests.factories import IssueFactory

pytestmark = pytest.mark.django_db


def schedule(issue, office_user, at):
    services.schedule_issue(issue=issue, publish_at=at, by=office_user)
    # Move the time into the past as if the clock had run on.
    Issue.objects.filter(pk=issue.pk).update(publish_at=at - dt.timedelta(days=1))


def test_command_publishes_exactly_the_due_ones_and_is_idempotent(office_user):
    now = timezone.now()
    due = [IssueFactory(), IssueFactory()]
    for issue in due:
        schedule(issue, office_user, now + dt.timedelta(minutes=1))
    future = IssueFactory()
    services.schedule_issue(issue=future, publish_at=now + dt.timedelta(hours=1), by=office_user)
    draft = IssueFactory()

    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    assert "2 issue(s) published." in out.getvalue()
    statuses = dict(Issue.objects.values_list("pk", "status"))
    assert [statuses[i.pk] for i in due] == ["published", "published"]
    assert statuses[future.pk] == "scheduled" and statuses[draft.pk] == "draft"
    published_at = {i.pk: Issue.objects.get(pk=i.pk).published_at for i in due}

    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    assert "0 issue(s) published." in out.getvalue()
    assert {i.pk: Issue.objects.get(pk=i.pk).published_at for i in due} == published_at
    assert Issue.objects.get(pk=due[0].pk).history.filter(status="published").count() == 1


def test_background_job_calls_the_same_service(office_user):
    issue = IssueFactory()
    schedule(issue, office_user, timezone.now() + dt.timedelta(minutes=1))
    result = publish_due_issues_job.enqueue()
    assert result.return_value == [issue.pk]
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.PUBLISHED
    assert publish_due_issues_job.enqueue().return_value == []
