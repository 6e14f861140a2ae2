"""The kept counts (search 0009) and scopes' newest (search 0010) written at commit,
one transaction at a time (PostgreSQL; issue 11).

search 0009's statement triggers locked the counter rows of a statement's lexemes,
and search 0010's the scope rows, at each write of the index, until the transaction
ended. Two transactions that each wrote two documents could then wait on each other
(a review reproduced it: T1 indexes an issue, T2 a meeting — holding the meeting's
scope row, waiting for the '' row —, T1 then a meeting: deadlock), and so could an
index write followed by any row another writer held: saving a task re-indexes its
reports while a unit's new report is indexed, for one.

Now a deferred constraint trigger per row does the same work when the transaction
commits, after everything else it does, and each call first takes one transaction
advisory lock (``KEPT_LOCK``), the same for every call: at commit a transaction
holds no kept row before it has that lock and wants nothing but kept rows after it,
so no cycle can form; writers of the index wait on each other only for the few
milliseconds of each other's commit. TRUNCATE keeps search 0009's statement trigger
(it empties the kept rows at once).

Until then the writing transaction itself reads the kept rows of before its own
writes: a search inside it may miss a document it has just indexed (search 0010's
skip) or take its own deletes as still there. No page writes the index and then
searches in one transaction. The test suite, whose tests each run in a transaction
that never commits, sets ``portal.kept_rows = at_write`` on its connections
(tests/settings.py): a second, immediate row trigger then does the work at each
write, as search 0010 did, and the deferred one nothing.

``search_recount_lexemes`` first runs the calling transaction's pending row events
(``SET CONSTRAINTS … IMMEDIATE``), so that rows written before a recount in the same
transaction are not counted twice, then recounts as before.

On SQLite nothing is created.
"""

from importlib import import_module

from django.db import migrations

s0009 = import_module("portal.search.migrations.0009_lexeme_counts")
s0010 = import_module("portal.search.migrations.0010_scope_newest")

# One number for every kept-row trigger that runs at commit (pg_advisory_xact_lock).
KEPT_LOCK = 7_411_000_011

FOLLOW_ROW = r"""
CREATE OR REPLACE FUNCTION search_lexeme_docs_follow_row() RETURNS trigger
LANGUAGE plpgsql AS $body$
BEGIN
    -- Two triggers call this: the deferred one (at commit) unless the session's
    -- portal.kept_rows is 'at_write', the immediate one only then.
    IF (TG_NAME = 'search_lexeme_docs_row_now')
        <> (coalesce(current_setting('portal.kept_rows', true), '') = 'at_write')
    THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock({lock});
    PERFORM 1 FROM search_lexeme_docs WHERE lexeme = '' FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;  -- not kept until the next search_recount_lexemes
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO search_scope_newest AS s (lexeme, newest)
        SELECT l, NEW.sort_key FROM unnest(tsvector_to_array(NEW.tokens)) AS l
        WHERE starts_with(l, '\u00a6v') OR starts_with(l, '\u00a6k')
        ORDER BY l
        ON CONFLICT (lexeme) DO UPDATE SET newest = least(s.newest, excluded.newest);
    END IF;
    IF TG_OP = 'INSERT' THEN
        UPDATE search_lexeme_docs AS c SET n = c.n + 1
        WHERE c.lexeme = ANY(coalesce(tsvector_to_array(NEW.tokens), '{}') || ''::text);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE search_lexeme_docs AS c SET n = c.n - 1
        WHERE c.lexeme = ANY(coalesce(tsvector_to_array(OLD.tokens), '{}') || ''::text);
    ELSIF OLD.tokens IS DISTINCT FROM NEW.tokens THEN
        UPDATE search_lexeme_docs AS c SET n = c.n + x.d
        FROM (
            SELECT y.l, sum(y.d)::integer AS d FROM (
                SELECT l, 1 AS d FROM unnest(tsvector_to_array(NEW.tokens)) AS l
                UNION ALL
                SELECT l, -1 FROM unnest(tsvector_to_array(OLD.tokens)) AS l
            ) AS y GROUP BY y.l HAVING sum(y.d) <> 0
        ) AS x
        WHERE c.lexeme = x.l;
    END IF;
    RETURN NULL;
END
$body$
""".replace(r"\u00a6", "\u00a6").replace("{lock}", str(KEPT_LOCK))

ROW_TRIGGERS = [
    "CREATE CONSTRAINT TRIGGER search_lexeme_docs_row "
    "AFTER INSERT OR UPDATE OR DELETE ON search_searchdocument "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
    "EXECUTE FUNCTION search_lexeme_docs_follow_row()",
    "CREATE TRIGGER search_lexeme_docs_row_now "
    "AFTER INSERT OR UPDATE OR DELETE ON search_searchdocument "
    "FOR EACH ROW EXECUTE FUNCTION search_lexeme_docs_follow_row()",
]

STATEMENT_TRIGGERS = [
    "DROP TRIGGER IF EXISTS search_lexeme_docs_insert ON search_searchdocument",
    "DROP TRIGGER IF EXISTS search_lexeme_docs_update ON search_searchdocument",
    "DROP TRIGGER IF EXISTS search_lexeme_docs_delete ON search_searchdocument",
]


def _replaced(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


RECOUNT = _replaced(
    s0010.RECOUNT,
    "BEGIN\n    LOCK TABLE search_searchdocument IN SHARE MODE;\n",
    "BEGIN\n"
    "    -- This transaction's own pending row events first: counted now, then wiped.\n"
    "    SET CONSTRAINTS search_lexeme_docs_row IMMEDIATE;\n"
    "    SET CONSTRAINTS search_lexeme_docs_row DEFERRED;\n"
    "    LOCK TABLE search_searchdocument IN SHARE MODE;\n",
)

DROP = [
    "DROP TRIGGER IF EXISTS search_lexeme_docs_row ON search_searchdocument",
    "DROP TRIGGER IF EXISTS search_lexeme_docs_row_now ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_lexeme_docs_follow_row()",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in [*STATEMENT_TRIGGERS, *DROP]:
            schema_editor.execute(statement)
        schema_editor.execute(FOLLOW_ROW)
        for statement in ROW_TRIGGERS:
            schema_editor.execute(statement)
        schema_editor.execute(RECOUNT)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)
        schema_editor.execute(s0010.FOLLOW)
        for statement in s0009.TRIGGERS[:3]:
            schema_editor.execute(statement)
        schema_editor.execute(s0010.RECOUNT)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0010_scope_newest"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
