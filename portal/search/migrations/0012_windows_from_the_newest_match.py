"""search_newest's windows counted back from the newest document its reader may see,
not from the clock, and its kept rows read in one statement (PostgreSQL; issue 11).

search 0008-0010 ran the windows of ``engine.function_windows``: the future cut into
its alternatives, then windows of 1, 1, 2, 4, 8, … months back from this month, each
skipped while it is newer than the newest document (search 0010: the newest the
reader's scope lexemes admit). The first window that runs was wherever that document
fell among windows laid out from the clock: for an anonymous reader on the benchmark's
data an eight-month window (2026-04 … 2025-09), 155 matches of 工人 read and sorted
for the twenty of the page. Now the windows are laid out from that document's month:
1, 1, 2, 4, 8, … months back to 1970 (a whole calendar year inside a window as its
year lexeme, as engine._span writes them), so the first one is a single month. The
keys are the same: the windows still partition time newest first and each is sorted,
so their concatenation is every match in key order, whatever the layout. The
function no longer takes the windows (nor their bounds), so no caller sends some
forty of them with each search.

The six look-ups of kept rows before the windows (the newest document, search 0009's
counts, search 0010's newest of the scope) are one statement of scalar subqueries.
Same answers as search 0010's function in every case: tests/search/test_newest.py and
test_lexeme_counts.py compare both with a sorted scan.

On SQLite nothing is created.
"""

from importlib import import_module

from django.db import migrations

s0009 = import_module("portal.search.migrations.0009_lexeme_counts")
s0010 = import_module("portal.search.migrations.0010_scope_newest")


def _replaced(text: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


# The kept rows of search 0009 and 0010 read by one statement of scalar subqueries,
# then used as search 0010's function used them.
KEPT = """    IF lim <= 0 THEN
        RETURN;
    END IF;
    SELECT
        (SELECT d.sort_key FROM search_searchdocument AS d ORDER BY d.sort_key LIMIT 1),
        (SELECT c.n FROM search_lexeme_docs AS c WHERE c.lexeme = ''),
        (SELECT min(s.newest) FROM search_scope_newest AS s WHERE s.lexeme = ANY(scope)),
        (SELECT coalesce(sum(c.n), 0) FROM search_lexeme_docs AS c WHERE c.lexeme = ANY(words)),
        (SELECT coalesce(max(c.n), 0) FROM search_lexeme_docs AS c WHERE c.lexeme = ANY(scope))
    INTO newest, total, seen, have, best;
    IF newest IS NULL THEN
        RETURN;
    END IF;
    IF scope IS NOT NULL AND total IS NOT NULL THEN  -- search 0010's rows are kept
        IF seen IS NULL THEN
            RETURN;  -- no document holds any of them
        END IF;
        newest := greatest(newest, seen);
    END IF;
    IF words IS NOT NULL AND confirm IS NULL AND need IS NOT NULL AND need < lim
        AND total IS NOT NULL
    THEN
        IF scope IS NULL THEN
            best := total;
        END IF;
        IF have + best - cardinality(words)::bigint * total >= lim THEN
            capped := true;
            lim := need;
        END IF;
    END IF;
"""

# The newest match's month (months since year 0, UTC: a sort key is MAX_KEY minus the
# minutes since 1970 in its top bits, models.sort_key), then windows of 1, 1, 2, 4, 8,
# ... months back to 1970, a whole year inside one as its year lexeme (engine._span).
WINDOWS = """    SELECT (extract(year FROM t) * 12 + extract(month FROM t) - 1)::integer INTO month
    FROM (
        SELECT to_timestamp((((9223372036854775807 - newest) >> 36) * 60)::double precision)
            AT TIME ZONE 'UTC' AS t
    ) AS x;
    WHILE month >= 1970 * 12 LOOP
        oldest := greatest(month - size + 1, 1970 * 12);
        alternatives := NULL;
        m := month;
        WHILE m >= oldest LOOP
            IF mod(m, 12) = 11 AND m - 11 >= oldest THEN
                alternatives := concat_ws(
                    ' | ', alternatives, '''\u00a6y' || lpad((m / 12)::text, 4, '0') || ''''
                );
                m := m - 12;
            ELSE
                alternatives := concat_ws(
                    ' | ', alternatives, '''\u00a6t' || lpad((m / 12)::text, 4, '0')
                    || lpad((mod(m, 12) + 1)::text, 2, '0') || ''''
                );
                m := m - 1;
            END IF;
        END LOOP;
        q := ('(' || base || ') & (' || alternatives || ')')::tsquery;
"""

_LOOP = s0010.CREATE[
    s0010.CREATE.index("    SELECT d.sort_key INTO newest") : s0010.CREATE.index(
        "        IF confirm IS NULL THEN\n            keys := keys"
    )
]

# Arguments: search 0010's without the windows and their bounds.
CREATE = _replaced(
    s0010.CREATE,
    (
        "    base text, windows text[], bounds bigint[], confirm text[], lim integer,\n"
        "    words text[], scope text[], need integer,\n",
        "    base text, confirm text[], lim integer, words text[], scope text[], need integer,\n",
    ),
    (
        "    seen bigint;\n",
        "    seen bigint;\n    month integer;\n    oldest integer;\n    m integer;\n"
        "    size integer := 1;\n    runs integer := 0;\n    alternatives text;\n",
    ),
    (_LOOP, KEPT + WINDOWS),
    (
        "        EXIT WHEN cardinality(keys) >= lim;\n    END LOOP;\n",
        "        EXIT WHEN cardinality(keys) >= lim;\n        month := oldest - 1;\n"
        "        runs := runs + 1;\n        IF runs >= 2 THEN\n            size := size * 2;\n"
        "        END IF;\n    END LOOP;\n",
    ),
)

DROP = "DROP FUNCTION IF EXISTS search_newest(text, text[], integer, text[], text[], integer)"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # search 0010's 8-argument function (s0009.DROP names it) stays beside the new
        # one: the previous release's workers, still serving between ``migrate`` and
        # their restart (README: migrate before serving), and that release rolled back
        # to without migrating back, call it. A later release's migration drops it.
        schema_editor.execute(DROP)  # a restore over a migrated database (search 0008)
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(s0009.DROP)
        schema_editor.execute(s0010.CREATE)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0011_kept_counts_at_commit"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
