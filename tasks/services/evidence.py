"""Evidence files (佐证材料) of progress reports: checked whole before any is stored,
removed again when the transaction that stored them fails."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal.files import check_upload, sha256_of, strip_exif, upload_name

from ..models import (
    Evidence,
)

MAX_EVIDENCE_FILES = 10


def check_evidence(files: Iterable) -> list:
    """Validate every file before anything is stored (a refusal stores nothing)."""
    files = [f for f in files if f]
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            _("一次最多上传 %(n)d 个文件。") % {"n": MAX_EVIDENCE_FILES}, code="too_many_files"
        )
    return [(f, check_upload(f, allowed=Evidence.ALLOWED)) for f in files]


def store_evidence(report, checked, by, stored: list) -> None:
    for f, kind in checked:
        digest = sha256_of(f)
        if kind.ext in {"jpg", "jpeg", "png"}:
            # Stored copies of pictures lose their EXIF (GPS, device) data.
            content = ContentFile(strip_exif(f, fmt="JPEG" if kind.ext != "png" else "PNG").read())
        else:
            f.seek(0)
            content = f
        evidence = Evidence(
            report=report,
            original_name=upload_name(f.name),
            content_type=kind.content_type,
            size=f.size,
            sha256=digest,
            uploaded_by=by,
        )
        evidence.file.save(f.name, content, save=False)
        stored.append(evidence.file.name)
        evidence.save()


def atomic_with_files(fn):
    """Run ``fn(stored)`` atomically; delete the files it stored if anything fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return fn(stored)
    except BaseException:
        storage = Evidence._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise
