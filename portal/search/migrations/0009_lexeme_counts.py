"""Documents per lexeme kept beside the index, so a common word's search is known to be
capped without reading 1,001 matches (PostgreSQL; issue 11).

``search_lexeme_docs`` holds, for each lexeme in at least ``min_docs`` documents when it
was last counted (``search_recount_lexemes``: this migration and index.finish_bulk_load),
how many documents' tokens hold it, and under the lexeme '' how many documents there
are. Statement triggers on search_searchdocument keep the rows it has exact through
every insert, update and delete (a lexeme that becomes common later gets no row until
the next recount: its count reads as 0, never above the truth); after a TRUNCATE, or
while the '' row is missing, nothing is kept until a recount.

search_newest then takes the query's lexemes, the reader's scope lexemes and how many
keys the page needs: if the documents holding every lexeme and one scope lexeme are at
least ``lim`` by Bonferroni's bound (sum of the lexemes' counts plus the scope
lexeme's, minus k times the documents), the result is capped for certain and the
windows stop once the page's keys are read (``capped`` true). Otherwise, as before.

On SQLite nothing is created (FTS5 does the lookup there).
"""

from importlib import import_module

from django.db import migrations

previous = import_module("portal.search.migrations.0008_newest_windows_as_text")

TABLE = """
CREATE TABLE IF NOT EXISTS search_lexeme_docs (
    lexeme text PRIMARY KEY,
    n integer NOT NULL
)
"""

# The counts of the rows a statement wrote, applied to the rows kept, locked in
# lexeme order first (two writers then never wait on each other crosswise).
FOLLOW = r"""
CREATE OR REPLACE FUNCTION search_lexeme_docs_follow() RETURNS trigger
LANGUAGE plpgsql AS $body$
DECLARE
    ls text[];
    ds integer[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM search_lexeme_docs;
        RETURN NULL;
    END IF;
    PERFORM 1 FROM search_lexeme_docs WHERE lexeme = '';
    IF NOT FOUND THEN
        RETURN NULL;  -- not kept until the next search_recount_lexemes
    END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(x.l), array_agg(x.d) INTO ls, ds FROM (
            SELECT l, count(*)::integer AS d
            FROM came, unnest(tsvector_to_array(came.tokens)) AS l GROUP BY l
            UNION ALL SELECT '', count(*)::integer FROM came
        ) AS x;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(x.l), array_agg(x.d) INTO ls, ds FROM (
            SELECT l, -count(*)::integer AS d
            FROM gone, unnest(tsvector_to_array(gone.tokens)) AS l GROUP BY l
            UNION ALL SELECT '', -count(*)::integer FROM gone
        ) AS x;
    ELSE
        SELECT array_agg(x.l), array_agg(x.d) INTO ls, ds FROM (
            SELECT l, sum(y.d)::integer AS d FROM (
                SELECT l, 1 AS d FROM came, unnest(tsvector_to_array(came.tokens)) AS l
                UNION ALL
                SELECT l, -1 FROM gone, unnest(tsvector_to_array(gone.tokens)) AS l
            ) AS y GROUP BY l HAVING sum(y.d) <> 0
        ) AS x;
    END IF;
    IF ls IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM search_lexeme_docs WHERE lexeme = ANY(ls) ORDER BY lexeme FOR UPDATE;
    UPDATE search_lexeme_docs AS c SET n = c.n + x.d
    FROM unnest(ls, ds) AS x(l, d) WHERE c.lexeme = x.l;
    RETURN NULL;
END
$body$
"""

TRIGGERS = [
    "CREATE TRIGGER search_lexeme_docs_insert AFTER INSERT ON search_searchdocument "
    "REFERENCING NEW TABLE AS came FOR EACH STATEMENT EXECUTE FUNCTION search_lexeme_docs_follow()",
    "CREATE TRIGGER search_lexeme_docs_update AFTER UPDATE ON search_searchdocument "
    "REFERENCING OLD TABLE AS gone NEW TABLE AS came "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_lexeme_docs_follow()",
    "CREATE TRIGGER search_lexeme_docs_delete AFTER DELETE ON search_searchdocument "
    "REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION search_lexeme_docs_follow()",
    "CREATE TRIGGER search_lexeme_docs_truncate AFTER TRUNCATE ON search_searchdocument "
    "FOR EACH STATEMENT EXECUTE FUNCTION search_lexeme_docs_follow()",
]

# Counted afresh, writers held off meanwhile (SHARE lets readers on).
RECOUNT = """
CREATE OR REPLACE FUNCTION search_recount_lexemes(min_docs integer) RETURNS void
LANGUAGE plpgsql AS $body$
BEGIN
    LOCK TABLE search_searchdocument IN SHARE MODE;
    LOCK TABLE search_lexeme_docs IN EXCLUSIVE MODE;
    DELETE FROM search_lexeme_docs;
    INSERT INTO search_lexeme_docs (lexeme, n)
    SELECT l, count(*)::integer FROM search_searchdocument AS d,
        unnest(tsvector_to_array(d.tokens)) AS l
    GROUP BY l HAVING count(*) >= min_docs;
    INSERT INTO search_lexeme_docs (lexeme, n)
    SELECT '', count(*)::integer FROM search_searchdocument;
END
$body$
"""

