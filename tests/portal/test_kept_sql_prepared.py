"""portal/kept_sql.py's prepared statements (PostgreSQL): the server keeps the plan of
a statement asked for with ``prepare=True``; the rows are the ORM's, the page's query
count does not change, and a server that lost the statement is served all the same."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bulletins.models import Issue
from bulletins.visible_issue import visible_issue
from portal import kept_sql
from portal.kept_sql import Param, compile_query
from tests.factories import INTERNAL, PUBLIC, UserFactory, make_issue

FIELDS = ("pk", "series__name", "year", "title", "issue_date", "visibility")

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PREPARE is PostgreSQL's")


def _by_pk():
    return Issue.objects.published().filter(pk=Param("pk")).values(*FIELDS)


@pytest.fixture(autouse=True)
def _forget_prepared():
    """Statements these tests lose (DEALLOCATE) are forgotten for the next tests on
    the connection too."""
    yield
    if connection.vendor == "postgresql" and connection.connection is not None:
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
    kept_sql._prepared_on.clear()


def _prepared_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_placeholders_are_numbered_and_literal_percent_signs_kept():
    name, text = kept_sql._prepared_form(
        "SELECT a FROM t WHERE b LIKE '%%x' AND c = %s AND d = %s OR e = '100%%'"
    )
    assert text == "SELECT a FROM t WHERE b LIKE '%x' AND c = $1 AND d = $2 OR e = '100%'"
    assert name.startswith("kept_") and name.isidentifier()
    # Equal statements share a name; others do not.
    assert kept_sql._prepared_form("SELECT %s")[0] == kept_sql._prepared_form("SELECT %s")[0]
    assert kept_sql._prepared_form("SELECT %s")[0] != kept_sql._prepared_form("SELECT 1")[0]


@pytest.mark.django_db
def test_sqlite_runs_the_plain_statement():
    query = compile_query(_by_pk(), prepare=True)
    assert (query.prepared is not None) == (connection.vendor == "postgresql")


@postgresql
@pytest.mark.django_db(transaction=True)
def test_rows_are_the_orms_and_the_statement_is_prepared_once():
    made = [make_issue("published", PUBLIC, title=f"简报{n}") for n in range(3)]
    query = compile_query(_by_pk(), prepare=True)
    name = query.prepared[0]
    for issue in made:
        assert query.dicts({"pk": issue.pk}) == list(
            Issue.objects.published().filter(pk=issue.pk).values(*FIELDS)
        )
    assert query.dicts({"pk": 10**9}) == []
    assert name in _prepared_names()
    # A warm connection: one statement a run, the EXECUTE.
    with CaptureQueriesContext(connection) as captured:
        query.rows({"pk": made[0].pk})
    assert [q["sql"].split("(")[0] for q in captured.captured_queries] == [f"EXECUTE {name}"]


@postgresql
@pytest.mark.django_db
def test_a_slice_takes_the_plain_path():
    make_issue("published", PUBLIC)
    query = compile_query(Issue.objects.published().values(*FIELDS), prepare=True)
    with CaptureQueriesContext(connection) as captured:
        query.rows(limit=1)
    assert captured.captured_queries[0]["sql"].startswith("SELECT")


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_statement_the_server_lost_is_prepared_again():
    issue = make_issue("published", PUBLIC, title="仍然可读")
    query = compile_query(_by_pk(), prepare=True)
    assert query.dicts({"pk": issue.pk})[0]["title"] == "仍然可读"
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's reset does
    assert query.dicts({"pk": issue.pk})[0]["title"] == "仍然可读"
    assert query.prepared[0] in _prepared_names()


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_reset_loses_every_statement_and_none_fails_inside_a_transaction():
    """A reset loses all of a connection's statements: the next runs prepare each
    again outside a transaction, and inside one the plain statement runs."""
    issue = make_issue("published", PUBLIC, title="事务里")
    first = compile_query(_by_pk(), prepare=True)
    second = compile_query(Issue.objects.filter(pk=Param("pk")).values("pk", "title"), prepare=True)
    first.rows({"pk": issue.pk})
    second.rows({"pk": issue.pk})
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert first.dicts({"pk": issue.pk})[0]["title"] == "事务里"
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert second.rows({"pk": issue.pk}) == [(issue.pk, "事务里")]
    assert captured.captured_queries[0]["sql"].startswith("SELECT")
    assert second.rows({"pk": issue.pk}) == [(issue.pk, "事务里")]
    assert {first.prepared[0], second.prepared[0]} <= _prepared_names()


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_value_execute_would_cast_takes_the_plain_statement():
    """EXECUTE casts 1.5 to the id 2; the plain statement finds no issue 1.5."""
    first = make_issue("published", PUBLIC, title="甲")
    second = make_issue("published", PUBLIC, title="乙")
    query = compile_query(Issue.objects.filter(pk=Param("pk")).values("pk", "title"), prepare=True)
    assert query.rows({"pk": second.pk}) == [(second.pk, "乙")]
    assert query.rows({"pk": first.pk + 0.5}) == []


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_that_cannot_keep_a_statement_runs_plain_sql(monkeypatch):
    """Behind a pooler in transaction mode PREPARE and EXECUTE may meet different
    servers: lost again right after preparing, the connection stops preparing."""
    issue = make_issue("published", PUBLIC, title="连接池")
    kept_sql._prepared_on.clear()
    real = kept_sql._prepare

    def prepare_then_lose(connection_, name, text):
        real(connection_, name, text)
        with connection_.connection.cursor() as cursor:
            cursor.execute(f"DEALLOCATE {name}")

    monkeypatch.setattr(kept_sql, "_prepare", prepare_then_lose)
    query = compile_query(_by_pk(), prepare=True)
    assert query.dicts({"pk": issue.pk})[0]["title"] == "连接池"
    with CaptureQueriesContext(connection) as captured:
        assert query.dicts({"pk": issue.pk})[0]["title"] == "连接池"
    assert captured.captured_queries[0]["sql"].startswith("SELECT")
    kept_sql._prepared_on.clear()


@postgresql
@pytest.mark.django_db(transaction=True)
def test_a_stale_plan_after_a_column_changed_type_is_replaced():
    issue = make_issue("published", PUBLIC, title="改了列类型")
    query = compile_query(_by_pk(), prepare=True)
    for _ in range(6):  # past the custom plans: the server keeps a generic one
        query.rows({"pk": issue.pk})
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE bulletins_issue ALTER COLUMN title TYPE text")
    try:
        assert query.dicts({"pk": issue.pk})[0]["title"] == "改了列类型"
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE bulletins_issue ALTER COLUMN title TYPE varchar(200)")


@postgresql
@pytest.mark.django_db
def test_turned_off_nothing_is_prepared(settings):
    settings.KEPT_SQL_PREPARE = False
    with connection.cursor() as cursor:  # what earlier tests prepared on this connection
        cursor.execute("DEALLOCATE ALL")
    kept_sql._prepared_on.clear()
    issue = make_issue("published", PUBLIC)
    query = compile_query(_by_pk(), prepare=True)
    with CaptureQueriesContext(connection) as captured:
        assert query.dicts({"pk": issue.pk})
    assert captured.captured_queries[0]["sql"].startswith("SELECT")
    assert query.prepared[0] not in _prepared_names()


@pytest.mark.django_db
def test_the_issue_lookup_answers_each_audience_as_before():
    """visible_issue, prepared on PostgreSQL: each audience sees what visible_to gives."""
    public = make_issue("published", PUBLIC, issue_date=dt.date(2024, 3, 1))
    internal = make_issue("published", INTERNAL)
    draft = make_issue("draft", PUBLIC)
    member = UserFactory()
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), member):
        for issue in (public, internal, draft):
            for _ in range(2):  # the first run prepares, the second executes
                found = visible_issue(user, issue.pk, ("title", "series__name"))
                expected = Issue.objects.visible_to(user).filter(pk=issue.pk).exists()
                assert (found is not None) == expected
                if found is not None:
                    assert found.title == issue.title
                    assert found.series.name == issue.series.name
