"""One archive with the database and every private file, and its restore.

``write_backup(folder)`` makes ``portal-backup-YYYYmmdd-HHMMSS.tar`` in ``folder``:

- ``db.dump``: ``pg_dump --format=custom`` on PostgreSQL, or ``db.sqlite3`` made
  with SQLite's online backup API (a consistent copy while the site runs);
  taken FIRST, so every file a dumped row names is already in the store when the
  files are copied (files are never changed in place, only added and removed);
- ``files/<stored name>``: every file of the private store (local folder or S3);
- ``manifest.json`` (last): format, engine, time, row counts of the portal's
  tables, and the sha256 and size of the dump and of every file.

The archive is written as ``….tar.partial`` and renamed when complete, so a
failed run leaves nothing that looks like a backup. ``restore_backup(path)``
checks every sum before it changes anything, refuses a database that holds
rows unless ``force``, loads the dump, writes the files under their stored
names, rebuilds the search index, and returns what it restored.

Written here rather than with django-dbbackup: the portal needs ONE archive
with the dump taken before the files, a checksum manifest verified before
anything is touched, files read through the private storage (S3 included),
and a restore that refuses a non-empty database; dbbackup keeps the database
and the media as separate archives without a manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files import File
from django.db import connection
from django.utils import timezone

from portal.files import private_storage
from portal.storage.inventory import rows_with_files, stored_names

logger = logging.getLogger(__name__)

FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (English, for operators)."""


@dataclass
class Restored:
    archive: str
    engine: str
    created: str
    counts: dict[str, int]
    files: int
    bytes: int
    missing: list[str] = field(default_factory=list)  # named by a row, not in the store


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"backup supports PostgreSQL and SQLite, not {vendor}")
    return vendor


def _models():
    """The portal's own models (its apps, not the installed packages')."""
    return [
        model
        for config in apps.get_app_configs()
        if "site-packages" not in config.path
        for model in config.get_models()
        if not model._meta.proxy and model._meta.managed
    ]


def row_counts() -> dict[str, int]:
    """Rows of each of the portal's own tables, by model label."""
    return {m._meta.label: m._base_manager.count() for m in _models()}


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _run(command: list[str], env) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} not found: install the PostgreSQL client") from exc
    if done.returncode:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")


def _dump_database(target: Path) -> None:
    if _engine() == "postgresql":
        args, env = _pg_env()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
        _renew_stamps()
    else:
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()


class _Hashing(io.RawIOBase):
    """Reads ``raw`` and keeps the sha256 of what was read."""

    def __init__(self, raw):
        self.raw, self.digest = raw, hashlib.sha256()

    def readable(self):
        return True

    def read(self, size=-1):
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _digest(fh) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def _sha256_file(path: Path) -> str:
    with open(path, "rb") as fh:
        return _digest(fh)


def write_backup(folder: Path | str, *, now: dt.datetime | None = None) -> Path:
    """Write one archive into ``folder`` (created if missing); return its path.

    Raises BackupError (pg_dump missing or failing, a file unreadable).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = now or timezone.localtime()
    final = folder / f"portal-backup-{now:%Y%m%d-%H%M%S}.tar"
    partial = final.with_name(final.name + ".partial")
    engine = _engine()
    counts = row_counts()
    storage = private_storage()
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        dump = Path(tmp) / ("db.dump" if engine == "postgresql" else "db.sqlite3")
        _dump_database(dump)  # before the files: every dumped row's file is then stored
        manifest = {
            "format": FORMAT,
            "engine": engine,
            "created": now.isoformat(),
            "counts": counts,
            "database": {"name": dump.name, "sha256": _sha256_file(dump)},
            "files": {},
            "vanished": [],
        }
        try:
            with tarfile.open(partial, "w") as archive:
                archive.add(dump, arcname=dump.name)
                for name in sorted(stored_names(storage)):
                    try:
                        fh = storage.open(name, "rb")
                    except FileNotFoundError:  # deleted (replaced) since it was listed
                        manifest["vanished"].append(name)
                        continue
                    with fh:
                        info = tarfile.TarInfo(f"files/{name}")
                        info.size = fh.size
                        info.mtime = int(now.timestamp())
                        reader = _Hashing(fh)
                        archive.addfile(info, reader)
                    manifest["files"][name] = {
                        "sha256": reader.digest.hexdigest(),
                        "size": info.size,
                    }
                data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size = len(data)
                info.mtime = int(now.timestamp())
                archive.addfile(info, io.BytesIO(data))
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    partial.rename(final)
    if manifest["vanished"]:
        logger.warning(
            "Backup %s: %d files were deleted while it ran (replaced files): %s",
            final.name,
            len(manifest["vanished"]),
            ", ".join(manifest["vanished"][:5]),
        )
    return final


def prune(folder: Path | str, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest archives in ``folder``; return what was deleted."""
    archives = sorted(Path(folder).glob("portal-backup-*.tar"))
    old = archives[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile("manifest.json"))
    except KeyError as exc:
        raise BackupError("not a portal backup: no manifest.json (incomplete archive?)") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def verify(archive: tarfile.TarFile, manifest: dict) -> None:
    """Check the dump's and every file's sha256 against the manifest; raise BackupError."""
    expected = {f"files/{n}": meta["sha256"] for n, meta in manifest["files"].items()}
    expected[manifest["database"]["name"]] = manifest["database"]["sha256"]
    seen = set()
    for member in archive:
        if member.name == "manifest.json":
            continue
        if member.name not in expected or not member.isfile():
            raise BackupError(f"unexpected entry in the archive: {member.name}")
        if _digest(archive.extractfile(member)) != expected[member.name]:
            raise BackupError(f"checksum mismatch: {member.name}")
        seen.add(member.name)
    lacking = sorted(set(expected) - seen)
    if lacking:
        raise BackupError(f"the archive lacks {len(lacking)} entries, e.g. {lacking[0]}")


