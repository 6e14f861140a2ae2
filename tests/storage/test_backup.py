"""``manage.py backup`` and ``restore``: the demo with uploads survives a round trip.

The restore goes into a database of its own (a new SQLite file, or a throwaway
PostgreSQL database created and dropped here, never the shared ones) and an
empty private folder; pages, file checksums and row counts must match.
"""

import hashlib
import io
import re
import sqlite3
import tarfile
import uuid

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from bulletins import pdf_cache
from bulletins.models import Issue, Meeting, Visibility
from portal import backup
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.files import private_storage
from portal.storage.inventory import stored_names
from tasks import services
from tasks.models import Assignment
from tasks.stamp import STAMP_SQL, STAMP_TABLE
from tests.factories import make_attachment, make_issue, pdf, png

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_pdf(monkeypatch):
    """Generated PDFs are stored files like any other; their rendering is tested elsewhere."""
    monkeypatch.setattr(
        pdf_cache, "render_issue_pdf", lambda issue: f"%PDF-1.4 issue {issue.pk}".encode()
    )


def checksums() -> dict[str, str]:
    storage = private_storage()
    sums = {}
    for name in stored_names(storage):
        with storage.open(name, "rb") as fh:
            sums[name] = hashlib.sha256(fh.read()).hexdigest()
    return sums


MASKS = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+'), r"\1…"),
    (re.compile(r"(nonce=\")[^\"]+"), r"\1…"),
    (re.compile(r'("csrfToken"\s*:\s*")[^"]+'), r"\1…"),
]


def page(client, url) -> tuple[int, str]:
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    if url.startswith("/search/"):
        # Hits of equal rank come in index order, and restoring rebuilds the index:
        # the same hits, compared line by line in any order.
        text = "\n".join(sorted(text.splitlines()))
    return response.status_code, text


def pages() -> dict:
    """What office, a unit (renshe) and anonymous see on the main pages."""
    cache.clear()
    published = Issue.objects.filter(status=Issue.Status.PUBLISHED).order_by("-pk")
    issue = published.filter(visibility=Visibility.PUBLIC).first()
    internal = published.filter(visibility=Visibility.INTERNAL).first()
    own = Assignment.objects.filter(unit__users__username="renshe").order_by("pk").first()
    meeting = Meeting.objects.order_by("pk").first()
    common = ["/", "/bulletins/", f"/bulletins/{issue.pk}/", "/meetings/"]
    common += [f"/meetings/{meeting.pk}/", "/search/?q=改革", f"/bulletins/{issue.pk}/pdf/"]
    for a in issue.attachments.order_by("pk"):
        kind = "images" if a.is_inline else "attachments"
        common.append(f"/bulletins/{issue.pk}/{kind}/{a.pk}/")
    seen = {}
    for who, urls in [
        (None, common),
        (
            "renshe",
            [*common, f"/bulletins/{internal.pk}/", "/tasks/", f"/tasks/assignments/{own.pk}/"],
        ),
        ("office", [*common, f"/bulletins/{internal.pk}/", "/tasks/overview/", "/tasks/review/"]),
    ]:
        client = Client()
        if who:
            client.force_login(User.objects.get(username=who))
        for url in urls:
            seen[(who, url)] = page(client, url)
    return seen


def add_uploads():
    """Uploads of every kind on top of the demo: attachment, picture, official PDF, evidence."""
    issue = Issue.objects.filter(
        status=Issue.Status.PUBLISHED, visibility=Visibility.PUBLIC
    ).first()
    make_attachment(issue, name="会议讲话稿.pdf", content=b"%PDF-1.4 speech")
    make_attachment(
        issue, name="现场.png", content=png().read(), content_type="image/png", inline=True
    )
    issue.official_pdf.save("正式版.pdf", ContentFile(b"%PDF-1.7 official"), save=True)
    renshe = User.objects.get(username="renshe")
    own = Assignment.objects.filter(unit=renshe.unit, status=Assignment.Status.IN_PROGRESS).first()
    services.submit_report(
        assignment=own,
        by=renshe,
        period=own.reports.order_by("-period").values_list("period", flat=True).first()
        or "2026-01",
        text="备份前的报送",
        percent=50,
        files=[pdf("备份佐证.pdf"), png("备份照片.png")],
    )


