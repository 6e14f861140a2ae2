"""Each assignment carries its task's list, due date and number (issue 11).

The overview's page of rows is the first 50 of a task list's assignments in the lists'
order (open first, due date, the task's number, id). With the task's columns on the
task table PostgreSQL sorted every assignment of the list (975 at issue 11's volume)
for each page; with them on the assignment, an index (``assignment_plan_list_order``;
``assignment_list_order`` for every list) gives the first 50 in order.

The copies are the database's to keep, on SQLite and PostgreSQL alike, so that no
writer can leave them behind: a trigger sets them on every insert of an assignment and
every update that touches its task or the copies, and another writes a task's new
values to its assignments on every insert or update of the task's list, due date or
number (a save, the admin, an import, ``QuerySet.update()``, ``bulk_create()``, raw
SQL). Existing rows are filled here. On SQLite these triggers would make a later
migration that rebuilds either table fail at its rename, so tasks/task_copies.py drops
them before ``migrate`` runs and creates them again after it; on PostgreSQL tasks 0009
makes the assignment's trigger read its task under a share lock.
"""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models

POSTGRESQL = """
CREATE OR REPLACE FUNCTION tasks_assignment_task_copies() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.plan_id, t.due_date, t.number
        INTO NEW.task_plan_id, NEW.task_due_date, NEW.task_number
        FROM tasks_task t WHERE t.id = NEW.task_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER tasks_assignment_task_copies
    BEFORE INSERT OR UPDATE OF task_id, task_plan_id, task_due_date, task_number
    ON tasks_assignment
    FOR EACH ROW EXECUTE FUNCTION tasks_assignment_task_copies();

CREATE OR REPLACE FUNCTION tasks_task_copies_to_assignments() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks_assignment
        SET task_plan_id = NEW.plan_id, task_due_date = NEW.due_date, task_number = NEW.number
        WHERE task_id = NEW.id AND (
            task_plan_id IS DISTINCT FROM NEW.plan_id
            OR task_due_date IS DISTINCT FROM NEW.due_date
            OR task_number IS DISTINCT FROM NEW.number
        );
    RETURN NULL;
END
$$;
CREATE TRIGGER tasks_task_copies_to_assignments
    AFTER INSERT OR UPDATE OF plan_id, due_date, number ON tasks_task
    FOR EACH ROW EXECUTE FUNCTION tasks_task_copies_to_assignments();
"""

POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS tasks_task_copies_to_assignments ON tasks_task;
DROP FUNCTION IF EXISTS tasks_task_copies_to_assignments();
DROP TRIGGER IF EXISTS tasks_assignment_task_copies ON tasks_assignment;
DROP FUNCTION IF EXISTS tasks_assignment_task_copies();
"""

# SQLite's triggers cannot change the row being written: each writes the copies with an
# UPDATE after it, only when they differ (so it ends even with recursive triggers on).
_SQLITE_FROM_TASK = """
    UPDATE tasks_assignment
        SET (task_plan_id, task_due_date, task_number) =
            (SELECT t.plan_id, t.due_date, t.number FROM tasks_task t WHERE t.id = NEW.task_id)
        WHERE id = NEW.id;
"""
_SQLITE_TO_ASSIGNMENTS = """
    UPDATE tasks_assignment
        SET task_plan_id = NEW.plan_id, task_due_date = NEW.due_date, task_number = NEW.number
        WHERE task_id = NEW.id AND (
            task_plan_id IS NOT NEW.plan_id
            OR task_due_date IS NOT NEW.due_date
            OR task_number IS NOT NEW.number
        );
"""
_SQLITE_DIFFERS = """
    EXISTS (
        SELECT 1 FROM tasks_task t WHERE t.id = NEW.task_id AND (
            NEW.task_plan_id IS NOT t.plan_id
            OR NEW.task_due_date IS NOT t.due_date
            OR NEW.task_number IS NOT t.number
        )
    )
"""
SQLITE = [
    f"""CREATE TRIGGER tasks_assignment_task_copies_insert
    AFTER INSERT ON tasks_assignment
    BEGIN {_SQLITE_FROM_TASK} END""",
    f"""CREATE TRIGGER tasks_assignment_task_copies_update
    AFTER UPDATE OF task_id, task_plan_id, task_due_date, task_number ON tasks_assignment
    WHEN {_SQLITE_DIFFERS}
    BEGIN {_SQLITE_FROM_TASK} END""",
    f"""CREATE TRIGGER tasks_task_copies_to_assignments_insert
    AFTER INSERT ON tasks_task
    BEGIN {_SQLITE_TO_ASSIGNMENTS} END""",
    f"""CREATE TRIGGER tasks_task_copies_to_assignments_update
    AFTER UPDATE OF plan_id, due_date, number ON tasks_task
    BEGIN {_SQLITE_TO_ASSIGNMENTS} END""",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS tasks_task_copies_to_assignments_update",
    "DROP TRIGGER IF EXISTS tasks_task_copies_to_assignments_insert",
    "DROP TRIGGER IF EXISTS tasks_assignment_task_copies_update",
    "DROP TRIGGER IF EXISTS tasks_assignment_task_copies_insert",
]

# Both databases: every existing assignment gets its task's values.
FILL = """
UPDATE tasks_assignment SET
    task_plan_id = (SELECT t.plan_id FROM tasks_task t WHERE t.id = tasks_assignment.task_id),
    task_due_date = (SELECT t.due_date FROM tasks_task t WHERE t.id = tasks_assignment.task_id),
    task_number = (SELECT t.number FROM tasks_task t WHERE t.id = tasks_assignment.task_id)
"""


def keep_copies(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE:
            schema_editor.execute(sql, params=None)
    else:
        raise NotImplementedError(
            f"tasks 0008 keeps the task copies on SQLite and PostgreSQL, not {vendor}"
        )
    schema_editor.execute(FILL, params=None)


def analyze(apps, schema_editor):
    """PostgreSQL's statistics of the new indexes' expressions, for the planner to pick
    them before autovacuum comes by."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ANALYZE tasks_assignment", params=None)


def drop_copies(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP, params=None)
    else:
        for sql in SQLITE_DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0007_report_month_index"),
        ("units", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="assignment",
            options={
                "ordering": [
                    models.OrderBy(
                        django.db.models.functions.comparison.Coalesce(
                            "extended_due_date", "task_due_date"
                        )
                    ),
                    "task_number",
                    "id",
                ],
                "verbose_name": "任务分工",
                "verbose_name_plural": "任务分工",
            },
        ),
        migrations.AddField(
            model_name="assignment",
            name="task_due_date",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="assignment",
            name="task_number",
            field=models.CharField(default="", editable=False, max_length=20),
        ),
        migrations.AddField(
            model_name="assignment",
            name="task_plan",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="tasks.plan",
            ),
        ),
        migrations.RunPython(keep_copies, drop_copies),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                models.F("task_plan"),
                models.Case(
                    models.When(status="closed", then=models.Value(1)),
                    default=models.Value(0),
                    output_field=models.IntegerField(),
                ),
                django.db.models.functions.comparison.Coalesce(
                    "extended_due_date", "task_due_date"
                ),
                models.F("task_number"),
                models.F("id"),
                name="assignment_plan_list_order",
            ),
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(
                models.Case(
                    models.When(status="closed", then=models.Value(1)),
                    default=models.Value(0),
                    output_field=models.IntegerField(),
                ),
                django.db.models.functions.comparison.Coalesce(
                    "extended_due_date", "task_due_date"
                ),
                models.F("task_number"),
                models.F("id"),
                name="assignment_list_order",
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
