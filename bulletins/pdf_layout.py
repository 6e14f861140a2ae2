"""The official-format PDF of an issue typeset with ReportLab (DESIGN.md, "The official format").

``render_issue_pdf(issue)`` lays out an issue: A4, type area 156 × 225 mm (top
37 mm, left 28 mm), body 16 pt on a fixed 22-line grid, the red masthead,
centred article titles, the four heading levels, tables and pictures, page
numbers "— 1 —" alternating right/left below the type area, and the 版记
(抄送 / 印发) at the foot of the last page. Fonts are embedded
(bulletins/pdf_fonts.py), so the file reads the same anywhere.
"""

from __future__ import annotations

import io
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from . import layout
from .layout import masthead_lines, number_line
from .models import Issue, Visibility
from .pdf_cjk import CJKParagraph
from .pdf_content import distribution_text, issue_content, printed_text, status_marker
from .pdf_fonts import GRID_FACTOR
from .pdf_fontset import FontSet
from .pdf_html import (
    BODY_LEADING,
    BODY_PITCH,
    BODY_SIZE,
    IMAGE_PATH,
    BodyBuilder,
    Styles,
)

logger = logging.getLogger(__name__)

RED = colors.HexColor("#E60012")
PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT_MARGIN = 28 * mm
TOP_MARGIN = 37 * mm
TYPE_WIDTH = 156 * mm
TYPE_HEIGHT = 225 * mm
RIGHT_MARGIN = PAGE_WIDTH - LEFT_MARGIN - TYPE_WIDTH
BOTTOM_MARGIN = PAGE_HEIGHT - TOP_MARGIN - TYPE_HEIGHT
FOOT_SIZE = 14  # 四号: page numbers and the 版记
FOOT_PITCH = FOOT_SIZE * GRID_FACTOR


class FootBlock(Flowable):
    """The 版记, pushed to the foot of the page it lands on (the last one)."""

    def __init__(self, table: Table):
        super().__init__()
        self.table = table
        self._table_height = 0

    # At least this much room between the body and the 版记's top rule.
    GAP = 8

    def wrap(self, avail_width, avail_height):
        _, self._table_height = self.table.wrap(avail_width, avail_height)
        if self._table_height + self.GAP <= avail_height:
            return avail_width, avail_height  # take the rest of the page
        return avail_width, self._table_height + self.GAP  # does not fit: next page

    def split(self, avail_width, avail_height):
        return []

    def draw(self):
        self.table.drawOn(self.canv, 0, 0)


class OfficialDoc(BaseDocTemplate):
    def __init__(self, buffer, *, fonts: FontSet, marker: str, **kwargs):
        super().__init__(
            buffer,
            pagesize=A4,
            leftMargin=LEFT_MARGIN,
            rightMargin=RIGHT_MARGIN,
            topMargin=TOP_MARGIN,
            bottomMargin=BOTTOM_MARGIN,
            invariant=1,  # same content, same bytes: no timestamps or random ids
            lang="zh-CN",
            # Else ReportLab starts each page in Helvetica, a font it never embeds.
            initialFontName=fonts["body"],
            initialFontSize=BODY_SIZE,
            initialLeading=BODY_LEADING,
            **kwargs,
        )
        self.fonts = fonts
        self.marker = marker
        frame = Frame(
            LEFT_MARGIN,
            BOTTOM_MARGIN,
            TYPE_WIDTH,
            TYPE_HEIGHT,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="type-area",
        )
        self.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=self._decorate)])

    def _decorate(self, canvas, doc):
        """Page number and state marker, drawn after the page's text (reading order)."""
        page = canvas.getPageNumber()
        text = f"— {page} —"
        canvas.saveState()
        canvas.setFont(self.fonts["body"], FOOT_SIZE)
        # 7 mm below the type area; odd pages right, even pages left, one character in.
        y = BOTTOM_MARGIN - 7 * mm - FOOT_SIZE * 0.88
        if page % 2:
            canvas.drawRightString(LEFT_MARGIN + TYPE_WIDTH - FOOT_SIZE, y, text)
        else:
            canvas.drawString(LEFT_MARGIN + FOOT_SIZE, y, text)
        if self.marker:
            canvas.setFillColor(RED)
            canvas.setFont(self.fonts["heading"], 12)
            canvas.drawRightString(LEFT_MARGIN + TYPE_WIDTH, PAGE_HEIGHT - 15 * mm, self.marker)
        canvas.restoreState()


