"""The overview's statements kept per process under the tasks' stamp (tasks 0010,
tasks/stamp.py; PostgreSQL): read again, the page asks the stamp only; any change to
what it shows (a report, a task's date, an assignment, a unit, a list, the day),
whatever the path, shows at once, for every filter; nothing is kept inside a
transaction or without the stamp's row."""

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks import stamp as tasks_stamp
from tasks.models import Assignment, Plan, ProgressReport, Task
from tests.factories import UnitFactory, make_plan, make_task

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="tasks 0010's stamp: PostgreSQL"
)

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
TABLES = re.compile(r'\b(?:FROM|JOIN)\s+"(\w+)"')
URL = "/tasks/overview/"


@pytest.fixture
def lists(unit_a, unit_b, today):
    """Last year's list and this year's, tasks due from 15 days ago to 25 days ahead,
    assigned to three units, some reported this month (every light), and to six more
    (two pages of the whole list)."""
    old = make_plan(2025, "2025年度清单", status=Plan.Status.CLOSED)
    current = make_plan(2026, "2026年度清单", status=Plan.Status.ACTIVE)
    units = [unit_a, unit_b, UnitFactory(name="第三单位", short_name="")]
    month = today.strftime("%Y-%m")
    for n in range(9):
        task = make_task(
            old if n % 3 == 0 else current,
            f"{n + 1}.1",
            category=["思想引领", "素质提升", ""][n % 3],
            due=today + dt.timedelta(days=n * 5 - 15),
        )
        for k, unit in enumerate(units[: 1 + n % 3]):
            assignment = Assignment.objects.create(
                task=task, unit=unit, role=["lead", "cooperate"][k % 2]
            )
            if (n + k) % 2:
                ProgressReport.objects.create(assignment=assignment, period=month, text="进展")
    more = [UnitFactory(name=f"单位{n}", ordering=n) for n in range(6)]
    Assignment.objects.bulk_create(
        [Assignment(task=task, unit=unit) for task in Task.objects.all() for unit in more]
    )
    return old, current


