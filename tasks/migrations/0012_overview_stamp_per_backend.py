"""The overview's stamp without a shared lock: one row per writing backend
(PostgreSQL; issue 11, eighth pass).

Tasks 0010 wrote one shared row at commit under search 0011's advisory lock
(``KEPT_LOCK``). Django's foreign keys are DEFERRABLE INITIALLY DEFERRED and are
checked at commit after that trigger, so a transaction could hold the lock and the
row while it waited for a row another writer held, and that writer then waited for
the lock at its own commit: a deadlock (T1 updates assignment A and inserts a report
naming assignment B; T2 takes B ``FOR UPDATE``, writes a stamped table and commits;
T1 commits). Every commit that wrote the five tables also queued behind the search
index's commits.

Now no two transactions write the same row:

- ``tasks_overview_stamps`` holds a base row (``pid`` 0: the epoch, a UUID, and the
  values folded in from backends that have exited) and one row per backend that has
  written, keyed by its ``pid`` and ``backend_start`` (a later backend that gets the
  same pid has another key). Every value comes from ``tasks_overview_stamps_seq``.
- The deferred row trigger on the five tables (and the TRUNCATE statement trigger),
  once a transaction (a setting local to it says it did), sets its own backend's row
  to ``nextval``. A backend's transactions follow each other, so each new value is
  larger than the row's last: every commit that writes the five tables makes the
  sum of the values larger, whatever order concurrent writers take their values and
  commit in (a later value committed first, then an earlier one: the sum still grows
  at each commit, where the largest value would not move at the second).
- A backend's first stamp (its row is not there yet) first prunes: the rows of
  backends that no longer exist (``pg_stat_activity``) are deleted and their values
  added to the base row in one statement, so the sum does not move. It skips the
  base row and every row another transaction holds (``SKIP LOCKED``), and a row of a
  live backend is never taken: the backend list is read after the statement's
  snapshot (``pg_stat_clear_snapshot``), and a backend is listed from its start,
  before it can commit a row. The table holds about one row per backend of the pool,
  plus those that exited since the last new backend. Only in READ COMMITTED (in a
  repeatable read transaction a row pruned meanwhile would be a serialization error
  at the writer's commit); such transactions leave the pruning to the next.

The reader (``tasks/stamp.py``) reads the epoch, the base row's ``xmin`` and the sum
in one statement. A new epoch (a restore) is a stamp never seen before, and so is a
new ``xmin`` of the base row: pg_restore writes every row again, so a restore moves
the stamp even when the code that ran it did not renew the epoch (the previous
release's restore finds no table ``tasks_overview_stamp``, a view here, and leaves
the epoch as it was); a prune, which adds to the base row, costs a reread. Within an
epoch the sum only grows,
one step at every commit that changed the five tables, so equal stamps mean the same
content. No base row (deleted by hand): no stamp, and every statement runs.

The previous release's code (tasks 0010's reader, ``SELECT value FROM
tasks_overview_stamp WHERE id = 1``, and its restore's ``UPDATE … SET value =
gen_random_uuid()``) serves between ``migrate`` and its workers' restart, and again
if the release is rolled back: ``tasks_overview_stamp`` is now a view of one row
whose value is a hash (md5, as a UUID) of the epoch, the base row's ``xmin`` and the
sum, so it moves exactly when the stamp does, and an update of it gives a new epoch
(an INSTEAD OF trigger).
A later release's migration drops it.

Nothing here waits for another transaction: a writer touches only its own row, a
pruner only rows nobody else may write, with ``SKIP LOCKED``. SQLite gets nothing.
Backwards: tasks 0010's table and triggers again.
"""

from importlib import import_module

from django.db import migrations

s0010 = import_module("tasks.migrations.0010_overview_stamp")

TABLES = s0010.TABLES

