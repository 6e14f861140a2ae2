"""The cache of generated PDFs: one file per content key, in the private storage.

``issue_pdf(issue)`` is what downloads use: the office's own uploaded PDF when
there is one, otherwise the generated PDF, made once per revision of what it
shows and kept in ``Issue.generated_pdf`` under the content key
(bulletins/pdf_content.py). A second request without an edit reuses the file;
an edit, a withdrawal or a font change makes a new one.
"""

from __future__ import annotations

import hashlib
import logging
from functools import lru_cache
from typing import NamedTuple

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import get_language

from portal.files import UploadTo
from portal.storage.tracking import tracked_writes

from .models import Issue, Series
from .pdf_content import issue_filename, pdf_key
from .pdf_layout import render_issue_pdf

logger = logging.getLogger(__name__)

_upload_to = UploadTo("generated-pdf")


class PdfFile(NamedTuple):
    file: object  # an open binary file
    filename: str
    etag: str  # quoted, strong
    last_modified: object  # aware datetime or None


@lru_cache(maxsize=1024)
def _named(language, series: str, year, number, title: str) -> str:
    issue = Issue(year=year, number=number, title=title)
    issue.series = Series(name=series)
    return issue_filename(issue)


def download_filename(issue: Issue) -> str:
    """``issue_filename(issue)``, worked out once per process for each series name,
    year, number, title and language it is asked for (a pure function of them, not a
    cache of data: its number label costs two translations and the numerals)."""
    return _named(get_language(), issue.series.name, issue.year, issue.number, issue.title)


def _etag(value: str) -> str:
    return f'"{value}"'


def _modified(fieldfile, fallback):
    try:
        return fieldfile.storage.get_modified_time(fieldfile.name)
    except (NotImplementedError, OSError):
        return fallback


class Validators(NamedTuple):
    etag: str  # quoted, strong
    last_modified: object  # aware datetime, or None when the PDF is still to be made
    key: str  # the content key ("" for the office's own file)
    stored: str = ""  # the stored generated PDF of ``key`` ("" when it is still to be made)


def _official_etag(issue: Issue) -> str:
    # The stored name is a fresh uuid per upload: a new upload, a new ETag.
    return _etag(hashlib.sha256(f"official|{issue.official_pdf.name}".encode()).hexdigest())


def _storage():
    """Where generated PDFs live: the one place that names it (S3 or a volume in production)."""
    return Issue._meta.get_field("generated_pdf").storage


def _look_up(name: str) -> tuple[bool, object]:
    """Whether the stored file ``name`` is there, and when it was written (None if unknown).

    One look-up (a stat, or an S3 HEAD) where the store tells the time; a store
    that does not, or answers otherwise than "not found", is asked ``exists()``.
    """
    storage = _storage()
    try:
        return True, storage.get_modified_time(name)
    except FileNotFoundError:
        return False, None
    except Exception:  # noqa: BLE001 (no times here, or an S3 "404" error: ask plainly)
        return storage.exists(name), None


def _cached_name(issue: Issue, key: str) -> str | None:
    """The stored generated PDF for ``key``, if it is there (read from the loaded row)."""
    name = issue.generated_pdf.name if issue.generated_pdf_key == key else ""
    if name and _storage().exists(name):
        return name
    return None


def _complete(issue: Issue) -> Issue:
    """``issue`` with every field loaded: a download reads a few columns, rendering all."""
    if not issue.get_deferred_fields():
        return issue
    return Issue.objects.select_related("series").get(pk=issue.pk)


def pdf_validators(issue: Issue) -> Validators:
    """ETag and Last-Modified of what ``issue_pdf`` returns, without rendering anything.

    Lets a view answer a conditional GET (304) before any PDF is made. Looks
    the stored file up once; pass the result to ``issue_pdf``, which then opens
    it without looking again.
    """
    if issue.official_pdf:
        return Validators(_official_etag(issue), _modified(issue.official_pdf, None), "")
    key = pdf_key(issue if issue.pdf_content_digest else _complete(issue))
    name = issue.generated_pdf.name if issue.generated_pdf_key == key else ""
    found, modified = _look_up(name) if name else (False, None)
    return Validators(_etag(key), modified, key, name if found else "")


