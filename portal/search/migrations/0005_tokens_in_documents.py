"""The tokens move from the text rows to the documents (PostgreSQL; issue 11).

A search's time windows (engine.newest_sql) read a heap row for each match the GIN
index gives. In ``search_searchtext`` that row holds the folded text in line (search
0001: confirming a long word costs 6 µs instead of 17), so each match cost a whole
8 KB page: ``/search/?q=工人`` read about 1,300 pages to show 20 hits. In
``search_searchdocument`` the tsvector is stored out of line and a page holds about
forty documents; the windows also return the kind, group and year from the row they
read, with no second look-up. The text stays where it was, read for the hits shown
and the words the n-grams cannot prove.

On SQLite the column is added and dropped unused (FTS5 holds the tokens there).
"""

import portal.search.models
from django.db import migrations

GIN = "search_doc_tokens_gin"


def _move(schema_editor, source: str, target: str, key: str, target_key: str):
    """Copy every tsvector from ``source`` to ``target`` and put the GIN index there."""
    schema_editor.execute(f"DROP INDEX IF EXISTS {GIN}")
    schema_editor.execute(
        f"UPDATE {target} AS x SET tokens = s.tokens FROM {source} AS s "
        f"WHERE s.{key} = x.{target_key} AND s.tokens IS NOT NULL"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {GIN} ON {target} USING gin (tokens) "
        "WITH (fastupdate = on)"
    )
    schema_editor.execute(f"ANALYZE {target}")  # the planner's statistics of the tokens


def to_documents(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _move(schema_editor, "search_searchtext", "search_searchdocument", "document_id", "sort_key")


def to_texts(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _move(schema_editor, "search_searchdocument", "search_searchtext", "sort_key", "document_id")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_audience_lexemes"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="tokens",
            field=portal.search.models.TokensField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(to_documents, to_texts, elidable=False),
        migrations.RemoveField(
            model_name="searchtext",
            name="tokens",
        ),
    ]
