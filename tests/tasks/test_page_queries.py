"""The task pages' queries, written down: the same at 10 and at 500 assignments (issue 11),
and the overview's totals added up from its units' rows instead of counted again."""

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from portal.units.models import Unit
from tasks import selectors
from tasks.models import Assignment, ProgressReport, Task
from tasks.views.common import filtered_assignments
from tests.factories import UnitFactory
from tests.tasks.overview_page import page_count, shown_totals, totals_shown

pytestmark = pytest.mark.django_db


def _assign(plan, units, tasks_per_unit: int, today, *, start: int = 0) -> None:
    """``tasks_per_unit`` tasks for each unit, in every state, some reported this month."""
    S = Assignment.Status
    tasks = Task.objects.bulk_create(
        [
            Task(
                plan=plan,
                number=f"{start + n + 1}",
                title=f"任务{start + n + 1}",
                category=["思想引领", "素质提升", "权益维护"][n % 3],
                due_date=today + dt.timedelta(days=n % 40 - 10),
            )
            for n in range(tasks_per_unit)
        ]
    )
    now = dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC)
    statuses = [S.PENDING, S.ACKNOWLEDGED, S.IN_PROGRESS, S.CLOSED]
    assignments = Assignment.objects.bulk_create(
        [
            Assignment(
                task=task,
                unit=unit,
                status=statuses[(n + k) % 4],
                acknowledged_at=None if statuses[(n + k) % 4] == S.PENDING else now,
                closed_at=now if statuses[(n + k) % 4] == S.CLOSED else None,
            )
            for n, task in enumerate(tasks)
            for k, unit in enumerate(units)
        ]
    )
    ProgressReport.objects.bulk_create(
        [
            ProgressReport(assignment=a, period=f"{today:%Y-%m}", text="进展", submitted_at=now)
            for a in assignments[::3]
        ]
    )


@pytest.fixture
def units(unit_a, unit_b):
    return [unit_a, unit_b] + [UnitFactory(name=f"成员单位{n}") for n in range(8)]


@pytest.mark.parametrize(
    "persona, url, queries",
    [
        # the session with the user and their unit; the rows with their count (COUNT(*) OVER
        # ()), whether the unit has unread 催办 (none: no query for them) and the ranks
        # of their plans and categories (the whole list on one page: the filter's
        # choices without a statement of their own)
        ("unit_a", "/tasks/", 2),
        # the session with the user and the office group test, the user's permissions
        # (on PostgreSQL, not after the first request: kept under the permission tables'
        # stamp, read with the session); plans and categories (the current task list
        # shown by default among them), units; the rates by unit and by category in one
        # statement on PostgreSQL (their sum is the total and the count, no COUNT of
        # their own), the page's rows
        ("office", "/tasks/overview/", 5 if connection.vendor == "postgresql" else 7),
    ],
    indirect=["persona"],
)
def test_task_page_queries_are_a_fixed_number(
    persona, url, queries, plan, units, today, django_assert_num_queries
):
    _assign(plan, units, 1, today)  # 10 assignments
    persona.get(url)
    with django_assert_num_queries(queries):
        small = persona.get(url)
    _assign(plan, units, 49, today, start=1)  # 500
    with django_assert_num_queries(queries):
        big = persona.get(url)
    assert small.status_code == big.status_code == 200
    # a full page of the 500: each row's 编号 cell
    assert big.content.decode().count('<td data-label="编号">') == 50


def test_the_totals_are_the_sum_of_the_units_rows(plan, units, today, office_client):
    _assign(plan, units, 30, today)
    Unit.objects.filter(pk=units[0].pk).update(name="Z 最后的单位")
    queryset = Assignment.objects.with_light(today)
    rows = selectors.rate_rows(
        queryset, label="unit__name", key="unit_id", param="unit", params=QueryDict(), today=today
    )
    assert selectors.totals_of(rows, today) == selectors.totals(queryset, today)
    html = office_client.get("/tasks/overview/").content.decode()
    assert shown_totals(html) == totals_shown(selectors.totals(queryset, today))
    assert page_count(html) == 6  # 300 rows, 50 a page


def _shown(rows):
    """The rows without the unit's name and order (the label and the order show them)."""
    return [
        {k: v for k, v in row.items() if k not in ("unit__name", "unit__ordering")} for row in rows
    ]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "plan=&page=3",
        "unit=1&q=任务&page=2",
        "category=素质提升&light=red",
        "status=closed&unit=x",
    ],
)
def test_the_overview_rates_are_those_of_rate_rows(query, plan, units, today, rf, office_user):
    """The one statement behind the overview's rates counts as ``rate_rows`` does, on
    assignments in every state, extended (closed by the task's date, by the extension's
    or later), uncategorised, filtered or not; its drill-down links are the same."""
    _assign(plan, units, 12, today)
    Task.objects.filter(number__in=["1", "2"]).update(category="")
    extended = Assignment.objects.order_by("pk")[::5]
    for n, a in enumerate(extended):
        due = a.task.due_date
        closed_at = dt.datetime.combine(
            due + dt.timedelta(days=n % 3), dt.time(23, 30), tzinfo=timezone.get_current_timezone()
        )
        Assignment.objects.filter(pk=a.pk).update(
            extended_due_date=due + dt.timedelta(days=1), closed_at=closed_at
        )
    params = QueryDict(query)
    request = rf.get("/tasks/overview/", params)
    request.user = office_user
    queryset = filtered_assignments(request, today).qs
    by_unit, by_category = selectors.overview_rates(queryset, params=params, today=today)
    orm_unit, orm_category = selectors.rate_rows_by_unit_and_category(
        queryset, params=params, today=today
    )
    assert _shown(by_unit) == _shown(orm_unit) and by_category == orm_category
    if query in ("", "plan=&page=3"):
        assert by_unit and by_category and any(row["on_time_extended"] for row in by_unit)


def test_the_lists_light_follows_the_day(plan, unit_a, today, rf, office_user):
    """The lit list is built once per day and kept: another day lights it afresh."""
    task = Task.objects.create(
        plan=plan, number="9", title="任务", due_date=today + dt.timedelta(days=3)
    )
    Assignment.objects.create(task=task, unit=unit_a)  # 待签收
    request = rf.get("/tasks/overview/")
    request.user = office_user

    def lights(day):
        return list(filtered_assignments(request, day).qs.values_list("light", flat=True))

    assert lights(today) == ["yellow"]  # due within the week
    assert lights(today + dt.timedelta(days=4)) == ["red"]  # overdue by then
    assert lights(today) == ["yellow"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_the_months_reports_are_read_from_an_index(plan, units, today):
    """The lights' "reported this month": PostgreSQL hashes the month's reports that were
    not returned once per statement; an index finds them, not a scan of every report
    (read with sequential scans disabled, as the data here is small; at issue 11's
    volume it is an index-only scan)."""
    _assign(plan, units, 5, today)
    reports = ProgressReport.objects.filter(period=f"{today:%Y-%m}").exclude(
        review_status=ProgressReport.Review.RETURNED
    )
    sql, params = reports.order_by().values("assignment_id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan_text = "\n".join(row[0] for row in cursor.fetchall())
    assert "report_month_not_returned" in plan_text, plan_text  # index only, or bitmap
