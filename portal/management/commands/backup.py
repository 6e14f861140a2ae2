"""``manage.py backup [--dir DIR] [--keep N]``: one dated archive of the database and files.

See portal/backup.py for what the archive holds; README, "Backup and restore".
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.audit.services import record, record_refusal
from portal.backup import BackupError, prune, write_backup


class Command(BaseCommand):
    help = "Write portal-backup-YYYYmmdd-HHMMSS.tar: database dump, private files, sha256 manifest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=None,
            help=f"where to write (default BACKUP_DIR: {settings.BACKUP_DIR})",
        )
        parser.add_argument(
            "--keep", type=int, default=0, help="then delete all but the N newest archives"
        )

    def handle(self, *args, dir=None, keep=0, **options):
        folder = dir or settings.BACKUP_DIR
        try:
            path = write_backup(folder)
        except BackupError as exc:
            record_refusal("system.backup", exc, label=str(folder))
            raise CommandError(str(exc)) from exc
        size = path.stat().st_size
        self.stdout.write(f"Backup written: {path} ({size / 1024 / 1024:.1f} MB)")
        deleted = prune(folder, keep)
        for old in deleted:
            self.stdout.write(f"Deleted old backup: {old}")
        # After the dump: the archive itself does not hold the entry of its making.
        detail = f"{size} bytes" + (f"; deleted {len(deleted)} older archives" if deleted else "")
        record("system.backup", label=str(path), detail=detail)