def issue_pdf(issue: Issue, *, validators: Validators | None = None) -> PdfFile:
    """The file a reader downloads for ``issue``: the office's own PDF or the generated one.

    The caller has already checked that the user may see the issue. Generates
    (and stores) the PDF only when the cached one is missing or stale.
    ``validators`` (``pdf_validators``, just before) saves looking the stored
    file up again.
    """
    filename = download_filename(issue)
    if issue.official_pdf:
        official = issue.official_pdf
        modified = validators.last_modified if validators else _modified(official, None)
        return PdfFile(official.open("rb"), filename, _official_etag(issue), modified)
    validators = validators or pdf_validators(issue)
    storage = _storage()
    if validators.stored:
        try:
            fileobj = storage.open(validators.stored, "rb")
        except FileNotFoundError:  # removed since the look-up: made again below
            pass
        else:
            return PdfFile(fileobj, filename, validators.etag, validators.last_modified)
    key = validators.key
    name = _cached_name(issue, key) or _store(issue, key, render_issue_pdf(_complete(issue)))
    issue.generated_pdf.name = name
    issue.generated_pdf_key = key
    return PdfFile(
        storage.open(name, "rb"), filename, _etag(key), _modified(issue.generated_pdf, None)
    )


def _store(issue: Issue, key: str, data: bytes) -> str:
    """Save a freshly rendered PDF and point the issue at it; return the stored name.

    Rendering happens outside any transaction (it takes a second or two); the
    short transaction here re-reads the row, so of two concurrent renders the
    later one finds the first one's file and throws its own away.
    """
    storage = _storage()
    # Written inside the transaction: if it fails, the file goes with it (tracking).
    with tracked_writes(), transaction.atomic():
        name = storage.save(_upload_to(issue, "issue.pdf"), ContentFile(data))
        row = (
            Issue.objects.select_for_update()
            .only("generated_pdf", "generated_pdf_key")
            .get(pk=issue.pk)
        )
        old = row.generated_pdf.name
        if row.generated_pdf_key == key and old and storage.exists(old):
            transaction.on_commit(lambda: storage.delete(name))
            return old
        # update(), not save(): the cache is no edit of the issue (no
        # updated_at, no history revision).
        Issue.objects.filter(pk=issue.pk).update(generated_pdf=name, generated_pdf_key=key)
        if old and old != name:
            transaction.on_commit(lambda: storage.delete(old))
    return name


def store_issue_pdf(issue_id: int) -> bool:
    """Render and store the generated PDF of a published issue unless it is current.

    Returns True when it rendered one. The background job that publishing and
    each edit of a published issue queue (bulletins/pdf_signals.py).
    """
    issue = (
        Issue.objects.select_related("series")
        .filter(pk=issue_id, status=Issue.Status.PUBLISHED)
        .first()
    )
    if issue is None or issue.official_pdf:
        return False
    key = pdf_key(issue)
    if _cached_name(issue, key):
        return False
    _store(issue, key, render_issue_pdf(issue))
    return True


def stored_pdf(issue: Issue) -> PdfFile:
    """What the year ZIP packs for ``issue``: the stored PDF, rendered only if there is none.

    A stored PDF made before the last edit (its job still queued, or the fonts
    changed since) is packed as it is and its render queued again; an issue
    whose PDF was never made (published before PDFs were made on publishing)
    is rendered here, once.
    """
    filename = issue_filename(issue)
    if issue.official_pdf:
        official = issue.official_pdf
        return PdfFile(official.open("rb"), filename, _official_etag(issue), None)
    name = issue.generated_pdf.name
    if name and _storage().exists(name):
        key = pdf_key(issue)
        if issue.generated_pdf_key != key:
            from .tasks import render_issue_pdf_job

            render_issue_pdf_job.enqueue(issue.pk)
        return PdfFile(_storage().open(name, "rb"), filename, _etag(issue.generated_pdf_key), None)
    logger.info("Year ZIP: issue %s had no stored PDF; rendering it now", issue.pk)
    return issue_pdf(issue)
