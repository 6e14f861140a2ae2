"""What an issue's official-format PDF shows, in a stable form, and the key that names it.

The key hashes every field, article and attachment the PDF shows, the layout
version and the fonts (bulletins/pdf_fonts.py): the cache (bulletins/pdf_cache.py)
keeps one generated PDF per key.
"""

from __future__ import annotations

import hashlib
import json
import re

from django.utils.translation import gettext as _

from portal.text import normalize_text

from . import layout
from .layout import chinese_date
from .models import Issue
from .numerals import chinese_number
from .pdf_fonts import fonts_fingerprint
from .pdf_html_tree import plain_text

# Bump when the layout changes: every cached PDF is then made again.
LAYOUT_VERSION = "4"

# Characters the layout itself prints, whatever the content.
LAYOUT_TEXT = "第期总内部资料注意保存抄送印发附件年月日草稿未发布定时已撤回简报0123456789—"


def issue_filename(issue: Issue) -> str:
    """e.g. 市工投集团产业工人队伍建设改革简报2020年第四期.pdf"""
    label = issue.number_label or issue.title
    name = f"{issue.series.name}{label}"
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip() + ".pdf"


def _printable(value):
    """``value`` with control characters resolved in every string (portal/text.py):
    rows written around the models may hold some, which would print as stray glyphs."""
    if isinstance(value, dict):
        return {k: _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return normalize_text(value)


def issue_content(issue: Issue) -> dict:
    """Every value the PDF shows, in a stable form (the cache key hashes it), with
    control characters resolved (``portal.text.normalize_text``)."""
    return _printable(
        {
            "series": issue.series.name,
            "year": issue.year,
            "number": issue.number,
            "total_number": issue.total_number,
            "title": issue.title,
            "issue_date": chinese_date(issue.issue_date),
            "printed_on": chinese_date(issue.printed_on),
            "issuing_office": issue.issuing_office,
            "distribution_line": issue.distribution_line,
            "distribution": list(issue.distribution.values_list("name", flat=True)),
            "visibility": issue.visibility,
            "status": issue.status,
            "articles": [
                [a.pk, a.title, a.body]
                for a in issue.articles.order_by("order", "id").only("title", "body")
            ],
            "attachments": [
                [a.pk, a.title, a.original_name, a.is_inline, a.sha256, a.file.name]
                for a in issue.attachments.order_by("order", "id")
            ],
        }
    )


def content_digest(issue: Issue) -> str:
    """A digest of what the PDF of ``issue`` shows (stored in ``Issue.pdf_content_digest``)."""
    blob = json.dumps(issue_content(issue), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def pdf_key(issue: Issue) -> str:
    """The cache key: the stored content digest, the layout version and the fonts.

    Reads ``issue.pdf_content_digest`` (no query) and hashes the content only
    when it is empty (a row written around the signals).
    """
    digest = issue.pdf_content_digest or content_digest(issue)
    blob = f"{LAYOUT_VERSION}|{_fonts_fingerprint()}|{digest}"
    return hashlib.sha256(blob.encode()).hexdigest()


_fingerprints: dict[str, str] = {}


def _fonts_fingerprint() -> str:
    """``fonts_fingerprint()`` once per process and font setting (font files change on deploy)."""
    from django.conf import settings

    setting = repr(sorted((getattr(settings, "BULLETIN_PDF_FONTS", None) or {}).items()))
    if setting not in _fingerprints:
        _fingerprints[setting] = fonts_fingerprint()
    return _fingerprints[setting]


def distribution_text(content: dict) -> str:
    """抄送 line: the free text when given, else the units, ending with 。 (bulletins/layout.py)."""
    return layout.distribution_text(content["distribution_line"], content["distribution"])


def status_marker(status: str) -> str:
    """The mark printed at the top right of every page of an issue not (or no longer) out."""
    return {
        Issue.Status.DRAFT: _("草稿 · 未发布"),
        Issue.Status.SCHEDULED: _("定时发布 · 未发布"),
        Issue.Status.WITHDRAWN: _("已撤回"),
    }.get(status, "")


def printed_text(content: dict) -> str:
    """Every character the PDF of ``content`` (``issue_content``) may print, once or more."""
    attachments = [a for a in content["attachments"] if not a[3]]
    return "".join(
        [
            LAYOUT_TEXT,
            content["series"],
            content["title"],
            content["issuing_office"],
            content["issue_date"],
            content["printed_on"],
            distribution_text(content),
            chinese_number(content["number"]) if content["number"] else "",
            status_marker(content["status"]),
            *(a[1] + plain_text(a[2]) for a in content["articles"]),
            *(a[1] + a[2] for a in attachments),
        ]
    )


def unprintable_characters(issue: Issue) -> list[str]:
    """Characters of ``issue`` that no PDF face has: they would print as empty boxes.

    Empty when the office uploaded its own PDF (that file is what readers get).
    The office sees these on the preview and when publishing (issue 16).
    """
    from .pdf_fontset import unprintable

    if issue.official_pdf:
        return []
    return unprintable(printed_text(issue_content(issue)))
