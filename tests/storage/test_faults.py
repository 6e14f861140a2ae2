"""The local private folder failing mid-write: a clear Chinese page, nothing partial, no row."""

import errno
import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tasks.models import Evidence, ProgressReport
from tests.factories import acknowledged

pytestmark = pytest.mark.django_db

BIG_PDF = b"%PDF-1.4\n" + b"0" * (300 * 1024) + b"\n%%EOF"


def private_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


class FullDisk(io.RawIOBase):
    """A file of the private folder on a disk that fills after ``room`` bytes (ENOSPC)."""

    def __init__(self, real, room):
        self.real, self.room = real, room

    def write(self, data):
        if len(data) > self.room:
            self.real.write(data[: self.room])
            self.real.flush()
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.real.write(data)

    def close(self):
        self.real.close()
        super().close()


@pytest.fixture
def disk_full(monkeypatch):
    """Files opened under PRIVATE_MEDIA_ROOT take 64 KB, then the disk is full."""
    real_fdopen = os.fdopen
    root = str(Path(settings.PRIVATE_MEDIA_ROOT).resolve())

    def fdopen(fd, *args, **kwargs):
        handle = real_fdopen(fd, *args, **kwargs)
        if os.readlink(f"/proc/self/fd/{fd}").startswith(root):
            return FullDisk(handle, 64 * 1024)
        return handle

    monkeypatch.setattr(os, "fdopen", fdopen)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_a_full_disk_gives_a_chinese_503_and_leaves_no_partial_file(
    disk_full, client_a, user_a, assignment_a
):
    acknowledged(assignment_a, user_a)
    before = private_files()
    response = client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]),
        {
            "period": timezone.localdate().strftime("%Y-%m"),
            "percent": "10",
            "text": "第三季度进展",
            "files": [SimpleUploadedFile("大文件.pdf", BIG_PDF, "application/pdf")],
        },
    )
    assert response.status_code == 503
    page = response.content.decode()
    # The form comes back with what was typed, the reason, and the file to choose again.
    assert "文件存储空间已满，文件未保存" in page and "第三季度进展" in page
    assert "所选文件（大文件.pdf）尚未保存" in page
    assert private_files() == before
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
