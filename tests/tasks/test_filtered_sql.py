"""The overview's statements compiled once per filter shape (``tasks.filtered_sql``) are the
ORM's, parameter for parameter, for every filter and with values other than those they
were compiled with; every persona's shape is kept apart (issue 11)."""

import datetime as dt

import pytest
from django.db import connection
from django.http import QueryDict

from tasks import filtered_sql, overview_html, selectors
from tasks.models import Assignment, ProgressReport, Task
from tasks.views.common import filtered_assignments
from tests.factories import UnitFactory
from tests.tasks.overview_page import shown_rows

pytestmark = pytest.mark.django_db

BUILDS = {
    "rows": lambda queryset: queryset.values(*overview_html.OVERVIEW_ROW_FIELDS),
    "rates": lambda queryset: queryset.order_by().values(*selectors.RATES_COLUMNS),
}


@pytest.fixture
def data(plan, unit_a, unit_b, today):
    S = Assignment.Status
    units = [unit_a, unit_b, UnitFactory(name="成员单位")]
    tasks = [
        Task.objects.create(
            plan=plan,
            number=str(n),
            title=f"任务{n} 100%_完成",
            category=["思想引领", "素质提升", "null", ""][n % 4],
            due_date=today + dt.timedelta(days=n * 3 - 12),
        )
        for n in range(8)
    ]
    now = dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC)
    statuses = list(S)
    for n, task in enumerate(tasks):
        for k, unit in enumerate(units):
            status = statuses[(n + k) % len(statuses)]
            a = Assignment.objects.create(
                task=task,
                unit=unit,
                role=Assignment.Role.LEAD if k == 0 else Assignment.Role.COOPERATE,
                status=status,
                acknowledged_at=None if status == S.PENDING else now,
                completion_requested_at=now if status == S.COMPLETION_REQUESTED else None,
                closed_at=now if status == S.CLOSED else None,
                extended_due_date=task.due_date + dt.timedelta(days=5) if n % 3 == 0 else None,
            )
            if (n + k) % 2:
                ProgressReport.objects.create(
                    assignment=a, period=f"{today:%Y-%m}", text="进展", submitted_at=now
                )
    return units


def _queries(plan, units):
    u1, u2 = units[0].pk, units[1].pk
    # (query, another of the same shape)
    return [
        ("", ""),
        (f"plan={plan.pk}", f"plan={plan.pk + 1000}"),
        (f"unit={u1}", f"unit={u2}"),
        ("q=任务1", "q=100%_"),
        ("q=完成", "q=\\"),
        ("category=思想引领", "category=素质提升"),
        ("category=null", "category=思想引领"),
        ("role=lead", "role=cooperate"),
        ("status=closed", "status=pending"),
        ("light=red", "light=yellow"),
        ("light=green", "light=done"),
        ("extended=yes", "extended=yes"),
        ("extended=no", "extended=no"),
        ("ordering=-due", "ordering=-due"),
        ("ordering=number&status=closed", "ordering=number&status=in_progress"),
        ("ordering=-progress&page=2", "ordering=-progress&page=3"),
        (
            f"plan={plan.pk}&unit={u1}&q=任务&category=素质提升&role=lead&light=yellow&ordering=due",
            f"plan={plan.pk}&unit={u2}&q=务&category=思想引领&role=cooperate&light=red&ordering=due",
        ),
        ("unit=x", "plan=nope"),
        ("plan=", "plan=&q="),
    ]


def _orm(filterset, build):
    queryset = build(filterset.qs)
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except Exception:  # EmptyResultSet: the filters match nothing
        return None
    return sql, list(params)


def _kept(filterset, key, user, day):
    found = filtered_sql.statement(filterset, key, BUILDS[key], user=user, day=day)
    return None if found is None else (found[0], found[1])


@pytest.mark.parametrize("key", sorted(BUILDS))
@pytest.mark.parametrize("persona", ["office_user", "user_a", "user_b"])
def test_kept_statements_are_the_orms(key, persona, data, plan, today, rf, request):
    user = request.getfixturevalue(persona)
    filtered_sql._kept.clear()
    for first, second in _queries(plan, data):
        for query in (first, second, first):
            req = rf.get("/tasks/overview/", QueryDict(query))
            req.user = user
            filterset = filtered_assignments(req, today)
            assert _kept(filterset, key, user, today) == _orm(filterset, BUILDS[key]), query
    assert filtered_sql._kept, "shapes are kept"


def test_every_filter_shape_is_kept(data, plan, today, rf, office_user):
    """No filter falls back to compiling each time: each is marked, or part of the key."""
    filtered_sql._kept.clear()
    for query, _other in _queries(plan, data):
        req = rf.get("/tasks/overview/", QueryDict(query))
        req.user = office_user
        filterset = filtered_assignments(req, today)
        if filtered_sql._shape(filterset) is None:
            continue  # an invalid form: nothing to compile
        assert filtered_sql._template(filterset, BUILDS["rows"]) is not False, query


def test_personas_do_not_share_statements(data, plan, today, rf, user_a, user_b):
    """A unit user's kept statement names the unit: another unit's request of the same
    shape gets its own, with its own rows."""
    filtered_sql._kept.clear()
    seen = []
    for user in (user_a, user_b):
        req = rf.get("/tasks/overview/", QueryDict("status=closed"))
        req.user = user
        filterset = filtered_assignments(req, today)
        sql, params, compiled = filtered_sql.statement(
            filterset, "rows", BUILDS["rows"], user=user, day=today
        )
        rows = filtered_sql.rows(connection, sql, params, compiled)
        assert rows == list(BUILDS["rows"](filterset.qs))
        assert {row["unit_id"] for row in rows} == {user.unit_id}
        seen.append(rows)
    assert seen[0] != seen[1]


def test_a_new_day_compiles_anew(data, plan, today, rf, office_user):
    req = rf.get("/tasks/overview/")
    req.user = office_user
    for day in (today, today + dt.timedelta(days=40), today):
        filterset = filtered_assignments(req, day)
        assert _kept(filterset, "rows", office_user, day) == _orm(filterset, BUILDS["rows"])


@pytest.mark.parametrize("query", ["", "plan=&ordering=-progress", "light=yellow"])
def test_the_overview_rows_are_the_querysets(query, data, plan, today, rf, office_client):
    """The page's rows through the kept statement are those of the filtered queryset."""
    response = office_client.get("/tasks/overview/?" + query)
    req = rf.get("/tasks/overview/", QueryDict(query))
    req.user = response.wsgi_request.user
    filterset = filtered_assignments(req, today)
    expected = list(filterset.qs.values(*overview_html.OVERVIEW_ROW_FIELDS))
    bottom = (int(req.GET.get("page") or 1) - 1) * 50
    shown = shown_rows(response.content.decode())
    assert shown == [row["pk"] for row in expected[bottom : bottom + 50]]
