"""PostgreSQL refuses UPDATE and DELETE on the audit table (issue 15).

The one DELETE let through is ``manage.py prune_audit``'s: it sets
``portal.audit_prune_before`` for its own transaction, and only rows older than
both that moment and the legal six months (180 days before the database's clock)
may go. TRUNCATE is left alone: Django's test flush uses it, and whoever may
truncate a table may drop a trigger too. Other databases rely on the model's
guards (portal/audit/models.py).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    prune_before timestamptz := NULLIF(current_setting('portal.audit_prune_before', true), '')::timestamptz;
BEGIN
    IF TG_OP = 'DELETE' AND prune_before IS NOT NULL
       AND OLD.at < prune_before AND OLD.at < now() - interval '180 days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_auditentry_append_only
    BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_auditentry_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
