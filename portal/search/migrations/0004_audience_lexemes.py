"""Each document's tokens carry who may read it (``¦vissue.public``) on PostgreSQL.

The candidate query then asks the GIN index for the reader's audiences
(visibility.token_scope), so the count and facets of a results page no longer
probe each match's object for visibility (issue 11). New rows get the lexemes from
index._write, through each kind's ``audiences``; the rows written before get them
here, by the same rules written in SQL for the six kinds of the time (a kind
registered later declares its audiences with a migration of its own):

- issue: published and public → public; published and internal → members;
  any other state → none (the office reads it as a whole kind);
- meeting: public → public, internal → members; decision: its meeting's;
- task: ``u<id>`` of each unit holding an assignment of it; report: its
  assignment's unit;
- submission (信息报送): its unit's ``u<id>``, and ``office`` once sent.

tests/search/test_audiences.py checks that this SQL and the kinds' ``audiences``
agree (a rebuild after migrating writes nothing). SQLite's FTS5 store is unchanged.
"""

from django.db import migrations

PREFIX = "\u00a6v"  # models.AUDIENCE_PREFIX

# kind -> SELECT (sort key, audience lexemes) of its documents that have any.
AUDIENCES = {
    "issue": (
        "SELECT d.sort_key, ARRAY[%(p)s || 'issue.' || CASE WHEN i.visibility = 'public' "
        "THEN 'public' ELSE 'members' END] "
        "FROM search_searchdocument d JOIN bulletins_issue i ON i.id = d.object_id "
        "WHERE d.kind = 'issue' AND i.status = 'published'"
    ),
    "meeting": (
        "SELECT d.sort_key, ARRAY[%(p)s || 'meeting.' || CASE WHEN m.visibility = 'public' "
        "THEN 'public' ELSE 'members' END] "
        "FROM search_searchdocument d JOIN bulletins_meeting m ON m.id = d.object_id "
        "WHERE d.kind = 'meeting'"
    ),
    "decision": (
        "SELECT d.sort_key, ARRAY[%(p)s || 'decision.' || CASE WHEN m.visibility = 'public' "
        "THEN 'public' ELSE 'members' END] "
        "FROM search_searchdocument d JOIN tasks_decision x ON x.id = d.object_id "
        "JOIN bulletins_meeting m ON m.id = x.meeting_id WHERE d.kind = 'decision'"
    ),
    "task": (
        "SELECT d.sort_key, array_agg(DISTINCT %(p)s || 'task.u' || a.unit_id) "
        "FROM search_searchdocument d JOIN tasks_assignment a ON a.task_id = d.object_id "
        "WHERE d.kind = 'task' GROUP BY d.sort_key"
    ),
    "report": (
        "SELECT d.sort_key, ARRAY[%(p)s || 'report.u' || a.unit_id] "
        "FROM search_searchdocument d JOIN tasks_progressreport r ON r.id = d.object_id "
        "JOIN tasks_assignment a ON a.id = r.assignment_id WHERE d.kind = 'report'"
    ),
    "submission": (
        "SELECT d.sort_key, ARRAY[%(p)s || 'submission.u' || s.unit_id] "
        "|| CASE WHEN s.sent_at IS NULL THEN ARRAY[]::text[] "
        "ELSE ARRAY[%(p)s || 'submission.office'] END "
        "FROM search_searchdocument d JOIN submissions_submission s ON s.id = d.object_id "
        "WHERE d.kind = 'submission'"
    ),
}


def _clean_pending_list(schema_editor):
    # Move the updated entries out of the GIN index's pending list now, rather than
    # have every search scan the list until autovacuum gets to it.
    schema_editor.execute(
        "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
        "WHERE c.relname = 'search_doc_tokens_gin' AND c.relkind = 'i'"
    )


def add_audience_lexemes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for select in AUDIENCES.values():
        schema_editor.execute(
            "UPDATE search_searchtext AS t SET tokens = t.tokens || array_to_tsvector(a.lexemes) "
            f"FROM ({select % {'p': '%s'}}) AS a(sort_key, lexemes) "
            "WHERE t.document_id = a.sort_key AND t.tokens IS NOT NULL",
            [PREFIX] * select.count("%(p)s"),
        )
    _clean_pending_list(schema_editor)


def remove_audience_lexemes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE search_searchtext AS t SET tokens = ts_delete(t.tokens, a.lexemes) "
        "FROM (SELECT document_id, ARRAY(SELECT lexeme FROM unnest(tokens) "
        "WHERE starts_with(lexeme, %s)) FROM search_searchtext "
        "WHERE tokens IS NOT NULL) AS a(document_id, lexemes) "
        "WHERE t.document_id = a.document_id AND cardinality(a.lexemes) > 0",
        [PREFIX],
    )
    _clean_pending_list(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_kind_lexemes"),
        ("bulletins", "0001_initial"),
        ("tasks", "0005_meeting_decisions"),
        ("submissions", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_audience_lexemes, remove_audience_lexemes, elidable=False)
    ]
