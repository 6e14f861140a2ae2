"""The assignment's trigger reads its task under a share lock (PostgreSQL).

Tasks 0008's ``tasks_assignment_task_copies`` read the task without a lock. An
assignment added (or moved to another task) while another transaction changed that
task's list, due date or number, neither committed, kept the task's old values: the
insert's trigger read the task as last committed, and the task's trigger did not see
the uncommitted assignment. ``FOR SHARE`` makes the insert wait for the task's
writer and then read what it committed, and makes a task's writer wait for the
insert, whose row its trigger then sees. SQLite has one writer at a time and needs
nothing.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION tasks_assignment_task_copies() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT t.plan_id, t.due_date, t.number
        INTO NEW.task_plan_id, NEW.task_due_date, NEW.task_number
        FROM tasks_task t WHERE t.id = NEW.task_id{lock};
    RETURN NEW;
END
$$;
"""


def share_lock(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.format(lock=" FOR SHARE"), params=None)


def no_lock(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.format(lock=""), params=None)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0008_assignment_task_copies")]

    operations = [migrations.RunPython(share_lock, no_lock)]
