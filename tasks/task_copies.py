"""SQLite's triggers that keep each assignment's copy of its task's list, due date and
number (tasks 0008), set aside while ``migrate`` runs.

On SQLite, Django changes a column by rebuilding the table: it creates
``new__tasks_assignment``, copies the rows, drops ``tasks_assignment`` and renames the
new table into place. With ``legacy_alter_table`` off (Django's setting) SQLite checks
every trigger of the schema at that rename, and the triggers on ``tasks_task`` that
write ``tasks_assignment`` name a table that does not exist at that moment: the
migration fails ("error in trigger …: no such table: main.tasks_assignment"), and the
same the other way round for a rebuild of ``tasks_task``.

So before ``migrate`` runs any migration (``pre_migrate``) the four triggers are
dropped, and after it (``post_migrate``, also sent by ``flush``) they are created again
from ``SQLITE`` below, and every assignment's copies are written from its task, for
the rows a migration wrote meanwhile. Once tasks 0008 is unapplied (the copies'
columns are gone) nothing is created. PostgreSQL alters tables in place and needs none
of this: its triggers stay as tasks 0008 and 0009 made them.

``SQLITE`` is the triggers' current text; tasks 0008 keeps its own frozen copy, and
tests/tasks/test_task_copies.py holds the two equal.
"""

from __future__ import annotations

# SQLite's triggers cannot change the row being written: each writes the copies with an
# UPDATE after it, only when they differ (so it ends even with recursive triggers on).
_FROM_TASK = """
    UPDATE tasks_assignment
        SET (task_plan_id, task_due_date, task_number) =
            (SELECT t.plan_id, t.due_date, t.number FROM tasks_task t WHERE t.id = NEW.task_id)
        WHERE id = NEW.id;
"""
_TO_ASSIGNMENTS = """
    UPDATE tasks_assignment
        SET task_plan_id = NEW.plan_id, task_due_date = NEW.due_date, task_number = NEW.number
        WHERE task_id = NEW.id AND (
            task_plan_id IS NOT NEW.plan_id
            OR task_due_date IS NOT NEW.due_date
            OR task_number IS NOT NEW.number
        );
"""
_DIFFERS = """
    EXISTS (
        SELECT 1 FROM tasks_task t WHERE t.id = NEW.task_id AND (
            NEW.task_plan_id IS NOT t.plan_id
            OR NEW.task_due_date IS NOT t.due_date
            OR NEW.task_number IS NOT t.number
        )
    )
"""
SQLITE = {
    "tasks_assignment_task_copies_insert": f"""CREATE TRIGGER tasks_assignment_task_copies_insert
    AFTER INSERT ON tasks_assignment
    BEGIN {_FROM_TASK} END""",
    "tasks_assignment_task_copies_update": f"""CREATE TRIGGER tasks_assignment_task_copies_update
    AFTER UPDATE OF task_id, task_plan_id, task_due_date, task_number ON tasks_assignment
    WHEN {_DIFFERS}
    BEGIN {_FROM_TASK} END""",
    "tasks_task_copies_to_assignments_insert": f"""CREATE TRIGGER tasks_task_copies_to_assignments_insert
    AFTER INSERT ON tasks_task
    BEGIN {_TO_ASSIGNMENTS} END""",
    "tasks_task_copies_to_assignments_update": f"""CREATE TRIGGER tasks_task_copies_to_assignments_update
    AFTER UPDATE OF plan_id, due_date, number ON tasks_task
    BEGIN {_TO_ASSIGNMENTS} END""",
}

# Every existing assignment gets its task's values (the same statement as tasks 0008's).
FILL = """
UPDATE tasks_assignment SET
    task_plan_id = (SELECT t.plan_id FROM tasks_task t WHERE t.id = tasks_assignment.task_id),
    task_due_date = (SELECT t.due_date FROM tasks_task t WHERE t.id = tasks_assignment.task_id),
    task_number = (SELECT t.number FROM tasks_task t WHERE t.id = tasks_assignment.task_id)
"""

_COPY_COLUMNS = {"task_plan_id", "task_due_date", "task_number"}


def drop_sqlite_triggers(connection) -> None:
    """Drop the four triggers (``pre_migrate``); nothing on other databases.

    ``connection``: a Django database connection. Idempotent.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in SQLITE:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def has_copies(connection) -> bool:
    """Whether ``tasks_assignment`` has the copies' columns (tasks 0008 applied)."""
    with connection.cursor() as cursor:
        if "tasks_assignment" not in connection.introspection.table_names(cursor):
            return False
        columns = {
            column.name
            for column in connection.introspection.get_table_description(cursor, "tasks_assignment")
        }
    return _COPY_COLUMNS <= columns


def create_sqlite_triggers(connection) -> None:
    """Create the four triggers again and write every assignment's copies from its task
    (``post_migrate``); nothing on other databases or before tasks 0008.

    ``connection``: a Django database connection. Idempotent: a trigger already there
    is replaced by the current text.
    """
    if connection.vendor != "sqlite" or not has_copies(connection):
        return
    with connection.cursor() as cursor:
        for name, sql in SQLITE.items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(sql)
        cursor.execute(FILL)


def before_migrate(sender, using, **kwargs) -> None:
    """``pre_migrate`` receiver: see the module's docstring."""
    from django.db import connections

    drop_sqlite_triggers(connections[using])


def after_migrate(sender, using, **kwargs) -> None:
    """``post_migrate`` receiver: see the module's docstring."""
    from django.db import connections

    create_sqlite_triggers(connections[using])
