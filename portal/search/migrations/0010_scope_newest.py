"""The newest document of each scope lexeme kept, so a search skips the windows newer
than the newest document its reader may see (PostgreSQL; issue 11).

search 0006 skips the windows newer than the newest document of all; for an anonymous
reader on the benchmark's data the newest 3,127 documents are internal, and four
windows (2027, 2026-12 … 2026-10) each ran a GIN lookup finding nothing.
``search_scope_newest`` holds, for each audience and kind lexeme (``¦v…``, ``¦k…``),
a sort key at most that of its newest document: the insert and update triggers of
search 0009 lower it (a delete leaves it: still at most the newest's key, since keys
count down with time), the recount sets it afresh, TRUNCATE empties it. Kept only
while search_lexeme_docs' '' row is (the same switch): then a scope lexeme without a
row has no document at all. search_newest skips the windows newer than the newest of
the reader's scope lexemes.

On SQLite nothing is created.
"""

from importlib import import_module

from django.db import migrations

previous = import_module("portal.search.migrations.0009_lexeme_counts")

TABLE = """
CREATE TABLE IF NOT EXISTS search_scope_newest (
    lexeme text PRIMARY KEY,
    newest bigint NOT NULL
)
"""


def _replaced(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


SCOPE_ROWS = """
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO search_scope_newest AS s (lexeme, newest)
        SELECT l, min(came.sort_key) FROM came, unnest(tsvector_to_array(came.tokens)) AS l
        WHERE starts_with(l, '\u00a6v') OR starts_with(l, '\u00a6k')
        GROUP BY l ORDER BY l
        ON CONFLICT (lexeme) DO UPDATE SET newest = least(s.newest, excluded.newest);
    END IF;
"""

FOLLOW = _replaced(
    previous.FOLLOW,
    (
        "        DELETE FROM search_lexeme_docs;\n        RETURN NULL;",
        "        DELETE FROM search_lexeme_docs;\n"
        "        DELETE FROM search_scope_newest;\n        RETURN NULL;",
    ),
    ("    IF TG_OP = 'INSERT' THEN\n", SCOPE_ROWS + "    IF TG_OP = 'INSERT' THEN\n"),
)

RECOUNT = _replaced(
    previous.RECOUNT,
    (
        "    DELETE FROM search_lexeme_docs;\n",
        "    DELETE FROM search_lexeme_docs;\n"
        "    LOCK TABLE search_scope_newest IN EXCLUSIVE MODE;\n"
        "    DELETE FROM search_scope_newest;\n"
        "    INSERT INTO search_scope_newest (lexeme, newest)\n"
        "    SELECT l, min(d.sort_key) FROM search_searchdocument AS d,\n"
        "        unnest(tsvector_to_array(d.tokens)) AS l\n"
        "    WHERE starts_with(l, '\u00a6v') OR starts_with(l, '\u00a6k') GROUP BY l;\n",
    ),
)

CREATE = _replaced(
    previous.CREATE,
    ("    best integer;\n", "    best integer;\n    seen bigint;\n"),
    (
        "    IF words IS NOT NULL AND confirm IS NULL",
        # The reader's newest document: every window newer than it is skipped.
        "    IF scope IS NOT NULL AND EXISTS(\n"
        "        SELECT 1 FROM search_lexeme_docs AS c WHERE c.lexeme = ''\n"
        "    ) THEN\n"
        "        SELECT min(s.newest) INTO seen\n"
        "        FROM search_scope_newest AS s WHERE s.lexeme = ANY(scope);\n"
        "        IF seen IS NULL THEN\n"
        "            RETURN;  -- no document holds any of them\n"
        "        END IF;\n"
        "        newest := greatest(newest, seen);\n"
        "    END IF;\n"
        "    IF words IS NOT NULL AND confirm IS NULL",
    ),
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(previous.DROP)
        schema_editor.execute(TABLE)
        schema_editor.execute(FOLLOW)
        schema_editor.execute(RECOUNT)
        schema_editor.execute("SELECT search_recount_lexemes(%s)", [previous.MIN_DOCS])
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(previous.DROP)
        schema_editor.execute(previous.FOLLOW)
        schema_editor.execute(previous.RECOUNT)
        schema_editor.execute("DROP TABLE IF EXISTS search_scope_newest")
        schema_editor.execute(previous.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0009_lexeme_counts"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
