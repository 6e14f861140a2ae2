"""Fixtures of the task tests: a plan with one assignment for unit A and one for unit B,
each with a report, an evidence file, a reminder and a problem."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tasks import services
from tasks.models import Assignment, Plan, Task

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def pdf(name="材料.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="现场.png"):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(db):
    return Plan.objects.create(year=2026, title="2026年任务清单", status=Plan.Status.ACTIVE)


def make_task(plan, number="1.1", *, due=None, start=None, category="思想引领", title=None):
    return Task.objects.create(
        plan=plan,
        number=number,
        category=category,
        title=title or f"任务{number}",
        requirement="工作要求",
        start_date=start,
        due_date=due or timezone.localdate() + datetime.timedelta(days=30),
    )


@pytest.fixture
def task(plan):
    return make_task(plan)


@pytest.fixture
def assignment_a(task, unit_a):
    return Assignment.objects.create(task=task, unit=unit_a, role=Assignment.Role.LEAD)


@pytest.fixture
def assignment_b(task, unit_b):
    return Assignment.objects.create(task=task, unit=unit_b, role=Assignment.Role.COOPERATE)


def acknowledged(assignment, user):
    return services.acknowledge_assignment(assignment=assignment, by=user)


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
