"""Evidence files (佐证材料) of progress reports: checked whole before any is stored,
removed again when the transaction that stored them fails."""

from collections.abc import Iterable

from portal.files import atomic_with_files, check_uploads, store_uploads

from ..models import (
    Evidence,
)

__all__ = ["atomic_with_files", "check_evidence", "store_evidence"]

MAX_EVIDENCE_FILES = 10


def check_evidence(files: Iterable) -> list:
    """Validate every file before anything is stored (a refusal stores nothing)."""
    return check_uploads(files, allowed=Evidence.ALLOWED, limit=MAX_EVIDENCE_FILES)


def store_evidence(report, checked, by, stored: list) -> None:
    store_uploads(checked, lambda **file: Evidence(report=report, uploaded_by=by, **file), stored)
