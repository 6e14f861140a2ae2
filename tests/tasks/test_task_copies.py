"""Each assignment's copy of its task's list, due date and number (tasks 0008): the
database keeps it on every write path, the overview shows an edit of a task at once,
tasks 0008 fills rows written before it, and on PostgreSQL the overview's page of rows
is read from the lists' index without a sort (issue 11)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import QueryDict
from django.urls import reverse

from tasks import overview_html, services
from tasks.models import Assignment, Plan, Task
from tasks.views.common import filtered_assignments
from tests.factories import UnitFactory, make_task

from .test_xlsx import sheet_file

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "postgresql": ["tasks_assignment_task_copies", "tasks_task_copies_to_assignments"],
    "sqlite": [
        "tasks_assignment_task_copies_insert",
        "tasks_assignment_task_copies_update",
        "tasks_task_copies_to_assignments_insert",
        "tasks_task_copies_to_assignments_update",
    ],
}


def copies():
    """Each assignment's copies beside its task's values: ``{pk: (copies, task's)}``."""
    rows = Assignment.objects.values_list(
        "pk",
        "task_plan_id",
        "task_due_date",
        "task_number",
        "task__plan_id",
        "task__due_date",
        "task__number",
    )
    return {pk: (tuple(values[:3]), tuple(values[3:])) for pk, *values in rows}


def assert_in_step():
    found = copies()
    assert found and all(copy == task for copy, task in found.values()), found


@pytest.fixture
def lists(today, unit_a, unit_b):
    """Two task lists, two tasks on the first, each assigned to units A and B."""
    first = Plan.objects.create(year=2026, title="第一份清单", status=Plan.Status.ACTIVE)
    second = Plan.objects.create(year=2025, title="第二份清单")
    tasks = [
        make_task(first, "1", due=today + dt.timedelta(days=10)),
        make_task(first, "2", due=today + dt.timedelta(days=20)),
    ]
    for task in tasks:
        for unit in (unit_a, unit_b):
            Assignment.objects.create(task=task, unit=unit)
    return first, second, tasks


def test_the_triggers_are_there():
    """A later migration that rebuilds either table on SQLite drops its triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT DISTINCT tgname FROM pg_trigger WHERE tgname LIKE 'tasks_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    assert set(TRIGGERS[connection.vendor]) <= names


def test_a_new_assignment_gets_its_tasks_values(lists, unit_a):
    first, _second, (one, two) = lists
    assert_in_step()
    assert copies()[one.assignments.get(unit=unit_a).pk][0] == (first.pk, one.due_date, "1")
    third = make_task(first, "3")
    Assignment.objects.bulk_create([Assignment(task=third, unit=unit_a)])
    made = Assignment.objects.create(task=third, unit=UnitFactory())
    # The instance made in Python does not hold them (the database wrote them).
    assert made.task_due_date is None
    made.refresh_from_db()
    assert (made.task_plan_id, made.task_due_date, made.task_number) == (
        first.pk,
        third.due_date,
        "3",
    )
    assert_in_step()


def test_every_way_of_changing_a_task_reaches_its_assignments(lists, today):
    first, second, (one, two) = lists
    one.due_date = today + dt.timedelta(days=40)
    one.number = "9"
    one.save()
    assert_in_step()
    Task.objects.filter(pk=two.pk).update(due_date=today + dt.timedelta(days=1), plan=second)
    assert_in_step()
    one.number, two.number = "7", "8"
    Task.objects.bulk_update([one, two], ["number"])
    assert_in_step()
    assert {copy for copy, _task in copies().values()} == {
        (first.pk, today + dt.timedelta(days=40), "7"),
        (second.pk, today + dt.timedelta(days=1), "8"),
    }


def test_an_assignment_cannot_hold_other_values(lists, today):
    """Moving an assignment to another task, or writing the copies themselves, leaves
    them the task's."""
    first, second, (one, two) = lists
    moved = one.assignments.order_by("pk").first()
    other = make_task(second, "5")
    Assignment.objects.filter(pk=moved.pk).update(task=other)
    assert copies()[moved.pk][0] == (second.pk, other.due_date, "5")
    Assignment.objects.filter(pk=moved.pk).update(
        task_due_date=today, task_number="x", task_plan=first
    )
    Assignment.objects.filter(pk=moved.pk).update(task_number="y")
    assert_in_step()


def test_an_import_writes_them(plan, unit_a, unit_b, office_user):
    rows = [
        ["1.1", "思想引领", "任务一", "要求", None, "2026年12月31日", 1, "人社局", "新海石化", ""],
        ["1.2", "思想引领", "任务二", "要求", None, "2026年10月31日", 1, "人社局", "", ""],
    ]
    services.import_plan(plan=plan, file=sheet_file(rows), by=office_user)
    assert len(copies()) == 3
    assert_in_step()


def _rows(html: str) -> list[tuple[str, str]]:
    """The overview table's (编号, 完成时限) cells, in order."""
    return re.findall(
        r'<td data-label="编号">([^<]*)</td>.*?<td data-label="完成时限" class="nowrap">'
        r"([0-9-]+)",
        html,
        re.S,
    )


def test_an_edit_of_a_task_in_the_admin_shows_on_the_overview_at_once(lists, today, office_client):
    """The task list's page in the admin (its tasks inline) changes a task's number and
    due date: the overview's next page shows them, in their new order."""
    first, _second, (one, two) = lists
    url = f"/tasks/overview/?plan={first.pk}"
    due = [(today + dt.timedelta(days=d)).isoformat() for d in (10, 20, 30)]
    assert _rows(office_client.get(url).content.decode()) == [
        ("1", due[0]),
        ("1", due[0]),
        ("2", due[1]),
        ("2", due[1]),
    ]
    data = {
        "year": "2026",
        "title": first.title,
        "tasks-TOTAL_FORMS": "2",
        "tasks-INITIAL_FORMS": "2",
    }
    for n, (task, number, day) in enumerate([(one, "3", due[2]), (two, "2", due[1])]):
        data.update(
            {
                f"tasks-{n}-id": str(task.pk),
                f"tasks-{n}-plan": str(first.pk),
                f"tasks-{n}-number": number,
                f"tasks-{n}-category": task.category,
                f"tasks-{n}-title": task.title,
                f"tasks-{n}-due_date": day,
                f"tasks-{n}-weight": "1",
            }
        )
    response = office_client.post(reverse("admin:tasks_plan_change", args=[first.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _rows(office_client.get(url).content.decode()) == [
        ("2", due[1]),
        ("2", due[1]),
        ("3", due[2]),
        ("3", due[2]),
    ]


@pytest.mark.django_db(transaction=True)
def test_tasks_0008_fills_the_assignments_written_before_it(today, unit_a, unit_b):
    plan = Plan.objects.create(year=2026, title="迁移前的清单")
    tasks = [make_task(plan, str(n), due=today + dt.timedelta(days=n)) for n in range(3)]
    for task in tasks:
        Assignment.objects.create(task=task, unit=unit_a)
        Assignment.objects.create(task=task, unit=unit_b)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("tasks")[0]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("tasks", "0007_report_month_index")])
        old = executor.loader.project_state(("tasks", "0007_report_month_index")).apps
        Old = old.get_model("tasks", "Task")
        Old.objects.filter(pk=tasks[0].pk).update(number="10")  # no trigger to see it
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([latest])
    assert_in_step()
    assert len(copies()) == 6


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
@pytest.mark.parametrize("plan_query", ["one", "every"])
def test_the_overviews_page_of_rows_is_read_in_order_from_an_index(
    plan_query, lists, today, rf, office_user
):
    """No sort of a list's assignments for the page's 50 rows: the index gives them in
    order. (The data here is small: with scans and sorts discouraged, a sort is still
    planned when no index gives the order; at issue 11's volume PostgreSQL picks the
    index itself.)"""
    first = lists[0]
    params = QueryDict(f"plan={first.pk}" if plan_query == "one" else "plan=")
    request = rf.get("/tasks/overview/", params)
    request.user = office_user
    rows = filtered_assignments(request, today, params).qs.values(
        *overview_html.OVERVIEW_ROW_FIELDS
    )[:50]
    sql, sql_params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, sql_params)
        plan_text = "\n".join(row[0] for row in cursor.fetchall())
    index = "assignment_plan_list_order" if plan_query == "one" else "assignment_list_order"
    assert index in plan_text and "Sort" not in plan_text, plan_text
