"""Each document's tokens carry its kind (``¦kissue``) on PostgreSQL.

The candidate query then keeps to the kinds a reader may see inside the GIN
index (engine.newest_sql): an anonymous search no longer reads, and throws away,
every progress report and task that holds the words (issue 11). Existing rows get
the lexeme here; new ones from index._write. SQLite's FTS5 store is unchanged.
"""

from django.db import migrations

KIND_PREFIX = "\u00a6k"  # models.kind_lexeme


def _set_tokens(schema_editor, tokens: str):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"UPDATE search_searchtext AS t SET tokens = {tokens} "
        "FROM search_searchdocument AS d "
        "WHERE d.sort_key = t.document_id AND t.tokens IS NOT NULL",
        [KIND_PREFIX],
    )
    # Move the updated entries out of the GIN index's pending list now, rather than
    # have every search scan the list until autovacuum gets to it.
    schema_editor.execute(
        "SELECT gin_clean_pending_list(c.oid) FROM pg_class c "
        "WHERE c.relname = 'search_doc_tokens_gin' AND c.relkind = 'i'"
    )


def add_kind_lexemes(apps, schema_editor):
    _set_tokens(schema_editor, "t.tokens || array_to_tsvector(ARRAY[%s || d.kind])")


def remove_kind_lexemes(apps, schema_editor):
    _set_tokens(schema_editor, "ts_delete(t.tokens, %s || d.kind)")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_documents_by_content_type")]

    operations = [migrations.RunPython(add_kind_lexemes, remove_kind_lexemes, elidable=False)]
