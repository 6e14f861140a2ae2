"""The official-format PDF of an issue (DESIGN.md, "The official format"): the public names.

The work is split by idea:

- ``pdf_content``: what the PDF shows, its file name and the content key;
- ``pdf_layout``: the ReportLab typesetting (masthead, body, 版记, page numbers);
- ``pdf_html`` / ``pdf_html_tree`` / ``pdf_tables`` / ``pdf_cjk``: article HTML
  to flowables, and Chinese line breaking;
- ``pdf_fonts``: which font files, made embeddable;
- ``pdf_cache``: the generated PDF stored once per content key, and what
  downloads read.
"""

from .pdf_cache import PdfFile, Validators, issue_pdf, pdf_validators
from .pdf_content import (
    LAYOUT_VERSION,
    distribution_text,
    issue_content,
    issue_filename,
    pdf_key,
    unprintable_characters,
)
from .pdf_layout import (
    BOTTOM_MARGIN,
    LEFT_MARGIN,
    TOP_MARGIN,
    TYPE_HEIGHT,
    TYPE_WIDTH,
    render_issue_pdf,
)

__all__ = [
    "BOTTOM_MARGIN",
    "LAYOUT_VERSION",
    "LEFT_MARGIN",
    "TOP_MARGIN",
    "TYPE_HEIGHT",
    "TYPE_WIDTH",
    "PdfFile",
    "Validators",
    "distribution_text",
    "issue_content",
    "issue_filename",
    "issue_pdf",
    "pdf_key",
    "pdf_validators",
    "render_issue_pdf",
    "unprintable_characters",
]
