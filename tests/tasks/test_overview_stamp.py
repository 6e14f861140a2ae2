"""The overview's statements kept per process under the tasks' stamp (tasks 0010 and
0012, tasks/stamp.py; PostgreSQL): read again, the page asks the stamp only; any
change to what it shows (a report, a task's date, an assignment, a unit, a list, the
day), whatever the path, shows at once, for every filter; nothing is kept inside a
transaction or without the stamp's base row. The stamp (tasks 0012: a row per
backend, summed) moves at every commit that writes its tables, never comes back to a
value it had, and no writer waits for another's stamp: a commit that waits for a
row at its foreign-key checks deadlocks nobody."""

import datetime as dt
import re
import threading
import time
from importlib import import_module

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
    """The stamp as ``tasks_stamp.current`` reads it: ("epoch/base row's xmin", sum of
    the values)."""
    with connection.cursor() as cursor:
        cursor.execute(tasks_stamp.STAMP_SQL)
        return cursor.fetchone()


def epoch(stamp) -> str:
    """The epoch part of a stamp (its first part is ``epoch/xmin of the base row``)."""
    return stamp[0].split("/")[0]


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
        # Not committed: the stamp neither moved nor is any of its rows locked.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM tasks_overview_stamps FOR UPDATE NOWAIT")
        assert stamp_now() == start
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
    run("DELETE FROM tasks_overview_stamps WHERE pid = 0")  # the base row
    try:
        written = fresh(office_client)
        with django_assert_num_queries(6):
            assert page(office_client) == written
        run("UPDATE tasks_assignment SET progress = 66")
        assert page(office_client) != written
    finally:
        run(
            "INSERT INTO tasks_overview_stamps (pid, started, value, epoch) "
            "VALUES (0, '-infinity', 0, gen_random_uuid())"
        )


def test_with_a_test_transaction_the_page_reads_every_statement(lists, office_client):
    """The suite's tests run inside a transaction: the page runs its statements."""
    page(office_client)
    with CaptureQueriesContext(connection) as captured:
        page(office_client)
    assert not any("tasks_overview_stamp" in q["sql"] for q in captured.captured_queries)
    assert any("GROUPING SETS" in q["sql"] for q in captured.captured_queries)


# Tasks 0012: the stamp without a shared lock. Raw connections of their own, committing
# for real; none may wait more than LOCK_TIMEOUT, and PostgreSQL looks for deadlocks
# after 100 ms.
LOCK_TIMEOUT = "5s"
REPORT = (
    "INSERT INTO tasks_progressreport (assignment_id, period, text, percent, "
    "requests_completion, review_status, review_comment, version) "
    "VALUES (%s, '2026-06', '进展', 10, false, 'pending', '', 1)"
)
DEAD_PID = 2_100_000_000  # above any pid Linux gives (at most 2**22)


def connect():
    raw = connection.get_new_connection(connection.get_connection_params())
    with raw.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute("SET deadlock_timeout = '100ms'")
    raw.commit()
    return raw


def pid_of(raw) -> int:
    with raw.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def commit_on_new_backend(*statements) -> int:
    """``statements`` (SQL, parameters) in one transaction of a new connection,
    committed; the connection closed. Returns its backend's pid."""
    writer = connect()
    try:
        with writer.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
        writer.commit()
        return pid_of(writer)
    finally:
        writer.close()


def commit_in_thread(raw, failures: list) -> threading.Thread:
    def commit():
        try:
            raw.commit()
        except Exception as error:  # a deadlock or a lock timeout
            failures.append(error)

    thread = threading.Thread(target=commit)
    thread.start()
    return thread


def wait_until_blocked(pid: int) -> None:
    """Until backend ``pid`` waits for a lock (at most 5 s)."""
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.05)
    raise AssertionError(f"backend {pid} never waited for a lock")


def stamp_rows() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid, started, value FROM tasks_overview_stamps WHERE pid <> 0")
        return {(pid, started): value for pid, started, value in cursor.fetchall()}


def base_value():
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM tasks_overview_stamps WHERE pid = 0")
        return cursor.fetchone()[0]


