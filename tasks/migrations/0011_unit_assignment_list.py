"""A unit's /tasks/ rows through a PL/pgSQL function, so PostgreSQL keeps its plan.

The unfiltered list of a unit (``tasks.views.units._list_query``: the rows, their
count, whether the unit has unread 催办 and the ranks of their plans and categories)
is one statement whose SQL the view keeps per audience and day (``portal.kept_sql``),
but PostgreSQL parsed and planned it on every request: about 0.45 ms of its 0.85 ms
of CPU (issue 11). A PL/pgSQL function keeps the plans of its statements per
connection, and unlike a prepared statement it works behind a transaction-mode
pooler. ``tasks_unit_assignments(unit, period, limit, offset)`` returns, column for
column, the rows of that statement for the unit acting (``visible_to``: the unit's
assignments), the month ``period`` (``YYYY-MM``: the reports that light a row) and
the page's slice. ``QUERY`` is the ORM's SQL for a unit with the unit's id and the
month as the function's arguments; ``tests/tasks/test_unit_list_function.py`` fails
when the ORM's SQL no longer is this text (then write a migration that replaces the
function) and compares the function's rows with the ORM's. SQLite gets nothing: the
view runs the kept statement there.
"""

from django.db import migrations

QUERY = (
    'SELECT "tasks_assignment"."id" AS "pk", '
    '"tasks_task"."number" AS "task__number", "tasks_task"."title" AS "task__title", '
    '"tasks_plan"."title" AS "task__plan__title", '
    '"tasks_task"."category" AS "task__category", '
    '"tasks_assignment"."role" AS "role", "tasks_assignment"."status" AS "status", '
    'COALESCE("tasks_assignment"."extended_due_date", '
    '"tasks_assignment"."task_due_date") AS "due_on", '
    '"tasks_assignment"."extended_due_date" AS "extended_due_date", '
    '"tasks_assignment"."progress" AS "progress", (SELECT U0."id" AS "pk"'
    ' FROM "tasks_progressreport" U0'
    ' WHERE (U0."assignment_id" = ("tasks_assignment"."id") AND U0."period" = p_period AND NOT (U0."review_status" = \'returned\')) LIMIT 1) IS NOT NULL AS "reported", '
    '"tasks_task"."start_date" AS "task__start_date", '
    '"tasks_task"."plan_id" AS "task__plan", COUNT(*) OVER () AS "list_count", '
    'EXISTS(SELECT 1 AS "a" FROM "tasks_reminder" V0'
    ' WHERE (V0."assignment_id" IN (SELECT U0."id" FROM "tasks_assignment" U0'
    ' WHERE U0."unit_id" = p_unit) AND V0."kind" = \'manual\' AND V0."read_at" IS NULL) LIMIT 1) AS "unread_notices", '
    'DENSE_RANK() OVER (ORDER BY "tasks_plan"."year" DESC, "tasks_plan"."title" ASC, '
    '"tasks_task"."plan_id" ASC) AS "plan_rank", '
    'DENSE_RANK() OVER (ORDER BY "tasks_task"."category" ASC) AS "category_rank"'
    ' FROM "tasks_assignment"'
    ' INNER JOIN "tasks_task" ON ("tasks_assignment"."task_id" = "tasks_task"."id")'
    ' INNER JOIN "tasks_plan" ON ("tasks_task"."plan_id" = "tasks_plan"."id")'
    ' WHERE "tasks_assignment"."unit_id" = p_unit'
    ' ORDER BY CASE WHEN "tasks_assignment"."status" = \'closed\' THEN 1 ELSE 0 END ASC, '
    '8 ASC, "tasks_assignment"."task_number" ASC, 1 ASC'
)

CREATE = """
CREATE OR REPLACE FUNCTION tasks_unit_assignments(
    p_unit bigint, p_period varchar, p_limit bigint, p_offset bigint
) RETURNS TABLE(
    pk bigint,
    task__number varchar,
    task__title varchar,
    task__plan__title varchar,
    task__category varchar,
    role varchar,
    status varchar,
    due_on date,
    extended_due_date date,
    progress smallint,
    reported boolean,
    task__start_date date,
    task__plan bigint,
    list_count bigint,
    unread_notices boolean,
    plan_rank bigint,
    category_rank bigint
)
LANGUAGE plpgsql STABLE AS $fn$
#variable_conflict use_column
BEGIN
    RETURN QUERY {query} LIMIT p_limit OFFSET p_offset;
END
$fn$;
"""

DROP = "DROP FUNCTION IF EXISTS tasks_unit_assignments(bigint, varchar, bigint, bigint);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.replace("{query}", QUERY), params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("tasks", "0010_overview_stamp")]

    operations = [migrations.RunPython(create, drop)]
