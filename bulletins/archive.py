"""The year ZIP: every published issue of a year that the user may see, streamed.

Units archive the year's bulletins in one download: each issue's PDF (the
office's own file or the generated one, bulletins/pdf_cache.py) and its attachments,
in folders named like ``2020年/第四期 全市产业工人队伍建设改革……/``.

The archive is written by zipstream-ng while the response is sent: entries are
read from the private storage in chunks (and PDFs generated when their cache is
stale) only when the stream reaches them, so memory stays flat whatever the
year holds. zipstream-ng uses data descriptors and zip64 where sizes are
unknown, which Python's zipfile cannot write to a non-seekable stream; it is
maintained, small and pure Python.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from zipstream import ZIP_STORED, ZipStream

from portal.text import one_line

from .layout import number_label
from .models import Attachment, Issue
from .pdf import issue_filename
from .pdf_cache import stored_pdf
from .pdf_stamp import needs_stamp, stamp_text, stamped_file

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024
TITLE_MAX = 40
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class Entry:
    arcname: str
    open: Callable[[], object]  # opened only when the stream reaches the entry
    size: int | None = None


def clean_name(name: str, *, limit: int = 80) -> str:
    """A file or folder name that every unzip tool accepts."""
    name = UNSAFE.sub("_", one_line(name or "")).strip().strip(".")
    if len(name) > limit:
        stem, ext = posixpath.splitext(name)
        name = stem[: limit - len(ext)] + ext
    return name or "_"


def year_issues(user, year: int):
    """Published issues of ``year`` the user may see, with their downloadable attachments."""
    attachments = (
        Attachment.objects.visible_to(user).filter(is_inline=False).order_by("order", "id")
    )
    return (
        Issue.objects.visible_to(user)
        .published()
        .filter(year=year)
        .select_related("series")
        .prefetch_related(Prefetch("attachments", queryset=attachments, to_attr="zip_attachments"))
        .order_by("series__ordering", "series__name", "number", "issue_date", "pk")
    )


def _issue_folder(issue: Issue) -> str:
    number = number_label(issue.number) or _("未编号")
    title = issue.title[:TITLE_MAX].rstrip()
    return clean_name(f"{number} {title}".strip())


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    stem, ext = posixpath.splitext(name)
    while candidate in taken:
        candidate = f"{stem}（{n}）{ext}"
        n += 1
    taken.add(candidate)
    return candidate


def year_zip_entries(user, year: int, *, on_issue=None) -> list[Entry]:
    """What the year ZIP holds, in order; files are opened only when streamed.

    ``on_issue(issue)`` is called when the stream reaches an issue's PDF (the
    views record the unit's download there).
    """
    issues = list(year_issues(user, year))
    several_series = len({issue.series_id for issue in issues}) > 1
    root = f"{year}年"
    entries: list[Entry] = []
    folders: set[str] = set()
    for issue in issues:
        parent = posixpath.join(root, clean_name(issue.series.name)) if several_series else root
        folder = posixpath.join(parent, _unique(_issue_folder(issue), folders))
        names: set[str] = set()
        pdf_name = _unique(clean_name(issue_filename(issue)), names)
        stamp = stamp_text(user) if needs_stamp(issue, user) else None
        entries.append(Entry(posixpath.join(folder, pdf_name), _pdf_opener(issue, on_issue, stamp)))
        for n, attachment in enumerate(issue.zip_attachments, start=1):
            original = attachment.original_name or posixpath.basename(attachment.file.name)
            ext = posixpath.splitext(original)[1]
            label = attachment.title or posixpath.splitext(original)[0]
            if attachment.title and not label.lower().endswith(ext.lower()):
                label += ext
            name = _unique(clean_name(_("附件%(n)s %(name)s") % {"n": n, "name": label}), names)
            entries.append(
                Entry(
                    posixpath.join(folder, name),
                    (lambda a=attachment: a.file.open("rb")),
                    attachment.size or None,
                )
            )
    return entries


def _pdf_opener(issue: Issue, on_issue, stamp: str | None):
    def open_pdf():
        if on_issue is not None:
            on_issue(issue)
        fh = stored_pdf(issue).file
        # A unit's copy of an internal issue carries its mark, as a single download does.
        return stamped_file(fh, stamp) if stamp else fh

    return open_pdf


def _chunks(opener: Callable[[], object], arcname: str) -> Iterator[bytes]:
    try:
        fh = opener()
    except OSError:
        # A file gone from the storage must not cut the archive short.
        logger.error("Year ZIP: %s is missing from the storage", arcname)
        return
    try:
        while chunk := fh.read(CHUNK):
            yield chunk
    finally:
        fh.close()


def year_zip_filename(year: int) -> str:
    return _("%(year)s年简报.zip") % {"year": year}


def stream_year_zip(user, year: int, *, on_issue=None) -> Iterator[bytes] | None:
    """The year ZIP as a byte stream, or None when the user may see no issue of that year."""
    entries = year_zip_entries(user, year, on_issue=on_issue)
    if not entries:
        return None
    archive = ZipStream(compress_type=ZIP_STORED, sized=False)
    for entry in entries:
        archive.add(_chunks(entry.open, entry.arcname), entry.arcname, size=entry.size)
    return iter(archive)
