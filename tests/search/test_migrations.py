"""The move to documents keyed by content type (search 0002) keeps every document, both ways.

With rows in the table: on PostgreSQL the data step leaves foreign-key checks
pending, which an empty test database never shows.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portal.search.models import SearchDocument
from tests.factories import make_issue, make_meeting

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
    from django.db.models import Q

    from portal.search.models import SearchText

    make_issue(title="词素迁移", body="<p>正文。</p>")
    make_meeting(title="联席会议", key_points="<p>研究部署。</p>")

    def kinds_in_tokens():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.kind FROM search_searchtext t JOIN search_searchdocument d "
                "ON d.sort_key = t.document_id "
                "WHERE t.tokens @@ ('''\u00a6k' || d.kind || '''')::tsquery ORDER BY d.kind"
            )
            return [row[0] for row in cursor.fetchall()]

    assert kinds_in_tokens() == ["issue", "meeting"]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("search")[0]
    try:
        _migrate(("search", "0002_documents_by_content_type"))
        assert kinds_in_tokens() == []
        assert SearchText.objects.filter(~Q(tokens=None)).count() == 2  # the rest kept
    finally:
        _migrate(latest)
    assert kinds_in_tokens() == ["issue", "meeting"]