def two_assignments():
    a, b = Assignment.objects.order_by("pk").values_list("pk", flat=True)[:2]
    return a, b


@pytest.mark.django_db(transaction=True)
def test_a_commit_waiting_for_a_foreign_key_row_deadlocks_nobody(lists):
    """Found by the seventh pass's review of tasks 0010: T1 updates assignment A and
    inserts a report naming assignment B; T2 takes B ``FOR UPDATE``, writes a stamped
    table and commits; T1 commits. Tasks 0010's trigger took search 0011's lock at
    T1's commit before T1's foreign-key check waited for B, and T2's commit waited for
    that lock: PostgreSQL stopped one. Since tasks 0012 both commit."""
    a, b = two_assignments()
    first, second = connect(), connect()
    failures = []
    try:
        with first.cursor() as cursor:
            cursor.execute("UPDATE tasks_assignment SET progress = 11 WHERE id = %s", [a])
            cursor.execute(REPORT, [b])
        with second.cursor() as cursor:
            cursor.execute("SELECT 1 FROM tasks_assignment WHERE id = %s FOR UPDATE", [b])
            cursor.execute("UPDATE tasks_assignment SET progress = 22 WHERE id = %s", [b])
        start = stamp_now()
        thread = commit_in_thread(first, failures)
        wait_until_blocked(first.info.backend_pid)
        try:
            second.commit()
        except Exception as error:  # the deadlock, with tasks 0010
            failures.append(error)
        thread.join(10)
        assert not thread.is_alive()
    finally:
        first.close()
        second.close()
    assert failures == []
    assert stamp_now() != start
    assert Assignment.objects.get(pk=a).progress == 11
    assert Assignment.objects.get(pk=b).progress == 22
    assert ProgressReport.objects.filter(assignment_id=b, percent=10).exists()


@pytest.mark.django_db(transaction=True)
def test_a_writer_held_in_its_commit_holds_up_no_other_writer(lists):
    """T1 has stamped and waits at its commit (a foreign-key row a third transaction
    holds); T2, with a larger value, writes and commits meanwhile without waiting, and
    the stamp moves; T1's commit, with the smaller value, moves it again (the largest
    value would not have moved)."""
    a, b = two_assignments()
    first, second, holder = connect(), connect(), connect()
    failures = []
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT 1 FROM tasks_assignment WHERE id = %s FOR UPDATE", [b])
        with first.cursor() as cursor:
            cursor.execute("UPDATE tasks_assignment SET progress = 11 WHERE id = %s", [a])
            cursor.execute(REPORT, [b])
        start = stamp_now()
        thread = commit_in_thread(first, failures)
        wait_until_blocked(first.info.backend_pid)
        with second.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
            cursor.execute("UPDATE units_unit SET name = name")
            cursor.execute("UPDATE tasks_task SET title = title")
        second.commit()  # no wait for T1's stamp (a lock timeout with tasks 0010)
        after_second = stamp_now()
        assert after_second != start
        assert thread.is_alive()  # T1 still waits for the row
        holder.rollback()
        thread.join(10)
        assert not thread.is_alive()
    finally:
        first.close()
        second.close()
        holder.close()
    assert failures == []
    after_first = stamp_now()
    assert after_first not in (start, after_second)
    assert after_first[1] > after_second[1] > start[1]


