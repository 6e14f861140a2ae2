"""The candidate lookup of a search as a PL/pgSQL function (PostgreSQL; issue 11).

engine.newest_sql sent a UNION ALL of thirteen time windows as one statement, which
PostgreSQL parsed and planned on every search (about 1 ms, as much as running it),
and ran the windows newer than the newest document too (the benchmark's first five,
about 0.45 ms, find nothing). ``search_newest`` runs the same windows one by one,
each a statement whose plan PL/pgSQL keeps for the connection's life (a plain
function call: it works behind a transaction-mode pgbouncer, unlike server-side
prepared statements), skips the windows that end before the newest document begins
(one probe of the primary key), and stops once it has ``lim`` rows. The planner
settings the statement ran under (engine.STEER) are the function's own.

On SQLite nothing is created (FTS5 does the lookup there).
"""

from django.db import migrations

# Arguments: each window's tsquery (the words, the reader's audiences and the window's
# month lexemes), the largest sort key each window can hold (a window whose keys are
# all below the newest document's is empty), the words the n-grams cannot prove (NULL:
# none; each must occur in the folded text), and how many rows to return at most.
# Returns the windows' matches newest first: what engine.find needs of each.
CREATE = """
CREATE OR REPLACE FUNCTION search_newest(
    queries tsquery[], bounds bigint[], confirm text[], lim integer
) RETURNS TABLE (key bigint, kind varchar, grp integer, yr smallint)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off
SET max_parallel_workers_per_gather = 0
SET jit = off
SET plan_cache_mode = force_generic_plan
AS $body$
DECLARE
    newest bigint;
    taken integer := 0;
    got integer;
    q tsquery;
BEGIN
    SELECT d.sort_key INTO newest FROM search_searchdocument AS d ORDER BY d.sort_key LIMIT 1;
    IF newest IS NULL OR lim <= 0 THEN
        RETURN;
    END IF;
    FOR i IN 1 .. coalesce(array_length(queries, 1), 0) LOOP
        CONTINUE WHEN bounds[i] < newest;
        q := queries[i];
        IF confirm IS NULL THEN
            RETURN QUERY
                SELECT w.sort_key, w.kind, w."group", w.year
                FROM search_searchdocument AS w
                WHERE w.tokens @@ q
                ORDER BY w.sort_key + 0
                LIMIT lim - taken;
        ELSE
            RETURN QUERY
                SELECT w.sort_key, w.kind, w."group", w.year
                FROM search_searchdocument AS w
                WHERE w.tokens @@ q AND EXISTS(
                    SELECT 1 FROM search_searchtext AS t
                    WHERE t.document_id = w.sort_key AND NOT EXISTS(
                        SELECT 1 FROM unnest(confirm) AS c(word) WHERE strpos(t.text, c.word) = 0
                    )
                )
                ORDER BY w.sort_key + 0
                LIMIT lim - taken;
        END IF;
        GET DIAGNOSTICS got = ROW_COUNT;
        taken := taken + got;
        EXIT WHEN taken >= lim;
    END LOOP;
END
$body$
"""

DROP = "DROP FUNCTION IF EXISTS search_newest(tsquery[], bigint[], text[], integer)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_tokens_in_documents"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
