"""Evidence files (佐证材料) of progress reports: checked whole before any is stored,
removed again when the transaction that stored them fails."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.files import atomic_with_files, check_upload, sha256_of, storable_copy, upload_name

from ..models import (
    Evidence,
)

__all__ = ["atomic_with_files", "check_evidence", "store_evidence"]

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
        content = storable_copy(f, kind)  # pictures lose their EXIF data
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
