"""``manage.py check_storage [--delete-orphans] [--min-age MINUTES]``: rows vs. stored files.

Lists rows whose private file is missing from the store and stored files no
row names (orphans: a worker killed between writing and committing). With
``--delete-orphans`` deletes those orphans older than ``--min-age`` minutes and
the spooled uploads left in ``FILE_UPLOAD_TEMP_DIR``. Exits 1 when a row's
file is missing (something to restore from a backup). Run daily from cron
(README, "Private files").
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.files import private_storage
from portal.storage.inventory import older_than, rows_with_files, stored_names


class Command(BaseCommand):
    help = "List rows whose private file is missing and stored files no row names."

    def add_arguments(self, parser):
        parser.add_argument(
            "--delete-orphans",
            action="store_true",
            help="delete stored files no row names (and stale spooled uploads)",
        )
        parser.add_argument(
            "--min-age",
            type=int,
            default=60,
            help="only delete orphans older than this many minutes (default 60)",
        )

    def handle(self, *args, delete_orphans=False, min_age=60, **options):
        storage = private_storage()
        stored = set(stored_names(storage))
        named = set()
        missing = []
        for label, pk, field, name in rows_with_files():
            named.add(name)
            if name not in stored:
                missing.append((label, pk, field, name))
        orphans = sorted(stored - named)

        for label, pk, field, name in missing:
            self.stdout.write(f"missing: {label} #{pk} {field} -> {name}")
        deleted = 0
        for name in orphans:
            young = not older_than(storage, name, min_age)
            note = " (younger than --min-age, kept)" if delete_orphans and young else ""
            self.stdout.write(f"orphan: {name}{note}")
            if delete_orphans and not young:
                storage.delete(name)
                deleted += 1
        spooled = self._clean_spool(min_age) if delete_orphans else 0
        self.stdout.write(
            f"{len(named)} files named by rows, {len(stored)} stored, "
            f"{len(missing)} missing, {len(orphans)} orphans"
            + (
                f", {deleted} orphans and {spooled} spooled uploads deleted"
                if delete_orphans
                else ""
            )
        )
        if missing:
            raise CommandError(f"{len(missing)} rows name a file the store does not have")

    def _clean_spool(self, min_age: int) -> int:
        folder = Path(settings.FILE_UPLOAD_TEMP_DIR or "")
        if not settings.FILE_UPLOAD_TEMP_DIR or not folder.is_dir():
            return 0
        cutoff = time.time() - min_age * 60
        removed = 0
        for entry in os.scandir(folder):
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < cutoff:
                os.remove(entry.path)
                removed += 1
        return removed
