"""The move to documents keyed by content type (search 0002) keeps every document, both ways.

With rows in the table: on PostgreSQL the data step leaves foreign-key checks
pending, which an empty test database never shows.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portal.search.models import SearchDocument
from tests.factories import make_issue, make_meeting

from .conftest import tokens_of_d

OLD = ("search", "0001_search_documents")
FIELDS = ("sort_key", "kind", "content_type_id", "object_id", "group", "title", "label")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor


@pytest.mark.django_db(transaction=True)
def test_documents_move_to_the_old_foreign_keys_and_back_unchanged(today):
    issue = make_issue(title="迁移前后", body="<p>正文不变。</p>")
    meeting = make_meeting(title="联席会议", key_points="<p>研究部署。</p>")
    before = list(SearchDocument.objects.order_by("pk").values(*FIELDS))
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("search")[0]
    try:
        executor = _migrate(OLD)
        Old = executor.loader.project_state(OLD).apps.get_model("search", "SearchDocument")
        old_issue = Old.objects.get(kind="issue")
        assert (old_issue.issue_id, old_issue.series_id) == (issue.pk, issue.series_id)
        assert not old_issue.label.startswith(issue.series.name)  # the old page added it
        assert Old.objects.get(kind="meeting").meeting_id == meeting.pk
    finally:
        _migrate(latest)
    assert list(SearchDocument.objects.order_by("pk").values(*FIELDS)) == before
    issue_document = next(d for d in before if d["kind"] == "issue")
    assert issue_document["label"].startswith(f"{issue.series.name} · ")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_kind_lexeme_is_written_with_the_tokens_and_filled_by_search_0003(today):
    """engine.newest_sql keeps to the reader's kinds through a ``¦k<kind>`` lexeme:
    index._write adds it, and search 0003 adds it to documents written before."""
    make_issue(title="词素迁移", body="<p>正文。</p>")
    make_meeting(title="联席会议", key_points="<p>研究部署。</p>")

    def kinds_in_tokens():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.kind FROM search_searchdocument d WHERE {tokens_of_d()} "
                "@@ ('''\u00a6k' || d.kind || '''')::tsquery ORDER BY d.kind"
            )
            return [row[0] for row in cursor.fetchall()]

    assert kinds_in_tokens() == ["issue", "meeting"]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("search")[0]
    try:
        _migrate(("search", "0002_documents_by_content_type"))
        assert kinds_in_tokens() == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM search_searchtext WHERE tokens IS NOT NULL")
            assert cursor.fetchone()[0] == 2  # the rest kept
    finally:
        _migrate(latest)
    assert kinds_in_tokens() == ["issue", "meeting"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector is PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_search_0005_moves_the_tokens_and_their_index_both_ways(today):
    """The tokens go from the text rows to the documents' own (a narrow row for the time
    windows to read), with the GIN index, and back, unchanged."""
    from portal.search import engine
    from portal.search.text import parse_query

    make_issue(title="词素搬家", body="<p>产业工人队伍。</p>")
    make_meeting(title="联席会议", key_points="<p>产业工人座谈。</p>")

    def tokens():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.sort_key, {tokens_of_d()}::text FROM search_searchdocument d "
                "ORDER BY d.sort_key"
            )
            return cursor.fetchall()

    def indexed_table():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename FROM pg_indexes WHERE indexname = 'search_doc_tokens_gin'"
            )
            return [row[0] for row in cursor.fetchall()]

    before = tokens()
    assert len(before) == 2 and all(t for _key, t in before)
    assert indexed_table() == ["search_searchdocument"]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("search")[0]
    try:
        _migrate(("search", "0004_audience_lexemes"))
        assert tokens() == before
        assert indexed_table() == ["search_searchtext"]
    finally:
        _migrate(latest)
    assert tokens() == before
    assert indexed_table() == ["search_searchdocument"]
    assert engine.find(SearchDocument.objects.all(), parse_query("工人")).total == 2
