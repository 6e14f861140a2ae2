"""search_newest (search 0006), the bare candidate lookup on PostgreSQL: the newest
matches of the time windows, as a plain sorted scan of every match finds them, with the
windows newer than the newest document skipped (issue 11)."""

import datetime as dt
from collections import Counter

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
    """search_newest's answer: the keys, and the matches counted per (kind, group,
    year), or None when ``limit`` keys came back (capped)."""
    monkeypatch.setattr(engine, "LIMIT", limit - 1)
    sql, params = engine.newest_sql(SearchDocument.objects.all(), query, bare=True)
    assert sql is engine.NEWEST_CALL
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        [(keys, *grouped, known)] = cursor.fetchall()
    assert known is False  # no page asked for (search 0009)
    if grouped[0] is None:
        assert len(keys) == limit and grouped == [None] * 4
        return keys, None
    assert len(keys) < limit or limit <= 0
    counts = dict(zip(zip(*grouped[:3], strict=True), grouped[3], strict=True))
    assert len(counts) == len(grouped[0])  # each (kind, group, year) once
    return keys, counts


def _expected(query, limit):
    """What search_newest says of ``_truth``: capped when ``limit`` rows match."""
    rows = _truth(query, limit)
    keys = [row[0] for row in rows]
    if limit > 0 and len(rows) == limit:
        return keys, None
    return keys, dict(Counter(row[1:] for row in rows))


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
        assert _newest(query, limit, monkeypatch) == _expected(query, limit), limit


@pytest.mark.parametrize(
    "now", [dt.datetime(2040, 3, 1, tzinfo=dt.UTC), dt.datetime(2019, 5, 5, 12, tzinfo=dt.UTC)]
)
def test_long_after_and_among_the_documents(spread, now, monkeypatch):
    """Long after the newest document (every window up to it skipped) and with most
    documents in the future window."""
    query = parse_query("工人")
    with time_machine.travel(now, tick=False):
        for limit in range(1, len(DATES) + 2):
            assert _newest(query, limit, monkeypatch) == _expected(query, limit), limit


@pytest.mark.django_db
def test_no_documents_and_no_limit(monkeypatch):
    query = parse_query("工人")
    assert _newest(query, 5, monkeypatch) == ([], {})
    make_issue(title="产业工人", body="<p>工人。</p>")
    assert _newest(query, 0, monkeypatch) == ([], {})
    assert _newest(query, 5, monkeypatch) == _expected(query, 5)
    assert len(_expected(query, 5)[0]) == 1


@pytest.mark.django_db
def test_find_uses_it_when_bare_and_gives_what_the_windows_gave(spread, monkeypatch):
    """engine.find through the function: the keys, kinds, cap and facets of the
    documents a sorted scan finds."""
    query = parse_query("工人")
    scope = SearchDocument.objects.all()
    for limit, order in [(2, engine.NEWEST), (2, engine.RELEVANCE), (1000, engine.NEWEST)]:
        monkeypatch.setattr(engine, "LIMIT", limit)
        outcome = engine.find(scope, query, order=order, indexed=(scope, None, True))
        rows = _truth(query, limit + 1)
        newest = [row[0] for row in rows[:limit]]
        if order == engine.RELEVANCE:  # the same keys, best first
            assert sorted(outcome.keys) == newest
        else:
            assert outcome.keys == newest
        assert outcome.kinds == {row[0]: row[1] for row in rows[:limit]}
        assert outcome.capped == (len(rows) > limit)
        assert dict(outcome.kinds) == {row[0]: row[1] for row in rows[:limit]}
        for key, kind in outcome.kinds.items():
            assert outcome.kinds[key] == kind
        with pytest.raises(KeyError):
            outcome.kinds[rows[-1][0] + 1]
        joined = engine.find(scope, query, order=order, indexed=(scope, None, False))
        assert (joined.keys, joined.kinds, joined.capped, joined.facets) == (
            outcome.keys,
            outcome.kinds,
            outcome.capped,
            outcome.facets,
        )


# The ends of what a sort key encodes (models.MINUTE_BITS: 1970 up to 2225), year ends
# and starts (a window of twelve months or more takes a whole year as its year lexeme),
# and months far apart, so that the windows double many times.
EDGES = [
    dt.date(1970, 1, 1),  # before the first minute a key encodes (the site's zone): clamped
    dt.date(1970, 2, 1),
    dt.date(1999, 12, 31),
    dt.date(2000, 1, 2),
    dt.date(2011, 6, 15),
    dt.date(2020, 12, 31),
    dt.date(2021, 1, 2),
    dt.date(2021, 2, 1),
    dt.date(2099, 12, 31),
    dt.date(2229, 12, 31),  # after the last minute a key encodes: clamped
]


@pytest.mark.parametrize(
    "now", [dt.datetime(2026, 6, 10, tzinfo=dt.UTC), dt.datetime(1985, 1, 1, tzinfo=dt.UTC)]
)
@pytest.mark.django_db
def test_the_windows_start_at_the_newest_document_whatever_the_clock(now, monkeypatch):
    """search 0012 lays the windows out back from the month of the newest document,
    not from the clock: every document, from the first minute a key encodes to the
    last, is found where a sorted scan finds it, whatever the day."""
    for n, date in enumerate(EDGES):
        make_issue(title=f"产业工人第{n}期", year=min(date.year, 2200), issue_date=date)
    query = parse_query("工人")
    with time_machine.travel(now, tick=False):
        for limit in range(1, len(EDGES) + 2):
            assert _newest(query, limit, monkeypatch) == _expected(query, limit), limit


@pytest.mark.django_db
def test_the_windows_start_at_the_newest_document_the_reader_may_see(monkeypatch):
    """With the kept rows (search 0009/0010), the windows start at the month of the
    newest document of the reader's scope lexemes: public issues of many years under
    a crowd of newer internal ones, each limit's keys those of a sorted scan."""
    from tests.factories import INTERNAL

    with connection.cursor() as cursor:
        cursor.execute("SELECT search_recount_lexemes(1)")
    for n, date in enumerate(EDGES[:-1]):
        make_issue(title=f"产业工人第{n}期", year=min(date.year, 2200), issue_date=date)
    for n in range(6):
        make_issue(
            visibility=INTERNAL, title=f"内部工人第{n}期", issue_date=dt.date(2100 + n * 20, 3, 1)
        )
    query = parse_query("工人")
    scope = ["\u00a6vissue.public"]
    for limit in range(1, len(EDGES) + 2):
        monkeypatch.setattr(engine, "LIMIT", limit - 1)
        sql, params = engine.newest_sql(
            SearchDocument.objects.all(), query, lexemes=scope, bare=True
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            [(keys, *_grouped, _known)] = cursor.fetchall()
            cursor.execute(
                "SELECT d.sort_key FROM search_searchdocument d WHERE d.tokens @@ %s::tsquery "
                "ORDER BY d.sort_key LIMIT %s",
                [f"{query.tsquery()} & '{scope[0]}'", limit],
            )
            assert keys == [row[0] for row in cursor.fetchall()], limit
