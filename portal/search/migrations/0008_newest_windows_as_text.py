"""search_newest takes the words once and each window's alternatives (PostgreSQL; issue 11).

search 0006 and 0007 took one whole tsquery per window, and the first window, the
future, held every month left this year, the years to the end of the next decade and
the prefixes of the decades and centuries after: a GIN lookup about five times a
month's (the prefixes are read in full first), run on every search because the
benchmark's newest document lies in it, though in its first month. engine.find now
sends that window cut into its alternatives, newest first, each a window of its own
with its own bound, so the function skips all but the ones at or before the newest
document; and the tsquery of a window is made only when the window runs.

On SQLite nothing is created (FTS5 does the lookup there).
"""

from importlib import import_module

from django.db import migrations

previous = import_module("portal.search.migrations.0007_newest_keys_first")

# Arguments: the words and the reader's audiences as tsquery text; each window's
# alternatives of month lexemes (tsquery text, newest window first) and the largest
# sort key it can hold; the words to confirm in the folded text (NULL: none); at most
# how many keys. Returns what search 0007's function returned.
CREATE = """
CREATE FUNCTION search_newest(
    base text, windows text[], bounds bigint[], confirm text[], lim integer,
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

DROP = "DROP FUNCTION IF EXISTS search_newest(text, text[], bigint[], text[], integer)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(previous.DROP)
        # A database restored from a backup made before this migration, over one
        # migrated past it, keeps this function (pg_restore --clean drops only what
        # the dump holds): the migrate that follows must not stop at "already exists".
        schema_editor.execute(DROP)
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(previous.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_newest_keys_first"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
