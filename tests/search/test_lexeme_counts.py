"""The documents per lexeme and each scope's newest kept beside the index (search 0009,
0010, PostgreSQL) and the search that stops at the page's keys when they prove a result
capped (issue 11): the counts kept are exact through every write, each scope's newest
never later than the truth, and a search told the page gives the keys, cap, total and
facets of one that reads them all."""

import datetime as dt

import pytest
from django.db import connection

from portal.search import engine
from portal.search.models import SearchDocument
from portal.search.text import parse_query
from tests.factories import INTERNAL, make_issue

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the kept counts are PostgreSQL's"
)


def _recount(min_docs=1):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_recount_lexemes(%s)", [min_docs])


def _at_commit():
    """Run the pending row events of search 0011's deferred trigger, as a commit would
    (a test's transaction never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS search_lexeme_docs_row IMMEDIATE")
        cursor.execute("SET CONSTRAINTS search_lexeme_docs_row DEFERRED")


def _kept() -> dict[str, int]:
    _at_commit()
    with connection.cursor() as cursor:
        cursor.execute("SELECT lexeme, n FROM search_lexeme_docs")
        return dict(cursor.fetchall())


def _truth() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l, count(*) FROM search_searchdocument AS d, "
            "unnest(tsvector_to_array(d.tokens)) AS l GROUP BY l"
        )
        truth = dict(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM search_searchdocument")
        truth[""] = cursor.fetchone()[0]
    return truth


def _assert_exact():
    kept, truth = _kept(), _truth()  # _kept runs the pending events first
    assert "" in kept
    assert {lexeme: n for lexeme, n in kept.items() if n != truth.get(lexeme, 0)} == {}
    with connection.cursor() as cursor:  # search 0010: at most each scope's newest key
        cursor.execute(
            "SELECT l, min(d.sort_key) FROM search_searchdocument AS d, "
            "unnest(tsvector_to_array(d.tokens)) AS l "
            "WHERE starts_with(l, '¦v') OR starts_with(l, '¦k') GROUP BY l"
        )
        newest = dict(cursor.fetchall())
        cursor.execute("SELECT lexeme, newest FROM search_scope_newest")
        seen = dict(cursor.fetchall())
    assert {lexeme for lexeme, key in newest.items() if seen.get(lexeme, key + 1) > key} == set()


def _issues(n, **fields):
    return [
        make_issue(
            title=f"产业工人第{i}期",
            issue_date=dt.date(2026, 1 + i % 12, 1 + i % 27),
            year=2026,
            body="<p>产业工人队伍建设改革。</p>" if i % 2 else "<p>工人。</p>",
            **fields,
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_the_counts_follow_every_write(today):
    _recount()
    assert _kept() == {"": 0}
    issues = _issues(3) + _issues(2, visibility=INTERNAL)
    _recount()
    _assert_exact()
    kept = set(_kept())
    more = _issues(2)  # inserts
    _assert_exact()
    issue = issues[0]
    issue.title = "全市改革试点部署会议"  # tokens change
    issue.save()
    _assert_exact()
    issue.visibility = INTERNAL  # an audience lexeme changes
    issue.save()
    _assert_exact()
    with connection.cursor() as cursor:  # a statement that changes no tokens
        cursor.execute("UPDATE search_searchdocument SET label = label || '·'")
    _assert_exact()
    more[0].delete()
    issues[3].delete()
    _assert_exact()
    assert set(_kept()) == kept  # a lexeme gets a row only when recounted
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_searchtext")
        cursor.execute("DELETE FROM search_searchdocument")
    _assert_exact()
    assert _kept()[""] == 0


@pytest.mark.django_db
def test_nothing_is_kept_without_the_documents_row(today):
    _issues(2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_lexeme_docs")
    _issues(2)
    assert _kept() == {}
    _recount()
    _assert_exact()


QUERIES = ["工人", "产业工人", "工人 改革", "队伍建设改革", "没有的词", "改革"]


@pytest.mark.django_db
@pytest.mark.parametrize("scope", [None, ["¦vissue.public"], ["¦vissue.public", "¦kissue"]])
def test_the_page_keys_are_those_of_the_whole_result(today, scope, monkeypatch):
    _issues(14)
    _issues(5, visibility=INTERNAL)
    for date in (dt.date(2026, 12, 15), dt.date(2027, 3, 1)):  # the newest are internal
        make_issue(title="产业工人内部", year=date.year, issue_date=date, visibility=INTERNAL)
    _recount()
    documents = SearchDocument.objects.all()
    for limit in (3, 8, 30):
        monkeypatch.setattr(engine, "LIMIT", limit)
        for words in QUERIES:
            query = parse_query(words)
            whole = engine.find(documents, query, indexed=(documents, scope, True))
            assert whole.count is None
            joined = engine.find(documents, query, indexed=(documents, scope, False))
            assert (whole.keys, whole.capped, whole.facets) == (
                joined.keys,
                joined.capped,
                joined.facets,
            )
            for need in range(1, limit + 3):
                part = engine.find(documents, query, indexed=(documents, scope, True), need=need)
                case = (limit, words, need)
                assert part.capped == whole.capped, case
                assert part.total == whole.total, case
                assert part.keys[:need] == whole.keys[:need], case
                assert part.facets == whole.facets, case
                assert dict(part.kinds) == {k: whole.kinds[k] for k in part.keys}, case
                if part.count is not None:  # stopped at the page's keys
                    assert part.keys == whole.keys[:need] and need < limit + 1, case
            relevance = engine.find(
                documents, query, order=engine.RELEVANCE, indexed=(documents, scope, True), need=1
            )
            assert relevance.count is None  # relevance ranks the whole LIMIT
    # The bound served: 工人 is in every document, public in 14 of 21 (a document
    # holds both of the last scope's lexemes: the bound takes the larger count).
    monkeypatch.setattr(engine, "LIMIT", 3)
    query = parse_query("工人")
    part = engine.find(documents, query, indexed=(documents, scope, True), need=2)
    assert (part.count, len(part.keys)) == (3, 2)


def test_keys_needed():
    assert engine.keys_needed(None, 20) == 20
    assert engine.keys_needed("", 20) == 20
    assert engine.keys_needed("3", 20) == 60
    assert engine.keys_needed("0", 20) is None
    assert engine.keys_needed("-1", 20) is None
    assert engine.keys_needed("x", 20) is None
    assert engine.keys_needed("51", 20) == 1020  # past the last page: all keys, a 404
    assert engine.keys_needed("52", 20) is None
    assert engine.keys_needed("9" * 30, 20) is None


@pytest.mark.django_db
def test_a_full_rebuild_counts_afresh(today):
    from portal.search import index

    _issues(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_lexeme_docs")
    index.rebuild(reset=True)
    assert _kept()[""] == 3  # lexemes in fewer than KEPT_MIN_DOCS documents: none kept
    _assert_exact()


def _connect():
    import psycopg2

    settings = connection.settings_dict
    raw = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        password=settings["PASSWORD"] or None,
    )
    raw.cursor().execute("SET deadlock_timeout = '100ms'")
    return raw


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_the_index_never_deadlock():
    """Found by the review of search 0009/0010: T1 indexes an issue, T2 a meeting (its
    trigger held the meeting's scope row and waited for the '' row), T1 then a
    meeting: PostgreSQL stopped one of them. Since search 0011 the kept rows are
    written at commit, one transaction at a time: both commit, and the counts are
    those of a recount."""
    import threading

    from django.contrib.contenttypes.models import ContentType

    _recount()
    content_type = ContentType.objects.get_for_model(SearchDocument).pk
    insert = (
        "INSERT INTO search_searchdocument "
        "(sort_key, kind, title, label, content_type_id, object_id, tokens) "
        "VALUES (%s, %s, 't', 'l', %s, %s, %s::tsvector)"
    )
    first, second = _connect(), _connect()
    failures = []
    try:
        first.cursor().execute(insert, (101, "issue", content_type, 101, "'¦kissue' 'a'"))

        def meeting():
            try:
                cursor = second.cursor()
                cursor.execute(insert, (202, "meeting", content_type, 202, "'¦kmeeting' 'b'"))
                second.commit()
            except Exception as error:  # the deadlock, before search 0011
                failures.append(error)

        thread = threading.Thread(target=meeting)
        thread.start()
        thread.join(1)  # T2 has written (and, before 0011, waits for T1)
        try:
            first.cursor().execute(insert, (103, "meeting", content_type, 103, "'¦kmeeting' 'c'"))
            first.commit()
        except Exception as error:
            failures.append(error)
        thread.join(10)
        assert not thread.is_alive()
    finally:
        first.close()
        second.close()
    assert failures == []
    _assert_exact()
    assert _kept()[""] == 3
