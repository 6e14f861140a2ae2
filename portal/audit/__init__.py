"""The audit trail (审计日志): who did what to which object, from where, with what result.

Append-only: entries are written through ``record`` (or the ``audited`` decorator
and ``audit_step`` context of the services) and never changed or deleted, except
by ``manage.py prune_audit`` for entries older than the retention period.
"""