def local_store(settings, folder) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "portal.storage.backends.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(folder), "base_url": None},
        },
    }


@pytest.fixture
def own_store(tmp_path, settings):
    """A private folder of this test's own (not the one other tests of the process share)."""
    local_store(settings, tmp_path / "store")


@pytest.fixture
def fresh_database():
    """Point the connection at a new, empty database for the block; drop it afterwards."""
    original = connection.settings_dict["NAME"]
    created = None

    def switch(tmp_path):
        nonlocal created
        connection.close()
        if connection.vendor == "postgresql":
            created = f"{original}_restore_{uuid.uuid4().hex[:8]}"
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{created}"')
            connection.close()
            connection.settings_dict["NAME"] = created
        else:
            if connection.is_in_memory_db():
                # Django never closes an in-memory test database (it would vanish):
                # keep it alive through a connection of ours and close Django's.
                keeper.append(sqlite3.connect(original, uri=True))
                BaseDatabaseWrapper.close(connection)
            connection.settings_dict["NAME"] = str(tmp_path / "restored.sqlite3")

    keeper = []
    yield switch
    BaseDatabaseWrapper.close(connection)
    connection.settings_dict["NAME"] = original
    if keeper:
        connection.ensure_connection()
        keeper[0].close()
    if created:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')


def stamps() -> dict:
    """The value of each stamp table (PostgreSQL; none on SQLite)."""
    if connection.vendor != "postgresql":
        return {}
    found = {}
    with connection.cursor() as cursor:
        for table in backup.STAMP_TABLES:
            # tasks 0012: the base row's epoch and the sum of the backends' values
            read = STAMP_SQL if table == STAMP_TABLE else f"SELECT value FROM {table}"  # noqa: S608 - constants
            cursor.execute(read)
            found[table] = cursor.fetchone()
    return found


def test_round_trip_gives_the_same_pages_files_and_counts(
    tmp_path, settings, own_store, fresh_database
):
    call_command("load_demo", password="demo-pass", force=True, stdout=io.StringIO())
    add_uploads()
    before_pages, before_sums, before_counts = pages(), checksums(), backup.row_counts()
    assert any(name.startswith("official-pdf/") for name in before_sums)
    assert any(name.startswith("attachments/") for name in before_sums)

    before_stamps = stamps()
    out = io.StringIO()
    audit_rows = before_counts["audit.AuditEntry"]
    call_command("backup", "--dir", str(tmp_path / "backups"), stdout=out)
    archive = next((tmp_path / "backups").glob("portal-backup-*.tar"))
    made = AuditEntry.objects.get(action="system.backup")
    assert made.result == "done" and made.object_label == str(archive)
    assert f"Backup written: {archive}" in out.getvalue()
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[0] in ("db.dump", "db.sqlite3") and names[-1] == "manifest.json"

    fresh_database(tmp_path)
    local_store(settings, tmp_path / "restored-files")
    assert checksums() == {}
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)
    report = out.getvalue()
    assert f"Restored {archive}" in report
    assert f"files: {len(before_sums)} written" in report and "search index rebuilt" in report
    assert f"tasks.Evidence: {before_counts['tasks.Evidence']} rows" in report

    assert checksums() == before_sums
    # Every stamp has a new value: rows a process kept under the backup's stamp may
    # be newer than the backup (tasks 0010), so none of them may be taken again.
    after_stamps = stamps()
    assert after_stamps.keys() == before_stamps.keys()
    assert all(after_stamps[t] != before_stamps[t] for t in before_stamps), after_stamps
    # The same rows, and the restore's own audit entry in the restored database (the
    # backup's entry was written after the dump, so the archive does not hold it).
    assert backup.row_counts() == {**before_counts, "audit.AuditEntry": audit_rows + 1}
    restored = AuditEntry.objects.get(action="system.restore")
    assert restored.result == "done" and restored.object_label == str(archive)
    assert not AuditEntry.objects.filter(action="system.backup").exists()
    after_pages = pages()
    assert after_pages.keys() == before_pages.keys()
    for key, (status, text) in before_pages.items():
        assert status == 200, key
        assert after_pages[key] == (status, text), key

    with pytest.raises(CommandError, match="database is not empty"):
        call_command("restore", str(archive), stdout=io.StringIO())
    refused = AuditEntry.objects.get(action="system.restore", result="refused")
    assert "database is not empty" in refused.reason


