"""search_newest returns the keys alone when the result is capped (PostgreSQL; issue 11).

A common word (the benchmark's 工人) has more than ``LIMIT`` matches: the page then
shows no count and no facets, only the keys of one page. search 0006's windows sorted
the whole row of each match (kind, group, year) and sent 1,001 rows of four columns;
now each window sorts its keys only, they come back as one array, and only when the
result is not capped are the matches read again (by key, under the same snapshot)
for the facets, counted per (kind, group, year) there. engine.find reads the kinds
of the keys from the keys themselves (models.key_code).

On SQLite nothing is created (FTS5 does the lookup there).
"""

from importlib import import_module

from django.db import migrations

previous = import_module("portal.search.migrations.0006_newest_function")

# Arguments as in search 0006. Returns one row: the keys newest first (at most
# ``lim``), and, when fewer than ``lim`` matched, what the facets need: how many of
# them (``counts``) have each (kind, group, year) there is, as four arrays of the
# same length (NULL when capped: ``lim`` keys).
CREATE = """
CREATE FUNCTION search_newest(
    queries tsquery[], bounds bigint[], confirm text[], lim integer,
    OUT keys bigint[], OUT kinds varchar[], OUT grps integer[], OUT yrs smallint[],
    OUT counts integer[]
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
BEGIN
    keys := '{}';
    kinds := '{}';
    grps := '{}';
    yrs := '{}';
    counts := '{}';
    SELECT d.sort_key INTO newest FROM search_searchdocument AS d ORDER BY d.sort_key LIMIT 1;
    IF newest IS NULL OR lim <= 0 THEN
        RETURN;
    END IF;
    FOR i IN 1 .. coalesce(array_length(queries, 1), 0) LOOP
        CONTINUE WHEN bounds[i] < newest;
        q := queries[i];
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
    IF cardinality(keys) >= lim THEN
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

DROP = previous.DROP  # the same arguments: one function at a time


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(previous.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_newest_function"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
