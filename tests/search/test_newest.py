"""search_newest (search 0006), the bare candidate lookup on PostgreSQL: the newest
matches of the time windows, as a plain sorted scan of every match finds them, with the
windows newer than the newest document skipped (issue 11)."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from portal.search import engine
from portal.search.models import SearchDocument
from portal.search.text import parse_query
from tests.factories import make_issue

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="search_newest is PostgreSQL's"
)

DATES = [
    dt.date(2031, 1, 5),  # the future window
    dt.date(2026, 6, 10),  # this month (the clock of ``today``)
    dt.date(2026, 5, 31),
    dt.date(2026, 3, 1),
    dt.date(2024, 7, 7),
    dt.date(2019, 5, 5),
    dt.date(1975, 2, 2),
]


def _truth(query, limit):
    """Every match in key order (newest first), up to ``limit``: a scan, no windows."""
    confirm = [w for w in query.words if query.needs_confirmation(w, phrases=False)]
    sql = (
        'SELECT d.sort_key, d.kind, d."group", d.year FROM search_searchdocument d '
        "WHERE d.tokens @@ %s::tsquery"
        + "".join(
            " AND strpos((SELECT t.text FROM search_searchtext t "
            "WHERE t.document_id = d.sort_key), %s) > 0"
            for _ in confirm
        )
        + " ORDER BY d.sort_key LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query.tsquery(), *confirm, limit])
        return cursor.fetchall()


def _newest(query, limit, monkeypatch):
    monkeypatch.setattr(engine, "LIMIT", limit - 1)
    sql, params = engine.newest_sql(SearchDocument.objects.all(), query, bare=True)
    assert sql is engine.NEWEST_CALL
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.fixture
def spread(db, today):
    for n, date in enumerate(DATES):
        make_issue(
            title=f"产业工人第{n}期",
            year=date.year,
            issue_date=date,
            body="<p>产业工人队伍建设改革。</p>" if n % 2 else "<p>工人。</p>",
        )


@pytest.mark.parametrize("words", ["工人", "产业工人", "队伍建设改革", "没有的词"])
def test_the_windows_find_what_a_sorted_scan_finds(spread, words, monkeypatch):
    query = parse_query(words)
    for limit in range(1, len(DATES) + 2):
        assert _newest(query, limit, monkeypatch) == _truth(query, limit), limit


@pytest.mark.parametrize(
    "now", [dt.datetime(2040, 3, 1, tzinfo=dt.UTC), dt.datetime(2019, 5, 5, 12, tzinfo=dt.UTC)]
)
def test_long_after_and_among_the_documents(spread, now, monkeypatch):
    """Long after the newest document (every window up to it skipped) and with most
    documents in the future window."""
    query = parse_query("工人")
    with time_machine.travel(now, tick=False):
        for limit in range(1, len(DATES) + 2):
            assert _newest(query, limit, monkeypatch) == _truth(query, limit), limit


@pytest.mark.django_db
def test_no_documents_and_no_limit(monkeypatch):
    query = parse_query("工人")
    assert _newest(query, 5, monkeypatch) == []
    make_issue(title="产业工人", body="<p>工人。</p>")
    assert _newest(query, 0, monkeypatch) == []
    assert [row[0] for row in _newest(query, 5, monkeypatch)] == [
        row[0] for row in _truth(query, 5)
    ]


@pytest.mark.django_db
def test_find_uses_it_when_bare_and_gives_what_the_windows_gave(spread, monkeypatch):
    """engine.find through the function: the keys, kinds, cap and facets of the
    documents a sorted scan finds."""
    query = parse_query("工人")
    scope = SearchDocument.objects.all()
    for limit in [2, 1000]:
        monkeypatch.setattr(engine, "LIMIT", limit)
        outcome = engine.find(scope, query, indexed=(scope, None, True))
        rows = _truth(query, limit + 1)
        assert outcome.keys == [row[0] for row in rows[:limit]]
        assert outcome.kinds == {row[0]: row[1] for row in rows[:limit]}
        assert outcome.capped == (len(rows) > limit)
        joined = engine.find(scope, query, indexed=(scope, None, False))
        assert (joined.keys, joined.capped, joined.facets) == (
            outcome.keys,
            outcome.capped,
            outcome.facets,
        )