CREATE = """
CREATE SEQUENCE tasks_overview_stamps_seq AS bigint;
CREATE TABLE tasks_overview_stamps (
    pid integer NOT NULL,
    started timestamptz NOT NULL,
    value numeric NOT NULL CHECK (value >= 0),
    epoch uuid,
    PRIMARY KEY (pid, started),
    CHECK ((pid = 0) = (epoch IS NOT NULL))
);
INSERT INTO tasks_overview_stamps (pid, started, value, epoch)
    VALUES (0, '-infinity', 0, gen_random_uuid());

CREATE FUNCTION tasks_overview_stamp_prune() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- The base row, unless another pruner holds it (that one prunes now).
    PERFORM 1 FROM tasks_overview_stamps WHERE pid = 0 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- The backends as they are when the next statement runs, after its snapshot.
    PERFORM pg_stat_clear_snapshot();
    WITH gone AS (
        DELETE FROM tasks_overview_stamps AS s
        WHERE (s.pid, s.started) IN (
            SELECT d.pid, d.started FROM tasks_overview_stamps AS d
            WHERE d.pid <> 0 AND NOT EXISTS (
                SELECT FROM pg_stat_get_activity(NULL) AS a
                WHERE a.pid = d.pid
                    -- (another role's backend without the right to see its start: kept)
                    AND (a.backend_start = d.started OR a.backend_start IS NULL)
            )
            FOR UPDATE SKIP LOCKED
        )
        RETURNING s.value
    )
    UPDATE tasks_overview_stamps
        SET value = value + (SELECT coalesce(sum(value), 0) FROM gone)
        WHERE pid = 0;
END
$$;

CREATE FUNCTION tasks_overview_stamp_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    me integer := pg_backend_pid();
    since timestamptz;
    stamp bigint;
BEGIN
    -- Once a transaction: the setting is local to it (and to a savepoint's rollback).
    IF current_setting('portal.tasks_overview_stamped', true) = 'yes' THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('portal.tasks_overview_stamped', 'yes', true);
    SELECT a.backend_start INTO since FROM pg_stat_get_activity(me) AS a;
    since := coalesce(since, '-infinity');  -- (not listed: pruned as exited, harmless)
    stamp := nextval('tasks_overview_stamps_seq');
    UPDATE tasks_overview_stamps SET value = stamp WHERE pid = me AND started = since;
    IF NOT FOUND THEN
        IF current_setting('transaction_isolation') = 'read committed' THEN
            PERFORM tasks_overview_stamp_prune();
        END IF;
        INSERT INTO tasks_overview_stamps (pid, started, value) VALUES (me, since, stamp);
    END IF;
    RETURN NULL;
END
$$;

-- The previous release's stamp (tasks 0010's shape), read and renewed through a view.
CREATE VIEW tasks_overview_stamp AS
    SELECT 1::smallint AS id,
        md5(b.epoch::text || '/' || b.xmin::text || '/' || s.total::text)::uuid AS value
    FROM tasks_overview_stamps AS b,
        (SELECT sum(value) AS total FROM tasks_overview_stamps) AS s
    WHERE b.pid = 0;
CREATE FUNCTION tasks_overview_stamp_renew() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks_overview_stamps SET epoch = gen_random_uuid() WHERE pid = 0;
    RETURN NEW;
END
$$;
CREATE TRIGGER tasks_overview_stamp_renew
    INSTEAD OF UPDATE ON tasks_overview_stamp
    FOR EACH ROW EXECUTE FUNCTION tasks_overview_stamp_renew();
"""

TRIGGERS = s0010.TRIGGERS

DROP = """
DROP VIEW IF EXISTS tasks_overview_stamp;
DROP FUNCTION IF EXISTS tasks_overview_stamp_renew();
DROP FUNCTION IF EXISTS tasks_overview_stamp_bump() CASCADE;
DROP FUNCTION IF EXISTS tasks_overview_stamp_prune();
DROP TABLE IF EXISTS tasks_overview_stamps;
DROP SEQUENCE IF EXISTS tasks_overview_stamps_seq;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(s0010.DROP, params=None)
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(CREATE, params=None)
        for table in TABLES:
            schema_editor.execute(TRIGGERS.format(table=table), params=None)


def back_to_0010(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        s0010.create(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0011_unit_assignment_list")]

    operations = [migrations.RunPython(create, back_to_0010)]
