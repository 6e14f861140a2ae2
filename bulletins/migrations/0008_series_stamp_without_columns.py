"""bulletins 0007's UPDATE trigger on the issues without a column list (PostgreSQL).

0007's ``AFTER … UPDATE OF status, visibility, series_id`` made PostgreSQL record
that the trigger depends on those three columns: a later migration changing one's
type stopped at "cannot alter type of a column used in a trigger definition", and
one removing it (Django's ``DROP COLUMN … CASCADE``) silently dropped the whole
trigger, INSERT and DELETE included, after which the stamp no longer moved and the
search page's kept series choices went stale (found by the review). Now the INSERT
and DELETE events keep a statement trigger of their own, and UPDATE a row trigger
with no column list whose function compares the three columns' old and new values
and writes the stamp only when one differs (the function's body is not a
dependency: removing a column makes it fail loudly on the next update instead).
"""

from importlib import import_module

from django.db import migrations

previous = import_module("bulletins.migrations.0007_series_stamp")

CREATE = """
CREATE OR REPLACE FUNCTION bulletins_series_stamp_on_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IS DISTINCT FROM NEW.status
        OR OLD.visibility IS DISTINCT FROM NEW.visibility
        OR OLD.series_id IS DISTINCT FROM NEW.series_id
    THEN
        INSERT INTO bulletins_series_stamp (id, value) VALUES (1, gen_random_uuid())
            ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
    END IF;
    RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS bulletins_series_stamp ON bulletins_issue;
CREATE TRIGGER bulletins_series_stamp
    AFTER INSERT OR DELETE ON bulletins_issue
    FOR EACH STATEMENT EXECUTE FUNCTION bulletins_series_stamp_bump();
CREATE TRIGGER bulletins_series_stamp_update
    AFTER UPDATE ON bulletins_issue
    FOR EACH ROW EXECUTE FUNCTION bulletins_series_stamp_on_update();
"""

DROP = """
DROP TRIGGER IF EXISTS bulletins_series_stamp_update ON bulletins_issue;
DROP FUNCTION IF EXISTS bulletins_series_stamp_on_update();
DROP TRIGGER IF EXISTS bulletins_series_stamp ON bulletins_issue;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)
        schema_editor.execute(
            "CREATE TRIGGER bulletins_series_stamp AFTER {events} ON bulletins_issue "
            "FOR EACH STATEMENT EXECUTE FUNCTION bulletins_series_stamp_bump()".format(
                events=previous.EVENTS["bulletins_issue"]
            ),
            params=None,
        )


class Migration(migrations.Migration):
    dependencies = [("bulletins", "0007_series_stamp")]

    operations = [migrations.RunPython(forwards, backwards)]
