"""A unit's /tasks/ rows through ``tasks_unit_assignments`` (tasks 0011, PostgreSQL): the
function runs the ORM's statement of the unfiltered list, so it must stay that
statement (its text is checked against the ORM's), give the rows the ORM gives for
every unit, month and page, and be what the page reads."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.kept_sql import compile_query
from tasks.models import Assignment, Plan, ProgressReport
from tasks.services import send_reminder
from tasks.views.common import PAGE_SIZE
from tasks.views.units import _list_query, _list_rows
from tests.factories import UnitFactory, UserFactory, make_task

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL function"),
]

MIGRATION = importlib.import_module("tasks.migrations.0011_unit_assignment_list")
# A unit id no other value of the statement equals (its CASE's 0 and 1, say).
UNIT_PK = 987_654_321


def _function_query(kept, unit_id: int, period: str) -> str:
    """The kept statement's SQL with the unit's id and the month written as the
    function's arguments, every other value as its literal."""
    from psycopg2.extensions import AsIs

    def argument(value):
        if value == unit_id:
            return AsIs("p_unit")
        if value == period:
            return AsIs("p_period")
        return value

    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(kept.sql, [argument(p) for p in kept.params]).decode()


def test_the_function_runs_the_orms_statement(today):
    """Fails when the ORM's statement of a unit's list changes (its columns, order,
    visibility, the light's probe): then the function needs a migration of its own."""
    unit = UnitFactory(pk=UNIT_PK)
    user = UserFactory(unit=unit)
    kept = compile_query(_list_query(today, user, unit.pk))
    query = _function_query(kept, unit.pk, f"{today:%Y-%m}")
    assert "p_unit" in query and "p_period" in query
    assert query == MIGRATION.QUERY
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'tasks_unit_assignments'")
        (source,) = cursor.fetchone()
    assert f"RETURN QUERY {query} LIMIT p_limit OFFSET p_offset;" in source


@pytest.fixture
def lists(plan, unit_a, unit_b, user_a, user_b, office_user, today):
    """Unit A: 60 assignments (two pages) in every state, some extended, reported this
    month, last month or returned, of three plans and several categories, two with an
    unread 催办 notice; unit B: three, none unread; unit C: none."""
    plans = [
        plan,
        Plan.objects.create(year=2025, title="b 清单", status=Plan.Status.ACTIVE),
        Plan.objects.create(year=2025, title="B 清单", status=Plan.Status.ACTIVE),
    ]
    categories = ["素质提升", "", "b类", "B类", "思想引领"]
    statuses = list(Assignment.Status)
    now = timezone.now()
    made = []
    for n in range(60):
        task = make_task(
            plans[n % 3],
            f"{n % 7}.{n}",
            due=today + dt.timedelta(days=n % 20 - 8),
            start=None if n % 4 else today - dt.timedelta(days=40),
            category=categories[n % 5],
        )
        status = statuses[n % len(statuses)]
        made.append(
            Assignment.objects.create(
                task=task,
                unit=unit_a,
                status=status,
                acknowledged_at=None if status == Assignment.Status.PENDING else now,
                completion_requested_at=now,
                closed_at=now if status == Assignment.Status.CLOSED else None,
                progress=n,
                extended_due_date=today + dt.timedelta(days=3) if n % 9 == 0 else None,
            )
        )
        if n < 3:
            Assignment.objects.create(task=task, unit=unit_b)
    months = [f"{today:%Y-%m}", f"{today - dt.timedelta(days=31):%Y-%m}"]
    for n, assignment in enumerate(made[::4]):
        ProgressReport.objects.create(
            assignment=assignment,
            period=months[n % 2],
            text="进展",
            review_status=(
                ProgressReport.Review.RETURNED if n % 3 == 0 else ProgressReport.Review.PENDING
            ),
        )
    open_ones = [a for a in made if a.status != Assignment.Status.CLOSED][:2]
    send_reminder(assignments=open_ones, by=office_user, message="请抓紧")
    user_c = UserFactory(unit=UnitFactory(name="无任务单位"))
    return {"a": user_a, "b": user_b, "c": user_c}


def _typed(rows: list[dict]) -> list[dict]:
    """Each value with its type: the function's rows go as psycopg2 fetches them."""
    return [{name: (type(value), value) for name, value in row.items()} for row in rows]


def test_the_function_gives_the_orms_rows(lists, today):
    for day in (today, today + dt.timedelta(days=31), today - dt.timedelta(days=31)):
        for name, user in lists.items():
            unit_id = user.unit_id
            who = ("unit", unit_id)
            queryset = _list_query(day, user, unit_id)
            for number in (1, 2, 3):
                rows = _list_rows(day, user, who, unit_id, number)
                offset = (number - 1) * PAGE_SIZE
                expected = list(queryset[offset : offset + PAGE_SIZE])
                assert _typed(rows) == _typed(expected), (name, day, number)
    page_1 = _list_rows(today, lists["a"], ("unit", lists["a"].unit_id), lists["a"].unit_id, 1)
    assert len(page_1) == PAGE_SIZE and page_1[0]["list_count"] == 60
    assert page_1[0]["unread_notices"] is True
    assert {row["reported"] for row in page_1} == {True, False}


def test_a_units_list_reads_the_function(client_a, office_client, assignment_a, assignment_b):
    with CaptureQueriesContext(connection) as captured:
        assert client_a.get("/tasks/").status_code == 200
    assert sum("tasks_unit_assignments(" in q["sql"] for q in captured.captured_queries) == 1
    with CaptureQueriesContext(connection) as captured:
        assert office_client.get("/tasks/").status_code == 200
    assert not any("tasks_unit_assignments(" in q["sql"] for q in captured.captured_queries)
