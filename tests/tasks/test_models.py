"""Traffic lights (红黄绿灯) at their boundaries: the property and the list annotation
agree; and visible_to of each model."""

import datetime

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import (
    Assessment,
    Assignment,
    Evidence,
    Light,
    Milestone,
    Problem,
    ProgressReport,
    Reminder,
    Task,
)
from tests.factories import acknowledged, make_task

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 6, 15)


def lights(assignment, day):
    by_property = assignment.light_on(day)
    by_annotation = Assignment.objects.with_light(day).get(pk=assignment.pk).light
    assert by_property == by_annotation
    return by_property


def reported(assignment, user, period="2026-06"):
    acknowledged(assignment, user)
    return services.submit_report(
        assignment=assignment, by=user, period=period, text="进展", percent=10
    )


@pytest.mark.parametrize(
    "days,expected",
    [
        (-1, Light.RED),  # due yesterday: overdue
        (0, Light.YELLOW),  # due today: not yet overdue, due soon
        (7, Light.YELLOW),  # due in 7 days: due soon
        (8, Light.GREEN),  # due in 8 days, reported this month
        (60, Light.GREEN),
    ],
)
def test_due_date_boundaries_with_a_report_this_month(plan, unit_a, user_a, days, expected):
    a = Assignment.objects.create(
        task=make_task(plan, due=DAY + datetime.timedelta(days=days)), unit=unit_a
    )
    reported(a, user_a)
    assert lights(a, DAY) == expected


def test_no_report_this_month_is_yellow(plan, unit_a, user_a):
    a = Assignment.objects.create(
        task=make_task(plan, due=DAY + datetime.timedelta(60)), unit=unit_a
    )
    assert lights(a, DAY) == Light.YELLOW
    reported(a, user_a, period="2026-05")  # last month's report does not count
    assert lights(a, DAY) == Light.YELLOW


def test_returned_report_does_not_count_as_reported(plan, unit_a, user_a, office_user):
    a = Assignment.objects.create(
        task=make_task(plan, due=DAY + datetime.timedelta(60)), unit=unit_a
    )
    r = reported(a, user_a)
    assert lights(a, DAY) == Light.GREEN
    services.return_report(report=r, by=office_user, version=None, comment="补充")
    assert lights(a, DAY) == Light.YELLOW


def test_not_started_task_needs_no_report(plan, unit_a):
    a = Assignment.objects.create(
        task=make_task(plan, due=DAY + datetime.timedelta(90), start=DAY + datetime.timedelta(10)),
        unit=unit_a,
    )
    assert lights(a, DAY) == Light.GREEN


def test_closed_is_done_even_when_past_due(plan, unit_a, user_a, office_user):
    a = Assignment.objects.create(
        task=make_task(plan, due=DAY + datetime.timedelta(60)), unit=unit_a
    )
    acknowledged(a, user_a)
    r = services.submit_report(
        assignment=a,
        by=user_a,
        period="2026-06",
        text="完成",
        percent=100,
        requests_completion=True,
    )
    services.accept_report(report=r, by=office_user, version=None)
    services.close_assignment(assignment=a, by=office_user)
    Task.objects.filter(pk=a.task_id).update(due_date=DAY - datetime.timedelta(days=30))
    a.refresh_from_db()
    assert lights(a, DAY) == Light.DONE
    assert Assignment.objects.overdue(DAY).count() == 0


def test_light_property_uses_today(plan, unit_a):
    a = Assignment.objects.create(
        task=make_task(plan, due=timezone.localdate() - datetime.timedelta(days=1)), unit=unit_a
    )
    assert a.light == Light.RED and a.is_overdue


def test_visible_to_every_model(
    report_a,
    report_b,
    reminder_a,
    reminder_b,
    problem_a,
    problem_b,
    user_a,
    user_b,
    office_user,
    other_staff,
    plan,
    unit_a,
    unit_b,
    django_user_model,
):
    from django.contrib.auth.models import AnonymousUser

    Milestone.objects.create(task=report_a.assignment.task, title="节点", due_date=DAY)
    services.score_unit(plan=plan, unit=unit_a, by=office_user, score=90)
    services.score_unit(plan=plan, unit=unit_b, by=office_user, score=80)
    models = [Assignment, ProgressReport, Evidence, Reminder, Problem, Assessment]
    for model in models:
        mine = model.objects.visible_to(user_a)
        assert mine.exists(), model
        for row in mine:
            unit_id = {
                Assignment: lambda r: r.unit_id,
                ProgressReport: lambda r: r.assignment.unit_id,
                Evidence: lambda r: r.report.assignment.unit_id,
                Reminder: lambda r: r.assignment.unit_id,
                Problem: lambda r: r.unit_id,
                Assessment: lambda r: r.unit_id,
            }[model](row)
            assert unit_id == unit_a.pk, model
        assert model.objects.visible_to(office_user).count() == model.objects.count()
        assert not model.objects.visible_to(other_staff).exists()
        assert not model.objects.visible_to(AnonymousUser()).exists()
    # Task and Milestone: the task is shared by both units' assignments.
    assert Task.objects.visible_to(user_a).count() == 1
    assert Milestone.objects.visible_to(user_b).count() == 1
    # A deactivated unit user sees nothing.
    user_a.is_active = False
    user_a.save()
    assert not Assignment.objects.visible_to(user_a).exists()


def test_pages_print_the_light_words_light_defines(assignment_a, client_a, office_client):
    """逾期 / 预警 / 正常 / 已办结 are written once, on ``Light``."""
    words = [light.short_label for light in Light]
    assert words == ["逾期", "预警", "正常", "已办结"]
    home = client_a.get("/").content.decode()
    for light in Light:
        assert f'light--{light.value}" aria-hidden="true"></span> {light.short_label}' in home
    overview = office_client.get("/tasks/overview/").content.decode()
    assert overview.count('class="light light--') >= 3
    admin = office_client.get("/admin/tasks/assignment/").content.decode()
    assert str(assignment_a.light.label) in admin
