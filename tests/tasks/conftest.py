"""Fixtures of the task tests: a plan with one assignment for unit A and one for unit B,
each with a report, an evidence file, a reminder and a problem.

The clock stands on the ``today`` fixture's day (tests/conftest.py) for every test
that uses the plan, so reports "this month" and due dates in days from now do not
depend on the day the suite runs."""

import pytest
from django.utils import timezone

from tasks import services
from tasks.models import Assignment, Plan

# Builders live in tests/factories.py; also importable from here for tests written before.
from tests.factories import PDF, acknowledged, make_task, pdf, png  # noqa: F401


@pytest.fixture
def plan(db, today):
    return Plan.objects.create(year=2026, title="2026年任务清单", status=Plan.Status.ACTIVE)


@pytest.fixture
def task(plan):
    return make_task(plan)


@pytest.fixture
def assignment_a(task, unit_a):
    return Assignment.objects.create(task=task, unit=unit_a, role=Assignment.Role.LEAD)


@pytest.fixture
def assignment_b(task, unit_b):
    return Assignment.objects.create(task=task, unit=unit_b, role=Assignment.Role.COOPERATE)


@pytest.fixture
def report_a(assignment_a, user_a):
    acknowledged(assignment_a, user_a)
    return services.submit_report(
        assignment=assignment_a,
        by=user_a,
        period=timezone.localdate().strftime("%Y-%m"),
        text="人社局进展",
        percent=30,
        files=[pdf()],
    )


@pytest.fixture
def report_b(assignment_b, user_b):
    acknowledged(assignment_b, user_b)
    return services.submit_report(
        assignment=assignment_b,
        by=user_b,
        period=timezone.localdate().strftime("%Y-%m"),
        text="新海石化进展",
        percent=40,
        files=[pdf("新海.pdf")],
    )


@pytest.fixture
def reminder_a(assignment_a, office_user):
    return services.send_reminder(assignments=[assignment_a], by=office_user, message="请抓紧")[0]


@pytest.fixture
def reminder_b(assignment_b, office_user):
    return services.send_reminder(assignments=[assignment_b], by=office_user, message="请抓紧")[0]


@pytest.fixture
def problem_a(user_a):
    return services.raise_problem(by=user_a, title="人社局问题", text="资金渠道不明确")


@pytest.fixture
def problem_b(user_b):
    return services.raise_problem(by=user_b, title="新海问题", text="检修时间冲突")
