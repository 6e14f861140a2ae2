"""Shared admin pieces: history pages show old versions but never revert them.

For every model whose admin keeps history, POSTing an old version on
``/admin/<app>/<model>/<id>/history/<history_id>/`` (the form django-simple-history
would save, status and ``version`` included) is refused with 403 and the row stays
as it was.
"""

import datetime

import pytest
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from bulletins import services as bulletin_services
from tasks import services
from tasks.models import Assignment, Plan, Task
from tests.factories import IssueFactory, make_meeting

pytestmark = pytest.mark.django_db


def _task(plan, number="1.1"):
    return Task.objects.create(
        plan=plan,
        number=number,
        title=f"任务{number}",
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )


def closed_assignment(office, unit_user):
    plan = Plan.objects.create(year=2026, title="2026年任务清单")
    a = Assignment.objects.create(task=_task(plan), unit=unit_user.unit)
    services.acknowledge_assignment(assignment=a, by=unit_user)
    report = services.submit_report(
        assignment=a, by=unit_user, period="2026-06", text="完成", percent=100,
        requests_completion=True,
    )  # fmt: skip
    services.accept_report(report=report, by=office, version=None)
    return services.close_assignment(assignment=a, by=office)


def accepted_report(office, unit_user):
    plan = Plan.objects.create(year=2026, title="2026年任务清单")
    a = Assignment.objects.create(task=_task(plan), unit=unit_user.unit)
    services.acknowledge_assignment(assignment=a, by=unit_user)
    report = services.submit_report(
        assignment=a, by=unit_user, period="2026-06", text="进展", percent=40
    )
    return services.accept_report(report=report, by=office, version=None)


def closed_plan(office, unit_user):
    plan = Plan.objects.create(year=2026, title="2026年任务清单")
    services.activate_plan(plan=plan, by=office)
    return services.close_plan(plan=plan, by=office)


def renamed_task(office, unit_user):
    task = _task(Plan.objects.create(year=2026, title="2026年任务清单"))
    task.title = "改过的任务名"
    task.save()
    return task


def answered_problem(office, unit_user):
    problem = services.raise_problem(by=unit_user, title="问题", text="说明")
    return services.reply_problem(problem=problem, by=office, reply="答复", version=None)


def rescored_assessment(office, unit_user):
    a = closed_assignment(office, unit_user)
    plan = a.task.plan
    services.score_unit(plan=plan, unit=a.unit, by=office, score=80)
    return services.score_unit(plan=plan, unit=a.unit, by=office, score=95, version=1)


def published_issue(office, unit_user):
    issue = IssueFactory()
    return bulletin_services.publish_issue(issue=issue, by=office)


def renamed_meeting(office, unit_user):
    meeting = make_meeting()
    meeting.title = "改过的会议名"
    meeting.save()
    return meeting


def returned_submission(office, unit_user):
    from bulletins.submissions.services import return_submission
    from tests.factories import make_submission

    piece = make_submission(unit_user.unit, "pending")
    return return_submission(submission=piece, by=office, comment="请补充")


# (app, model, builder of an object that has moved on since its first version)
HISTORY_ADMINS = [
    ("tasks", "plan", closed_plan),
    ("tasks", "task", renamed_task),
    ("tasks", "assignment", closed_assignment),
    ("tasks", "progressreport", accepted_report),
    ("tasks", "problem", answered_problem),
    ("tasks", "assessment", rescored_assessment),
    ("bulletins", "issue", published_issue),
    ("bulletins", "meeting", renamed_meeting),
    ("submissions", "submission", returned_submission),
]


def _old_version_form(response) -> dict:
    """The POST django-simple-history's revert button would send for this version."""
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        if value is None or value is False or isinstance(value, FieldFile):
            continue  # what a browser would not send (files are never re-posted)
        data[field.html_name] = "on" if value is True else value
    return data


@pytest.mark.parametrize("app,model,build", HISTORY_ADMINS, ids=[m for _, m, _ in HISTORY_ADMINS])
def test_posting_an_old_version_is_refused_and_changes_nothing(
    app, model, build, office_client, office_user, user_a
):
    obj = build(office_user, user_a)
    row = type(obj).objects.filter(pk=obj.pk)
    before = row.values().get()
    first = obj.history.order_by("history_date", "history_id").first()
    url = reverse(f"admin:{app}_{model}_simple_history", args=[obj.pk, first.history_id])

    page = office_client.get(url)
    assert page.status_code == 200
    assert page.context["revert_disabled"] is True
    # Where every field is read-only (reports, problems) the form is empty, and an
    # empty POST is what would save the old row.
    response = office_client.post(url, _old_version_form(page))

    assert response.status_code == 403
    assert row.values().get() == before


def test_every_admin_that_keeps_history_is_read_only_and_tested_above():
    from django.contrib import admin

    from portal.admin import HistoryReadOnlyAdmin

    with_history = {
        (model._meta.app_label, model._meta.model_name): model_admin
        for model, model_admin in admin.site._registry.items()
        if getattr(model._meta, "simple_history_manager_attribute", None)
    }
    assert set(with_history) == {(app, model) for app, model, _ in HISTORY_ADMINS}
    for key, model_admin in with_history.items():
        assert isinstance(model_admin, HistoryReadOnlyAdmin), key