def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits ``width``."""
    measured = stringWidth(text, font, size)
    return size if measured <= width else max(8.0, size * width / measured)


def _masthead(issue: Issue, content: dict, fonts: FontSet) -> list[Flowable]:
    """报头: series name in red, 第N期, office and date, the red rule."""
    story: list[Flowable] = []
    if content["visibility"] == Visibility.INTERNAL:
        story.append(
            CJKParagraph(
                _("内部资料　注意保存"),
                ParagraphStyle("secret", fontName=fonts["heading"], fontSize=16, leading=20),
            )
        )
        story.append(Spacer(1, 6 * mm))
    else:
        story.append(Spacer(1, 6 * mm + 20))
    name = content["series"]
    red = {"textColor": RED, "alignment": TA_CENTER, "fontName": fonts["title"]}
    topic, kind = masthead_lines(name)
    if topic:
        # The usual masthead: the organisation on one line, a large 简  报 under it.
        size = _fit(topic, fonts["title"], 26, TYPE_WIDTH)
        story.append(
            CJKParagraph(
                fonts.markup(topic, "title"),
                ParagraphStyle("mh1", leading=size * 1.3, fontSize=size, **red),
            )
        )
        story.append(Spacer(1, 3 * mm))
        spaced = "　".join(kind) if len(kind) == 2 else kind
        size = _fit(spaced, fonts["title"], 60, TYPE_WIDTH)
        story.append(
            CJKParagraph(spaced, ParagraphStyle("mh2", fontSize=size, leading=size * 1.2, **red))
        )
    else:
        size = _fit(name, fonts["title"], 40, TYPE_WIDTH)
        story.append(
            CJKParagraph(
                fonts.markup(name, "title"),
                ParagraphStyle("mh", fontSize=size, leading=size * 1.3, **red),
            )
        )
    number = number_line(content["number"], content["total_number"])
    style = ParagraphStyle(
        "number",
        fontName=fonts["body"],
        fontSize=BODY_SIZE,
        leading=BODY_LEADING,
        alignment=TA_CENTER,
    )
    story.append(Spacer(1, 4 * mm))
    story.append(CJKParagraph(fonts.markup(number) or "&nbsp;", style))
    story.append(Spacer(1, 6 * mm))
    left = ParagraphStyle("office", parent=style, alignment=TA_LEFT, leftIndent=BODY_PITCH)
    right = ParagraphStyle("date", parent=style, alignment=TA_RIGHT, rightIndent=BODY_PITCH)
    line = Table(
        [
            [
                CJKParagraph(fonts.markup(content["issuing_office"]), left),
                CJKParagraph(fonts.markup(content["issue_date"]), right),
            ]
        ],
        colWidths=[TYPE_WIDTH * 0.62, TYPE_WIDTH * 0.38],
    )
    line.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("FONT", (0, 0), (-1, -1), fonts["body"], BODY_SIZE),
            ]
        )
    )
    story.append(line)
    story.append(
        HRFlowable(
            width="100%", thickness=2, color=RED, spaceBefore=3 * mm, spaceAfter=BODY_LEADING
        )
    )
    return story


def _foot(content: dict, fonts: FontSet) -> Flowable | None:
    """版记: 抄送 line and 印发 line between rules (outer thick, inner thin)."""
    text = distribution_text(content)
    printed = content["printed_on"] or content["issue_date"]
    office = content["issuing_office"]
    if not (text or printed or office):
        return None
    base = ParagraphStyle(
        "foot", fontName=fonts["body"], fontSize=FOOT_SIZE, leading=FOOT_SIZE * 1.6, wordWrap="CJK"
    )
    label = _("抄送：")
    label_width = stringWidth(label, fonts["body"], FOOT_SIZE)
    # Wrapped lines align after the colon.
    cc = ParagraphStyle(
        "cc", parent=base, leftIndent=FOOT_PITCH + label_width, firstLineIndent=-label_width
    )
    rows = []
    if text:
        rows.append([CJKParagraph(fonts.markup(label + text), cc), ""])
    rows.append(
        [
            CJKParagraph(
                fonts.markup(office), ParagraphStyle("fo", parent=base, leftIndent=FOOT_PITCH)
            ),
            CJKParagraph(
                fonts.markup(layout.printed_text(printed)) if printed else "",
                ParagraphStyle("fd", parent=base, alignment=TA_RIGHT, rightIndent=FOOT_PITCH),
            ),
        ]
    )
    table = Table(rows, colWidths=[TYPE_WIDTH * 0.62, TYPE_WIDTH * 0.38])
    commands = [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 1, colors.black),
        ("FONT", (0, 0), (-1, -1), fonts["body"], FOOT_SIZE),
    ]
    if text:
        commands += [("SPAN", (0, 0), (1, 0)), ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black)]
    table.setStyle(TableStyle(commands))
    return FootBlock(table)


def _image_loader(issue: Issue):
    """Pictures an article may show: inline attachments of this same issue only."""
    pictures = {a.pk: a for a in issue.attachments.all()}

    def load(src: str) -> bytes | None:
        match = IMAGE_PATH.match(urlsplit(src or "").path)
        if not match or int(match.group(1)) != issue.pk:
            return None
        attachment = pictures.get(int(match.group(2)))
        if attachment is None or not attachment.file:
            return None
        try:
            with attachment.file.open("rb") as fh:
                return fh.read()
        except OSError:
            logger.warning("PDF: picture %s of issue %s is missing", attachment.pk, issue.pk)
            return None

    return load


def render_issue_pdf(issue: Issue) -> bytes:
    """The issue typeset in the official format, as PDF bytes."""
    content = issue_content(issue)
    articles = content["articles"]
    attachments = [a for a in content["attachments"] if not a[3]]
    fonts = FontSet(printed_text(content))
    buffer = io.BytesIO()
    styles = Styles(fonts)
    story = _masthead(issue, content, fonts)
    title_style = ParagraphStyle(
        "title",
        fontName=fonts["title"],
        fontSize=22,  # 二号
        leading=32,
        alignment=TA_CENTER,
        wordWrap="CJK",
        spaceAfter=BODY_LEADING - 6,
    )
    loader = _image_loader(issue)
    for index, (_pk, title, body) in enumerate(articles):
        if index:
            story.append(Spacer(1, BODY_LEADING))
        if title:
            story.append(CondPageBreak(BODY_LEADING * 5))
            story.append(CJKParagraph(fonts.markup(title, "title"), title_style, balanced=True))
        builder = BodyBuilder(
            styles, width=TYPE_WIDTH, max_image_height=TYPE_HEIGHT * 0.6, image_loader=loader
        )
        story.extend(builder.build(body, skip_first_if=title))
    if attachments:
        story.extend(_attachment_notes(attachments, styles))
    foot = _foot(content, fonts)
    if foot is not None:
        story.append(foot)
    doc = OfficialDoc(
        buffer,
        fonts=fonts,
        marker=status_marker(content["status"]),
        title=f"{content['series']}{issue.number_label}",
        author=content["issuing_office"],
        subject="；".join(a[1] for a in articles),
        creator=getattr(settings, "SITE_NAME", ""),
    )
    doc.build(story)
    return buffer.getvalue()


def _attachment_notes(attachments: list, styles: Styles) -> list[Flowable]:
    """附件说明: 附件：1．名称, further names aligned under the first."""
    body = styles.body
    label = _("附件：")
    label_width = stringWidth(label, styles.fonts["body"], BODY_SIZE)
    indent = 2 * BODY_PITCH + label_width
    out: list[Flowable] = [Spacer(1, BODY_LEADING)]
    many = len(attachments) > 1
    for n, (_pk, title, original_name, *_rest) in enumerate(attachments, start=1):
        name = title or original_name
        text = f"{n}．{name}" if many else name
        if n == 1:
            style = ParagraphStyle(
                "att1",
                parent=body,
                leftIndent=indent,
                firstLineIndent=-label_width,
                alignment=TA_LEFT,
            )
            out.append(CJKParagraph(styles.fonts.markup(label + text), style))
        else:
            style = ParagraphStyle(
                "attn", parent=body, leftIndent=indent, firstLineIndent=0, alignment=TA_LEFT
            )
            out.append(CJKParagraph(styles.fonts.markup(text), style))
    return out
