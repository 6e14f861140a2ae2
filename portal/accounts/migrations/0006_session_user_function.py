"""The session's statement with its user in a PL/pgSQL function, so PostgreSQL keeps its
plan (issue 11).

Every signed-in request reads its session row with the user's row, their unit, the
产改办 test and the permission tables' stamp (``portal.accounts.sessions``). PostgreSQL
parsed and planned that statement on every request: about 0.2 ms of its 0.3 ms of
CPU. A PL/pgSQL function keeps the plans of its statements per connection and, unlike
a prepared statement, works behind a transaction-mode pooler.

``accounts_session_user(key, now, user id, group name)`` returns the session's data
and the user's and the unit's rows as the tables' row types, so a column added to
either table later is in them with no new function: the caller names the columns it
reads, ``(f.o_user).column``, from the models. No session row (expired, unknown):
no row; no such user: NULL user and unit, as the LEFT JOINs of the statement it
replaces give them. SQLite gets nothing: its sessions are read by the statement.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accounts_session_user(
    p_key varchar, p_now timestamptz, p_user bigint, p_group varchar
) RETURNS TABLE(
    o_data text, o_user accounts_user, o_unit units_unit, o_office boolean, o_stamp uuid
)
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    RETURN QUERY SELECT s.session_data, u, n,
        EXISTS(
            SELECT 1 FROM accounts_user_groups ug INNER JOIN auth_group g ON g.id = ug.group_id
            WHERE ug.user_id = u.id AND g.name = p_group
        ),
        (SELECT t.value FROM accounts_permission_stamp t)
    FROM django_session s
    LEFT OUTER JOIN accounts_user u ON u.id = p_user
    LEFT OUTER JOIN units_unit n ON n.id = u.unit_id
    WHERE s.session_key = p_key AND s.expire_date > p_now;
END
$fn$;
"""

DROP = "DROP FUNCTION IF EXISTS accounts_session_user(varchar, timestamptz, bigint, varchar);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_permission_stamp"),
        ("sessions", "0001_initial"),
        ("units", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
