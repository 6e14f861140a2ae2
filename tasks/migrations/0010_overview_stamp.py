"""A stamp of the tables the overview reads, new at the commit of every change
(PostgreSQL; issue 11).

The overview's statements but the session's and the rows' (the plans and
categories, the units, the rates by unit and by category) are pure functions of
their SQL, its parameters (the lights' day among them) and the content of five
tables: the task lists, the tasks, the assignments, the progress reports and the
units. Each of them reads the same rows from request to request until one of those
tables changes, and the rates statement is about half of the page's database work.
``tasks_overview_stamp`` holds one random value (a UUID), replaced in every
transaction that inserts, updates or deletes rows of the five tables, whatever the
path (the ORM, the admin, ``bulk_create``, ``QuerySet.update()``, raw SQL, the
database's own triggers such as tasks 0008's copies); ``tasks/stamp.py`` keeps
each statement's rows per process under the stamp read before them.

The value is written when the transaction commits, as search 0011 writes its kept
rows, not at the write: a deferred constraint trigger per row, which first takes
search 0011's transaction advisory lock (``KEPT_LOCK``, the same for every kept row
written at commit), then replaces the value once a transaction (a setting local to
the transaction says it did). A transaction thus holds the stamp's row only at its
commit and only under that lock: writers of the five tables do not wait on each
other before then, and no cycle with search 0011's kept rows can form. TRUNCATE (a
flush) replaces it at once, under the same lock, by a statement trigger.

The stamp moves in the same commit as the rows it names, so a reader that reads the
stamp and then the rows reads rows at least as new as the stamp; a transaction that
has written reads its own rows under the stamp of before, so ``tasks/stamp.py``
keeps nothing for a connection inside a transaction. No row (deleted by hand): no
stamp, and every statement runs. SQLite gets nothing: its pages run every statement.
"""

from importlib import import_module

from django.db import migrations

KEPT_LOCK = import_module("portal.search.migrations.0011_kept_counts_at_commit").KEPT_LOCK

TABLES = (
    "tasks_plan",
    "tasks_task",
    "tasks_assignment",
    "tasks_progressreport",
    "units_unit",
)

CREATE = """
CREATE TABLE tasks_overview_stamp (
    id smallint PRIMARY KEY CHECK (id = 1),
    value uuid NOT NULL
);
INSERT INTO tasks_overview_stamp (id, value) VALUES (1, gen_random_uuid());
CREATE FUNCTION tasks_overview_stamp_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Once a transaction: the setting is local to it (and to a savepoint's rollback).
    IF current_setting('portal.tasks_overview_stamped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock({lock});
    UPDATE tasks_overview_stamp SET value = gen_random_uuid() WHERE id = 1;
    PERFORM set_config('portal.tasks_overview_stamped', 'yes', true);
    RETURN NULL;
END
$$;
""".replace("{lock}", str(KEPT_LOCK))

TRIGGERS = """
CREATE CONSTRAINT TRIGGER tasks_overview_stamp
    AFTER INSERT OR UPDATE OR DELETE ON {table}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION tasks_overview_stamp_bump();
CREATE TRIGGER tasks_overview_stamp_truncate
    AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION tasks_overview_stamp_bump();
"""

DROP = """
DROP FUNCTION IF EXISTS tasks_overview_stamp_bump() CASCADE;
DROP TABLE IF EXISTS tasks_overview_stamp;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(CREATE, params=None)
        for table in TABLES:
            schema_editor.execute(TRIGGERS.format(table=table), params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0009_task_copies_share_lock"),
        ("units", "0001_initial"),
        # The lock's number only (no dependency on search 0011, whose own tests
        # migrate the search app back and forth).
    ]

    operations = [migrations.RunPython(create, drop)]
