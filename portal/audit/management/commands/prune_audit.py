"""``manage.py prune_audit --before YYYY-MM-DD``: delete audit entries older than a day.

Refuses a day younger than ``AUDIT_RETENTION_DAYS`` (180 by default) before
today; the run, done or refused, is itself an audit entry.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from portal.audit.prune import PruneRefused, prune_before


class Command(BaseCommand):
    help = "Delete audit entries older than --before (at least AUDIT_RETENTION_DAYS ago)."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: entries before this day")

    def handle(self, *args, before, **options):
        try:
            day = dt.date.fromisoformat(before)
        except ValueError as exc:
            raise CommandError(f"--before must be a date as YYYY-MM-DD, not {before!r}") from exc
        try:
            count = prune_before(day)
        except PruneRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Deleted {count} audit entries before {day.isoformat()}.")