# Arguments as search 0008's, then: the query's lexemes (NULL: no bound, e.g. words
# to confirm), the reader's scope lexemes (NULL: every document), the keys the page
# needs (NULL: lim). ``capped``: the bound proved more than lim - 1 matches, and only
# ``need`` keys were read.
CREATE = """
CREATE FUNCTION search_newest(
    base text, windows text[], bounds bigint[], confirm text[], lim integer,
    words text[], scope text[], need integer,
    OUT keys bigint[], OUT kinds varchar[], OUT grps integer[], OUT yrs smallint[],
    OUT counts integer[], OUT capped boolean
)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off
SET max_parallel_workers_per_gather = 0
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $body$
DECLARE
    newest bigint;
    q tsquery;
    total integer;
    have bigint;
    best integer;
BEGIN
    keys := '{}';
    kinds := '{}';
    grps := '{}';
    yrs := '{}';
    counts := '{}';
    capped := false;
    SELECT d.sort_key INTO newest FROM search_searchdocument AS d ORDER BY d.sort_key LIMIT 1;
    IF newest IS NULL OR lim <= 0 THEN
        RETURN;
    END IF;
    IF words IS NOT NULL AND confirm IS NULL AND need IS NOT NULL AND need < lim THEN
        SELECT c.n INTO total FROM search_lexeme_docs AS c WHERE c.lexeme = '';
        IF total IS NOT NULL THEN
            SELECT coalesce(sum(c.n), 0) INTO have
            FROM search_lexeme_docs AS c WHERE c.lexeme = ANY(words);
            IF scope IS NULL THEN
                best := total;
            ELSE
                SELECT coalesce(max(c.n), 0) INTO best
                FROM search_lexeme_docs AS c WHERE c.lexeme = ANY(scope);
            END IF;
            IF have + best - cardinality(words)::bigint * total >= lim THEN
                capped := true;
                lim := need;
            END IF;
        END IF;
    END IF;
    FOR i IN 1 .. coalesce(array_length(windows, 1), 0) LOOP
        CONTINUE WHEN bounds[i] < newest;
        q := ('(' || base || ') & (' || windows[i] || ')')::tsquery;
        IF confirm IS NULL THEN
            keys := keys || ARRAY(
                SELECT w.sort_key FROM search_searchdocument AS w
                WHERE w.tokens @@ q
                ORDER BY w.sort_key + 0
                LIMIT lim - cardinality(keys)
            );
        ELSE
            keys := keys || ARRAY(
                SELECT w.sort_key FROM search_searchdocument AS w
                WHERE w.tokens @@ q AND EXISTS(
                    SELECT 1 FROM search_searchtext AS t
                    WHERE t.document_id = w.sort_key AND NOT EXISTS(
                        SELECT 1 FROM unnest(confirm) AS c(word) WHERE strpos(t.text, c.word) = 0
                    )
                )
                ORDER BY w.sort_key + 0
                LIMIT lim - cardinality(keys)
            );
        END IF;
        EXIT WHEN cardinality(keys) >= lim;
    END LOOP;
    IF capped OR cardinality(keys) >= lim THEN
        kinds := NULL;
        grps := NULL;
        yrs := NULL;
        counts := NULL;
    ELSIF cardinality(keys) > 0 THEN
        SELECT array_agg(f.kind), array_agg(f."group"), array_agg(f.year), array_agg(f.n)
        INTO kinds, grps, yrs, counts
        FROM (
            SELECT d.kind, d."group", d.year, count(*)::integer AS n
            FROM search_searchdocument AS d WHERE d.sort_key = ANY(keys)
            GROUP BY d.kind, d."group", d.year
        ) AS f;
    END IF;
END
$body$
"""

DROP = (
    "DROP FUNCTION IF EXISTS search_newest("
    "text, text[], bigint[], text[], integer, text[], text[], integer)"
)
DROP_REST = [
    "DROP TRIGGER IF EXISTS search_lexeme_docs_insert ON search_searchdocument",
    "DROP TRIGGER IF EXISTS search_lexeme_docs_update ON search_searchdocument",
    "DROP TRIGGER IF EXISTS search_lexeme_docs_delete ON search_searchdocument",
    "DROP TRIGGER IF EXISTS search_lexeme_docs_truncate ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_lexeme_docs_follow()",
    "DROP FUNCTION IF EXISTS search_recount_lexemes(integer)",
    "DROP TABLE IF EXISTS search_lexeme_docs",
]
# Lexemes in fewer documents than this cannot make a search capped (LIMIT + 1).
MIN_DOCS = 1001


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(previous.DROP)
        schema_editor.execute(DROP)  # see search 0008: a restore over a migrated database
        for statement in DROP_REST:
            schema_editor.execute(statement)
        schema_editor.execute(TABLE)
        schema_editor.execute(FOLLOW)
        for statement in TRIGGERS:
            schema_editor.execute(statement)
        schema_editor.execute(RECOUNT)
        schema_editor.execute("SELECT search_recount_lexemes(%s)", [MIN_DOCS])
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        for statement in DROP_REST:
            schema_editor.execute(statement)
        schema_editor.execute(previous.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0008_newest_windows_as_text"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
