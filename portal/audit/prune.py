"""Pruning the audit trail: the one deletion its guards let through."""

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AuditEntry
from .services import record, record_refusal


class PruneRefused(Exception):
    """The day asked for is within the retention period; nothing was deleted."""


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def prune_before(day: dt.date) -> int:
    """Delete every entry before ``day`` (local midnight); return how many went.

    Refuses (``PruneRefused``, with an English message, recorded as refused) a day
    later than today minus ``AUDIT_RETENTION_DAYS``. Done, it records
    ``audit.prune`` with the count in the same transaction as the deletion.
    """
    days = settings.AUDIT_RETENTION_DAYS
    latest = timezone.localdate() - dt.timedelta(days=days)
    label = f"< {day.isoformat()}"
    if day > latest:
        exc = PruneRefused(
            f"Refused: entries are kept {days} days (AUDIT_RETENTION_DAYS); "
            f"the latest day you may give is {latest.isoformat()}."
        )
        record_refusal("audit.prune", exc, label=label)
        raise exc
    cutoff = _start_of(day)
    table = AuditEntry._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT set_config('portal.audit_prune_before', %s, true)",
                    [cutoff.isoformat()],
                )
            cursor.execute(
                f"DELETE FROM {table} WHERE at < %s",
                [connection.ops.adapt_datetimefield_value(cutoff)],
            )
            count = cursor.rowcount
        record("audit.prune", label=label, detail=_("删除 %(n)d 条") % {"n": count})
    return count
