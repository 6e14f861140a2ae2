"""A stamp of the issues and series tables, new on every change (PostgreSQL).

The search page's series select offers the series with at least one issue the
reader may see (bulletins/search.py ``visible_series``): a function of the reader's
``audience`` and of the content of two tables, the issues (status, visibility,
series) and the series (names, order). Read on each search it cost about 0.3 ms of
the database's CPU a page (issue 11). Statement-level triggers on both tables write
a new random value (a UUID) to ``bulletins_series_stamp`` in the transaction of
every INSERT, DELETE or TRUNCATE and every UPDATE that sets a column the choices
depend on (``EVENTS``), whatever the path (the ORM, the admin,
``bulk_create``, raw SQL, a flush). A stamp thus names one state of the two tables:
the search page's statement reads it, and the choices are kept per process under
the stamp read with them (``portal/search/views.py``, ``_facet_columns``).

No row (deleted by hand): no stamp, and the choices are read every time. A
transaction that changes either table holds the row's lock until it ends, so two
such transactions run one after the other (the office's edits; readers never
write these tables). SQLite gets nothing: its pages read the choices as before.
"""

from django.db import migrations

# The changes that can change the choices: an issue's status, visibility or series,
# an issue added or removed, anything of a series (its name, its order). An UPDATE
# setting other columns only (a stored PDF, a counter) writes no stamp, so it neither
# makes the kept choices be read again nor waits for the stamp row's lock.
EVENTS = {
    "bulletins_issue": "INSERT OR DELETE OR UPDATE OF status, visibility, series_id",
    "bulletins_series": "INSERT OR UPDATE OR DELETE",
}

CREATE = """
CREATE TABLE bulletins_series_stamp (
    id smallint PRIMARY KEY CHECK (id = 1),
    value uuid NOT NULL
);
INSERT INTO bulletins_series_stamp (id, value) VALUES (1, gen_random_uuid());
CREATE FUNCTION bulletins_series_stamp_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO bulletins_series_stamp (id, value) VALUES (1, gen_random_uuid())
        ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END
$$;
"""

TRIGGER = """
CREATE TRIGGER bulletins_series_stamp
    AFTER {events} ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION bulletins_series_stamp_bump();
CREATE TRIGGER bulletins_series_stamp_truncate
    AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION bulletins_series_stamp_bump();
"""

DROP = """
DROP FUNCTION IF EXISTS bulletins_series_stamp_bump() CASCADE;
DROP TABLE IF EXISTS bulletins_series_stamp;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(CREATE, params=None)
        for table, events in EVENTS.items():
            schema_editor.execute(TRIGGER.format(table=table, events=events), params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0006_year_counts_per_issue_year")]

    operations = [migrations.RunPython(create, drop)]