def test_a_damaged_archive_is_refused_before_anything_changes(tmp_path, own_store):
    issue_file = ContentFile(b"%PDF-1.4 original")
    name = private_storage().save("attachments/2026/a.pdf", issue_file)
    archive = backup.write_backup(tmp_path)
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar]
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(damaged, "w") as tar:
        for member, data in members:
            if member.name == f"files/{name}":
                data = b"%PDF-1.4 tampered"
            tar.addfile(member, io.BytesIO(data))
    private_storage().delete(name)
    with pytest.raises(CommandError, match=f"checksum mismatch: files/{name}"):
        call_command("restore", str(damaged), "--force", stdout=io.StringIO())
    assert not private_storage().exists(name)
    assert not list(tmp_path.glob("*.partial"))


def test_keep_prunes_old_archives(tmp_path):
    import datetime as dt

    for day in (1, 2, 3):
        backup.write_backup(tmp_path, now=dt.datetime(2026, 1, day, 3, 0))
    call_command("backup", "--dir", str(tmp_path), "--keep", "2", stdout=io.StringIO())
    kept = sorted(p.name for p in tmp_path.glob("portal-backup-*.tar"))
    assert len(kept) == 2 and "portal-backup-20260101-030000.tar" not in kept
    assert "deleted 2 older archives" in AuditEntry.objects.get(action="system.backup").detail


@pytest.mark.s3
def test_round_trip_from_and_to_s3(tmp_path, s3, settings, fresh_database):
    issue = make_issue(visibility="public")
    make_attachment(issue, name="讲话稿.pdf", content=b"%PDF-1.4 speech")
    make_attachment(
        issue, name="图.png", content=png().read(), content_type="image/png", inline=True
    )
    issue.official_pdf.save("正式版.pdf", ContentFile(b"%PDF-1.7 official"), save=True)
    before_sums, before_counts = checksums(), backup.row_counts()
    # (and the generated PDF rendered when the issue was published)
    assert len(before_sums) == len(s3.keys(s3.prefix + "/")) >= 3

    archive = backup.write_backup(tmp_path)
    fresh_database(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "private": s3.storage_settings(s3.prefix + "-restored"),
    }
    assert checksums() == {}
    call_command("restore", str(archive), stdout=io.StringIO())
    assert checksums() == before_sums
    audit_rows = before_counts["audit.AuditEntry"] + 1  # the restore's own entry
    assert backup.row_counts() == {**before_counts, "audit.AuditEntry": audit_rows}
    assert len(s3.keys(s3.prefix + "-restored/")) == len(before_sums)


def test_restore_names_rows_whose_file_the_archive_lacks(
    tmp_path, settings, own_store, fresh_database
):
    issue = make_issue("draft")
    kept = make_attachment(issue, name="留存.pdf")
    lost = make_attachment(issue, name="丢失.pdf")
    private_storage().delete(lost.file.name)  # lost before the backup ran
    archive = backup.write_backup(tmp_path)
    fresh_database(tmp_path)
    local_store(settings, tmp_path / "restored-files")
    out, err = io.StringIO(), io.StringIO()
    call_command("restore", str(archive), stdout=out, stderr=err)
    assert "files: 1 written" in out.getvalue()
    assert f"missing: a row names {lost.file.name}" in err.getvalue()
    assert kept.file.name not in err.getvalue()