def database_is_empty() -> bool:
    """True when none of the portal's tables holds a row (or none exists yet)."""
    tables = set(connection.introspection.table_names())
    return not any(m._meta.db_table in tables and m._base_manager.exists() for m in _models())


def _load_database(archive: tarfile.TarFile, manifest: dict, tmp: Path) -> None:
    name = manifest["database"]["name"]
    archive.extract(name, path=tmp, filter="data")
    dump = tmp / name
    if manifest["engine"] == "postgresql":
        connection.close()
        args, env = _pg_env()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(dump),
            ],
            env,
        )
        _renew_stamps()
    else:
        connection.ensure_connection()
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)
        source.close()
    connection.close()


# Tables of the stamps that per-process kept rows are read under (accounts 0005,
# bulletins 0007, tasks 0012), each with the statement that gives it a value it never
# had: a new random value of the one row, or tasks 0012's new epoch (its per-backend
# values, restored with their sequence, may repeat sums it had after the backup).
STAMP_RENEWALS = {
    "accounts_permission_stamp": "UPDATE accounts_permission_stamp SET value = gen_random_uuid()",
    "bulletins_series_stamp": "UPDATE bulletins_series_stamp SET value = gen_random_uuid()",
    "tasks_overview_stamps": "UPDATE tasks_overview_stamps SET epoch = gen_random_uuid() WHERE pid = 0",
}
STAMP_TABLES = tuple(STAMP_RENEWALS)


def _renew_stamps() -> None:
    """Give every stamp a value never seen before, after a dump and a restore
    (PostgreSQL).

    pg_restore puts back the value the backup was taken with, and a process may hold
    rows kept under that value that are newer than the backup (tasks' rows are read
    just after their stamp, so a commit can fall between the two): a new value
    makes every process read the restored rows."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, renew in STAMP_RENEWALS.items():
            if table in tables:
                cursor.execute(renew)


def restore_backup(path: Path | str, *, force: bool = False) -> Restored:
    """Restore the archive at ``path`` into this database and private store.

    Refuses (BackupError) an archive of another engine, a bad checksum (before
    anything is changed), and a database with rows unless ``force``. Files are
    written under their stored names; one already there with the same content is
    kept. Rebuilds the search index. Returns what it restored.
    """
    from django.core.management import call_command

    path = Path(path)
    with tarfile.open(path, "r") as archive:
        manifest = read_manifest(archive)
        if manifest["engine"] != _engine():
            raise BackupError(
                f"the archive holds a {manifest['engine']} database; this portal runs on "
                f"{_engine()}: restore on the same engine"
            )
        verify(archive, manifest)
        if not force and not database_is_empty():
            raise BackupError(
                "the database is not empty: restore into an empty database, or pass --force "
                "to replace everything in it"
            )
        with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
            _load_database(archive, manifest, Path(tmp))
        written, size = _restore_files(archive, manifest)
    call_command("rebuild_search_index", no_progress=True, verbosity=0)
    present = set(stored_names(private_storage()))
    return Restored(
        missing=sorted({name for *_, name in rows_with_files() if name not in present}),
        archive=str(path),
        engine=manifest["engine"],
        created=manifest["created"],
        counts=row_counts(),
        files=written,
        bytes=size,
    )


def _restore_files(archive: tarfile.TarFile, manifest: dict) -> tuple[int, int]:
    storage = private_storage()
    written = size = 0
    for name, meta in manifest["files"].items():
        if storage.exists(name):
            with storage.open(name, "rb") as fh:
                if _digest(fh) == meta["sha256"]:
                    continue
            storage.delete(name)
        source = archive.extractfile(f"files/{name}")
        with tempfile.SpooledTemporaryFile(max_size=8 * CHUNK) as buffer:
            shutil.copyfileobj(source, buffer, CHUNK)
            buffer.seek(0)
            stored = storage.save(name, File(buffer, name=os.path.basename(name)))
        if stored != name:
            raise BackupError(f"the store renamed {name} to {stored}")
        written += 1
        size += meta["size"]
    return written, size
