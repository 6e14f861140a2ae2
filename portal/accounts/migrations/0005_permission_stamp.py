"""A stamp of the permission tables, new on every change (PostgreSQL).

Every signed-in page of a staff user asks two permissions (the header's 审计 and 安全
links), which cost a statement reading all of the user's permissions (the office's
176 rows; about 0.5 ms of the database's CPU and 0.3 ms of Python's a page, issue 11).
The set is a pure function of the user's id and superuser flag and of the content of
five tables: the permissions, the content types (their app labels), the groups'
permissions, the users' groups and the users' own permissions. Statement-level
triggers on those five tables write a new random value (a UUID) to
``accounts_permission_stamp`` in the transaction of every INSERT, UPDATE, DELETE or
TRUNCATE, whatever the path (the ORM, the admin, ``bulk_create``, raw SQL, a flush).
A stamp thus names one state of the five tables: the session's statement reads it
with the user, and ``PortalBackend.get_all_permissions`` keeps each set read per
process under the stamp read with it (``portal/accounts/backends.py``).

No row (deleted by hand): no stamp, and the permissions are read every time. A
transaction that changes the tables holds the row's lock until it ends, so two such
transactions run one after the other. SQLite gets nothing: its pages read the
permissions as before.
"""

from django.db import migrations

TABLES = (
    "auth_permission",
    "django_content_type",
    "auth_group_permissions",
    "accounts_user_groups",
    "accounts_user_user_permissions",
)

CREATE = """
CREATE TABLE accounts_permission_stamp (
    id smallint PRIMARY KEY CHECK (id = 1),
    value uuid NOT NULL
);
INSERT INTO accounts_permission_stamp (id, value) VALUES (1, gen_random_uuid());
CREATE FUNCTION accounts_permission_stamp_bump() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO accounts_permission_stamp (id, value) VALUES (1, gen_random_uuid())
        ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    RETURN NULL;
END
$$;
"""

TRIGGER = """
CREATE TRIGGER accounts_permission_stamp
    AFTER INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_permission_stamp_bump();
CREATE TRIGGER accounts_permission_stamp_truncate
    AFTER TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_permission_stamp_bump();
"""

DROP = """
DROP FUNCTION IF EXISTS accounts_permission_stamp_bump() CASCADE;
DROP TABLE IF EXISTS accounts_permission_stamp;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(CREATE, params=None)
        for table in TABLES:
            schema_editor.execute(TRIGGER.format(table=table), params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_password_rules_and_sessions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, drop)]