@pytest.mark.django_db(transaction=True)
def test_the_stamp_does_not_wait_for_the_search_indexs_commits(lists):
    """Tasks 0010 took search 0011's advisory lock at every commit that wrote the five
    tables: a rebuild of the index held them up. Tasks 0012 takes no such lock."""
    kept_lock = import_module("portal.search.migrations.0011_kept_counts_at_commit").KEPT_LOCK
    indexer, writer = connect(), connect()
    try:
        with indexer.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [kept_lock])
        start = stamp_now()
        with writer.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")
            cursor.execute("UPDATE tasks_assignment SET progress = 33")
        writer.commit()
        assert stamp_now() != start
    finally:
        indexer.close()
        writer.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_each_write_their_own_row(lists):
    """Two writers, both inside their transactions, commit one after the other without
    waiting; each writes its backend's row once a transaction, and the stamp moves at
    each commit."""
    first, second = connect(), connect()
    try:
        with first.cursor() as cursor:
            cursor.execute("UPDATE tasks_task SET title = title")
            cursor.execute("UPDATE tasks_assignment SET progress = 1")
        with second.cursor() as cursor:
            cursor.execute("UPDATE units_unit SET name = name")
            cursor.execute("DELETE FROM tasks_progressreport")
        seen = [stamp_now()]
        second.commit()
        seen.append(stamp_now())
        first.commit()
        seen.append(stamp_now())
        rows = stamp_rows()
        mine = {
            key: value for key, value in rows.items() if key[0] in (pid_of(first), pid_of(second))
        }
        assert len(mine) == 2
    finally:
        first.close()
        second.close()
    assert len(set(seen)) == 3
    assert seen[0][1] < seen[1][1] < seen[2][1]


@pytest.mark.django_db(transaction=True)
def test_exited_backends_are_pruned_and_the_stamp_does_not_move_back(lists):
    """A new backend's first stamp folds the rows of backends that no longer exist
    into the base row: the sum moves by its own value only. A row of an earlier
    backend with a pid in use again (another start) is one of them, and the new
    backend's own row never repeats an old value."""
    own = pid_of(connection.connection)
    before, base = stamp_rows(), base_value()
    run(
        "INSERT INTO tasks_overview_stamps (pid, started, value) VALUES "
        "(%s, now() - interval '1 day', nextval('tasks_overview_stamps_seq')), "
        "(%s, now() - interval '2 days', nextval('tasks_overview_stamps_seq')), "
        "(%s, '2000-01-01', nextval('tasks_overview_stamps_seq'))",
        [DEAD_PID, DEAD_PID + 1, own],
    )
    fake = set(stamp_rows()) - set(before)
    assert len(fake) == 3
    start = stamp_now()
    before = stamp_rows()
    writer = commit_on_new_backend(("UPDATE tasks_assignment SET progress = 44", ()))
    rows = stamp_rows()
    new = [value for (pid, _started), value in rows.items() if pid == writer]
    gone = set(before) - set(rows)
    assert fake <= gone  # pruned (with any other exited backend's row)
    assert base_value() == base + sum(before[key] for key in gone)  # folded
    after = stamp_now()
    assert epoch(after) == epoch(start)  # the base row's version moved (a reread)
    assert after[1] == start[1] + new[0]  # only the new backend's value moved it
    assert new[0] > max(before.values())
    # The pid in use again writes a row of its own (its real start), larger than any.
    run("UPDATE tasks_task SET title = title")
    again = stamp_now()
    assert again[1] > after[1]
    mine = [value for (pid, _started), value in stamp_rows().items() if pid == own]
    assert len(mine) == 1 and mine[0] > new[0]


@pytest.mark.django_db(transaction=True)
def test_the_table_keeps_about_one_row_per_backend(lists):
    """Pool churn: backends that write once and exit leave rows only until the next
    new backend's first stamp."""
    exited, sizes = [], []
    for n in range(6):
        exited.append(commit_on_new_backend(("UPDATE tasks_assignment SET progress = %s", [n])))
        sizes.append(len([pid for pid, _started in stamp_rows() if pid in exited]))
    # Each new backend pruned those that had exited: one or two are left, not six.
    assert max(sizes) <= 2, sizes
    for _ in range(100):  # until the closed backends have left pg_stat_activity
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [exited])
            if not cursor.fetchone()[0]:
                break
        time.sleep(0.05)
    seen = [stamp_now()]
    writer = commit_on_new_backend(("UPDATE tasks_assignment SET progress = 99", ()))
    seen.append(stamp_now())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM tasks_overview_stamps s WHERE pid NOT IN (0, %s) AND NOT EXISTS "
            "(SELECT FROM pg_stat_activity a WHERE a.pid = s.pid AND a.backend_start = s.started)",
            [writer],
        )
        assert cursor.fetchone()[0] == 0  # no row of an exited backend left but the last's
    assert seen[1][1] > seen[0][1]


