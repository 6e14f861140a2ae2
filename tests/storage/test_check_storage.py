"""``manage.py check_storage``: rows whose file is missing, files no row names, and cleaning."""

import io
import os
import time

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from portal.files import private_storage
from tests.factories import make_attachment, make_issue

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("check_storage", *args, stdout=out)
    return out.getvalue()


def age(name: str, minutes: int) -> None:
    """Make a locally stored file look ``minutes`` old."""
    path = private_storage().path(name)
    then = time.time() - minutes * 60
    os.utime(path, (then, then))


def test_lists_missing_files_and_orphans_and_deletes_only_old_orphans():
    issue = make_issue()
    kept = make_attachment(issue, name="留存.pdf")
    lost = make_attachment(issue, name="丢失.pdf")
    storage = private_storage()
    storage.delete(lost.file.name)
    old = storage.save("attachments/2026/old-orphan.pdf", ContentFile(b"%PDF-1.4 a"))
    new = storage.save("attachments/2026/new-orphan.pdf", ContentFile(b"%PDF-1.4 b"))
    age(old, 120)

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 rows name a file"):
        call_command("check_storage", stdout=out)
    text = out.getvalue()
    assert f"missing: bulletins.Attachment #{lost.pk} file -> {lost.file.name}" in text
    assert f"orphan: {old}" in text and f"orphan: {new}" in text
    assert kept.file.name not in text

    lost.delete()
    text = run("--delete-orphans")
    assert "1 orphans and 0 spooled uploads deleted" in text
    assert not storage.exists(old)
    assert storage.exists(new) and storage.exists(kept.file.name)
    assert f"orphan: {new} (younger than --min-age, kept)" in text


def test_delete_orphans_empties_stale_spooled_uploads():
    folder = settings.FILE_UPLOAD_TEMP_DIR
    stale = os.path.join(folder, "tmpabc.upload")
    fresh = os.path.join(folder, "tmpdef.upload")
    for path in (stale, fresh):
        with open(path, "wb") as fh:
            fh.write(b"copy of a private file")
    then = time.time() - 3 * 3600
    os.utime(stale, (then, then))
    text = run("--delete-orphans")
    assert "1 spooled uploads deleted" in text
    assert not os.path.exists(stale) and os.path.exists(fresh)
    os.remove(fresh)


@pytest.mark.s3
def test_on_s3(s3):
    issue = make_issue()
    lost = make_attachment(issue, name="丢失.pdf")
    storage = private_storage()
    storage.delete(lost.file.name)
    orphan = storage.save("evidence/2026/orphan.pdf", ContentFile(b"%PDF-1.4 orphan"))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_storage", stdout=out)
    assert f"missing: bulletins.Attachment #{lost.pk}" in out.getvalue()
    assert f"orphan: {orphan}" in out.getvalue()
    lost.delete()
    text = run("--delete-orphans", "--min-age", "0")
    assert "1 orphans" in text and s3.keys(s3.prefix + "/") == []
