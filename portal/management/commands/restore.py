"""``manage.py restore ARCHIVE [--force]``: the database and files of one backup archive.

Checks every sha256 first, refuses a database that holds rows unless
``--force``, rebuilds the search index, prints what it restored.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.audit.services import record, record_refusal
from portal.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a portal-backup-*.tar archive into an empty database and the private store."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace whatever the database holds (its tables are dropped and reloaded)",
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            done = restore_backup(archive, force=force)
        except (BackupError, FileNotFoundError) as exc:
            record_refusal("system.restore", exc, label=str(archive))
            raise CommandError(str(exc)) from exc
        # Into the restored database, after its rows were counted for the report.
        record(
            "system.restore",
            label=done.archive,
            detail=f"made {done.created}, {done.engine}; {done.files} files"
            + ("; replaced a database that held rows" if force else ""),
        )
        self.stdout.write(f"Restored {done.archive} (made {done.created}, {done.engine})")
        for label, count in sorted(done.counts.items()):
            if count:
                self.stdout.write(f"  {label}: {count} rows")
        self.stdout.write(
            f"  files: {done.files} written ({done.bytes / 1024 / 1024:.1f} MB), "
            "every sha256 checked; search index rebuilt"
        )
        for name in done.missing:
            self.stderr.write(f"  missing: a row names {name}, which the archive did not hold")