@pytest.mark.django_db(transaction=True)
def test_a_repeatable_read_writer_moves_the_stamp_and_leaves_pruning(lists):
    run(
        "INSERT INTO tasks_overview_stamps (pid, started, value) "
        "VALUES (%s, now(), nextval('tasks_overview_stamps_seq'))",
        [DEAD_PID],
    )
    start = stamp_now()
    commit_on_new_backend(
        ("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", ()),
        ("UPDATE tasks_assignment SET progress = 12", ()),
    )
    assert stamp_now()[1] > start[1]
    assert any(pid == DEAD_PID for pid, _started in stamp_rows())  # left to the next
    run("DELETE FROM tasks_overview_stamps WHERE pid = %s", [DEAD_PID])


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_or_transaction_leaves_the_stamp(lists):
    start = stamp_now()
    writer = connect()
    try:
        with writer.cursor() as cursor:
            cursor.execute("UPDATE tasks_assignment SET progress = 12")
            cursor.execute("SET CONSTRAINTS tasks_overview_stamp IMMEDIATE")
        writer.rollback()
        assert stamp_now() == start
        with writer.cursor() as cursor:
            cursor.execute("SAVEPOINT s")
            cursor.execute("UPDATE tasks_assignment SET progress = 13")
            cursor.execute("SET CONSTRAINTS tasks_overview_stamp IMMEDIATE")
            cursor.execute("ROLLBACK TO SAVEPOINT s")
            cursor.execute("SET CONSTRAINTS tasks_overview_stamp DEFERRED")
            cursor.execute("UPDATE units_unit SET name = name")  # stamps again
        writer.commit()
    finally:
        writer.close()
    assert stamp_now()[1] > start[1]


@pytest.mark.django_db(transaction=True)
def test_the_previous_releases_reader_and_restore_still_work(lists):
    """Tasks 0010's code, serving until its workers restart after ``migrate`` (or
    rolled back to), reads ``tasks_overview_stamp``'s one value and renews it after a
    restore: the view's value moves with the stamp, and its update gives a new epoch."""

    def previous():
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM tasks_overview_stamp WHERE id = 1")
            return cursor.fetchone()[0]

    seen = [(stamp_now(), previous())]
    run("UPDATE tasks_assignment SET progress = 5")
    seen.append((stamp_now(), previous()))
    assert previous() == previous()
    commit_on_new_backend(("TRUNCATE tasks_progressreport CASCADE", ()))
    seen.append((stamp_now(), previous()))
    run("UPDATE tasks_overview_stamp SET value = gen_random_uuid()")  # its restore
    seen.append((stamp_now(), previous()))
    assert epoch(seen[-1][0]) != epoch(seen[-2][0])  # a new epoch
    assert len({new for new, _old in seen}) == len({old for _new, old in seen}) == 4


@pytest.mark.django_db(transaction=True)
def test_a_restore_moves_the_stamp_even_when_the_epoch_stays(lists):
    """The previous release's restore renews only the stamp tables that
    ``introspection.table_names()`` lists, and ``tasks_overview_stamp`` is a view
    here: the epoch stays. pg_restore writes every row again, same values, so the
    base row's version moves the stamp, for this release's reader and the view."""

    def previous():
        with connection.cursor() as cursor:
            cursor.execute("SELECT value FROM tasks_overview_stamp WHERE id = 1")
            return cursor.fetchone()[0]

    assert "tasks_overview_stamp" not in connection.introspection.table_names()
    run("UPDATE tasks_assignment SET progress = 7")
    before, before_view = stamp_now(), previous()
    # What pg_restore does to the table: its rows written again, as they were.
    run(
        "CREATE TEMP TABLE saved AS SELECT * FROM tasks_overview_stamps; "
        "DELETE FROM tasks_overview_stamps; "
        "INSERT INTO tasks_overview_stamps SELECT * FROM saved; DROP TABLE saved"
    )
    after = stamp_now()
    assert (epoch(after), after[1]) == (epoch(before), before[1])
    assert after != before
    assert previous() != before_view