def page(client, query: str = "", language: str = "zh-hans") -> str:
    response = client.get(f"{URL}?{query}" if query else URL, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, query
    return CSRF.sub("", response.content.decode())


def fresh(client, query: str = "", language: str = "zh-hans") -> str:
    """The page as a new process writes it: nothing kept."""
    tasks_stamp.forget()
    return page(client, query, language)


def stamp_now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM tasks_overview_stamp")
        return cursor.fetchone()[0]


def run(sql: str, params=()) -> None:
    """``sql`` in a transaction of its own, committed (the tests below run in
    autocommit): no signal, no ORM."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def queries_of(lists):
    old, current = lists
    return [
        "",
        "plan=",
        f"plan={old.pk}",
        "plan=&page=2",
        "q=任务&plan=",
        "category=素质提升&light=red",
        "light=yellow&plan=",
        "status=pending&role=lead",
        "extended=yes",
        "extended=no&ordering=-due",
        "ordering=progress&plan=",
        "unit=x",
        "plan=99999",
        "q=没有这样的任务",
    ]


def test_the_kept_statements_read_only_the_stamped_tables(
    lists, unit_a, office_client, monkeypatch
):
    """Every statement whose rows are kept reads only tables tasks 0010 watches, for
    every filter the page offers (a new join elsewhere would make kept rows stale)."""
    keys = []
    kept = tasks_stamp.kept

    def recording(stamp, using, key, fetch):
        keys.append(key)
        return kept(stamp, using, key, fetch)

    monkeypatch.setattr(tasks_stamp, "kept", recording)
    for query in [*queries_of(lists), f"unit={unit_a.pk}&plan="]:
        before = len(keys)
        page(office_client, query)
        # the plans, the units, the rates and (unless nothing is found) the rows
        assert len(keys) - before >= (2 if query in ("unit=x", "plan=99999") else 3), query
    read = {table for _kind, sql, _params in keys if sql for table in TABLES.findall(sql)}
    assert {"tasks_assignment", "tasks_progressreport", "units_unit"} <= read
    assert read <= tasks_stamp.STAMPED_TABLES


@pytest.mark.django_db(transaction=True)
def test_read_again_the_page_asks_only_the_session_and_the_stamp(
    lists, office_client, django_assert_num_queries
):
    first = fresh(office_client, "plan=")
    with django_assert_num_queries(2):  # the session's statement, the stamp
        again = page(office_client, "plan=")
    assert again == first
    run("UPDATE units_unit SET ordering = ordering")
    with django_assert_num_queries(6):  # as without the stamp, once it moved
        page(office_client, "plan=")


CHANGES = {
    # The month's report of a yellow assignment arrives (through the ORM).
    "report": lambda: ProgressReport.objects.create(
        assignment=Assignment.objects.filter(
            reports__isnull=True, task__due_date__gt=timezone.localdate() + dt.timedelta(days=7)
        )
        .order_by("pk")
        .first(),
        period=timezone.localdate().strftime("%Y-%m"),
        text="本月进展",
    ),
    "report returned": lambda: run("UPDATE tasks_progressreport SET review_status = 'returned'"),
    "report deleted": lambda: run("DELETE FROM tasks_progressreport"),
    "task due": lambda: run(
        "UPDATE tasks_task SET due_date = due_date - 20 WHERE number IN ('5.1', '8.1')"
    ),
    "task category": lambda: run(
        "UPDATE tasks_task SET category = '组织保障' WHERE number = '2.1'"
    ),
    "task start": lambda: run(
        "UPDATE tasks_task SET start_date = due_date - 1 WHERE number IN ('8.1', '9.1')"
    ),
    "closed": lambda: run(
        "UPDATE tasks_assignment SET status = 'closed', closed_at = now(), "
        "acknowledged_at = now() WHERE id IN (SELECT min(id) FROM tasks_assignment GROUP BY unit_id)"
    ),
    "extended": lambda: run(
        "UPDATE tasks_assignment SET extended_due_date = %s",
        [timezone.localdate() + dt.timedelta(days=60)],
    ),
    "progress": lambda: run("UPDATE tasks_assignment SET progress = 70"),
    "assignment deleted": lambda: Assignment.objects.filter(unit__short_name="").delete(),
    "unit": lambda: run("UPDATE units_unit SET name = '改名的单位' WHERE short_name = ''"),
    # Reversed whatever ids the sequence has reached (ordering is a positive integer).
    "unit order": lambda: run(
        "UPDATE units_unit SET ordering = (SELECT max(id) FROM units_unit) + 1 - id"
    ),
    # Last year's list in progress again, this year's closed: the page shows last year's.
    "list": lambda: run(
        "UPDATE tasks_plan SET status = CASE WHEN year = 2026 THEN 'closed' ELSE 'active' END"
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", CHANGES)
def test_a_change_shows_at_once_whatever_the_path(change, lists, office_client):
    old, _current = lists
    queries = ["", "plan=", f"plan={old.pk}", "light=yellow&plan=", "ordering=progress&plan="]
    before = {q: fresh(office_client, q) for q in queries}
    assert all(page(office_client, q) == before[q] for q in queries)  # kept
    CHANGES[change]()
    after = {q: page(office_client, q) for q in queries}
    assert after != before
    for q in queries:
        assert after[q] == fresh(office_client, q), q


@pytest.mark.django_db(transaction=True)
def test_the_next_day_and_month_show_their_lights(lists, office_client, office_user, today):
    before = fresh(office_client, "plan=")
    assert page(office_client, "plan=") == before
    # The last day of the month, then the first of the next: due dates come nearer,
    # and this month's reports stop counting.
    last = today.replace(day=28) + dt.timedelta(days=4)
    last -= dt.timedelta(days=last.day)
    for day in (today + dt.timedelta(days=3), last, last + dt.timedelta(days=1)):
        moment = dt.datetime.combine(day, dt.time(0, 0, 1), tzinfo=timezone.get_current_timezone())
        with time_machine.travel(moment, tick=False):
            office_client.force_login(office_user)  # (signed out when idle for days)
            shown = page(office_client, "plan=")
            assert shown != before, day
            assert shown == fresh(office_client, "plan="), day
            before = shown
    assert settings.TIME_ZONE == "Asia/Shanghai"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_filter_reads_its_own_rows(lists, office_client, language):
    queries = queries_of(lists)
    written = {q: fresh(office_client, q, language) for q in queries}
    assert len(set(written.values())) == len(queries)
    for q in reversed(queries):  # each kept, in another order
        assert page(office_client, q, language) == written[q], q
        assert page(office_client, q, language) == written[q], q


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_nothing_kept_is_read(lists, office_client):
    before = fresh(office_client, "plan=")
    assert page(office_client, "plan=") == before
    with transaction.atomic():
        run("UPDATE tasks_assignment SET progress = 55")
        inside = page(office_client, "plan=")
        assert inside != before and ">55%<" in inside
        transaction.set_rollback(True)
    assert page(office_client, "plan=") == before


@pytest.mark.django_db(transaction=True)
def test_the_stamp_moves_when_the_writer_commits_and_holds_no_lock_before(lists):
    writer = connection.get_new_connection(connection.get_connection_params())
    try:
        start = stamp_now()
        with writer.cursor() as cursor:
            cursor.execute("UPDATE tasks_task SET due_date = due_date + 1")
            cursor.execute("UPDATE tasks_assignment SET progress = 10")
        # Not committed: the stamp neither moved nor is locked.
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM tasks_overview_stamp FOR UPDATE NOWAIT")
            assert cursor.fetchone()[0] == start
        writer.commit()
        assert stamp_now() != start
    finally:
        writer.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO tasks_plan (year, title, description, status, created_at) VALUES (2030, '新清单', '', 'draft', now())",
        "UPDATE tasks_task SET title = title",
        "DELETE FROM tasks_progressreport",
        "UPDATE tasks_assignment SET progress = progress",
        "UPDATE units_unit SET name = name",
        "TRUNCATE tasks_progressreport CASCADE",
    ],
)
def test_each_table_moves_the_stamp(statement, lists):
    start = stamp_now()
    run(statement)
    assert stamp_now() != start


@pytest.mark.django_db(transaction=True)
def test_without_the_stamps_row_every_statement_runs(
    lists, office_client, django_assert_num_queries
):
    run("DELETE FROM tasks_overview_stamp")
    try:
        written = fresh(office_client)
        with django_assert_num_queries(6):
            assert page(office_client) == written
        run("UPDATE tasks_assignment SET progress = 66")
        assert page(office_client) != written
    finally:
        run("INSERT INTO tasks_overview_stamp (id, value) VALUES (1, gen_random_uuid())")


def test_with_a_test_transaction_the_page_reads_every_statement(lists, office_client):
    """The suite's tests run inside a transaction: the page runs its statements."""
    page(office_client)
    with CaptureQueriesContext(connection) as captured:
        page(office_client)
    assert not any("tasks_overview_stamp" in q["sql"] for q in captured.captured_queries)
    assert any("GROUPING SETS" in q["sql"] for q in captured.captured_queries)
