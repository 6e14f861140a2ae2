"""The task pages' queries, written down: the same at 10 and at 500 assignments (issue 11),
and the overview's totals added up from its units' rows instead of counted again."""

import datetime as dt

import pytest
from django.http import QueryDict

from portal.units.models import Unit
from tasks import selectors
from tasks.models import Assignment, ProgressReport, Task
from tests.factories import UnitFactory

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
        # session, user, the user's unit; categories, plans, the rows with their count
        # (COUNT(*) OVER ()); unread 催办
        ("unit_a", "/tasks/", 7),
        # session, user, office group, the user's permissions (two); categories, plans,
        # units; the rates by unit and by category (their sum is the total and the
        # count, no COUNT of their own), the page's rows; the current task list shown
        # by default
        ("office", "/tasks/overview/", 12),
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
    assert len(big.context["page"].object_list) == 50  # a full page of the 500


def test_the_totals_are_the_sum_of_the_units_rows(plan, units, today, office_client):
    _assign(plan, units, 30, today)
    Unit.objects.filter(pk=units[0].pk).update(name="Z 最后的单位")
    queryset = Assignment.objects.with_light(today)
    rows = selectors.rate_rows(
        queryset, label="unit__name", key="unit_id", param="unit", params=QueryDict(), today=today
    )
    assert selectors.totals_of(rows, today) == selectors.totals(queryset, today)
    response = office_client.get("/tasks/overview/")
    assert response.context["totals"] == selectors.totals(queryset, today)
    assert response.context["page"].paginator.count == 300
