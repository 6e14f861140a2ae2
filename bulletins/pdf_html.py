"""Sanitised article HTML → ReportLab flowables in the official format (DESIGN.md, 版式).

Article bodies are stored as HTML cleaned by nh3 (bulletins/html.py). This reads
that HTML with the standard library's ``html.parser`` into a small tree and
turns it into paragraphs with a two-character first-line indent, the four
heading levels of official documents (一、 黑体 / （一） 楷体 / 1. 仿宋 bold /
(1) 仿宋), tables with their spans, pictures and lists. Nothing is fetched
from the network: a picture is drawn only when it is an inline attachment of
the same issue, read from the private storage by the caller's loader.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from .pdf_cjk import CJKParagraph
from .pdf_fonts import GRID_FACTOR
from .pdf_html_tree import Node, parse_html
from .pdf_images import ImageLoader, image_flowable
from .pdf_tables import TABLE_SIZE, column_widths, place_cells, split_tall_rows, table_rows

logger = logging.getLogger(__name__)

BODY_SIZE = 16  # 三号
# One character on the official grid (bulletins/pdf_fonts.py, GRID_FACTOR):
# indents are counted in these.
BODY_PITCH = BODY_SIZE * GRID_FACTOR
# 22 lines in the 225 mm type area: fixed line pitch (GB/T 9704-2012 §5.2.1).
BODY_LEADING = 225 / 25.4 * 72 / 22
TABLE_LEADING = 17

INLINE = {
    "strong", "b", "em", "i", "u", "ins", "s", "strike", "del", "sub", "sup", "span", "a",
    "font", "code", "small", "big", "mark", "abbr", "cite", "q", "kbd", "samp", "var", "time",
    "label",
}  # fmt: skip
HEADINGS = {"h1": 1, "h2": 1, "h3": 2, "h4": 3, "h5": 4, "h6": 4}

CN_NUM = "一二三四五六七八九十百零〇"
LEVEL_PATTERNS = [
    (1, re.compile(rf"^[{CN_NUM}]+、")),
    (2, re.compile(rf"^[（(][{CN_NUM}]+[）)]")),
    (3, re.compile(r"^\d{1,3}[.．、](?!\d)")),
    (4, re.compile(r"^[（(]\d{1,3}[）)]")),
]
# The font role of each heading level; level 4 is set like the body.
LEVEL_ROLES = {1: "heading", 2: "kai", 3: "bold"}
# A heading paragraph up to this length is a heading line as a whole; a longer
# one is a run-in heading: only its first sentence takes the heading font.
HEADING_LINE_MAX = 40
RUN_IN_MAX = 60

CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])\s+(?=[{CJK}])")
LEADING_SPACE = re.compile(r"^[\s\u00a0\u3000]+")
IMAGE_PATH = re.compile(r"^/bulletins/(\d+)/images/(\d+)/?$")


# --- Runs and paragraphs ---------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    bold: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    sup: bool = False
    sub: bool = False
    role: str | None = None  # a font role forced by heading styling


@dataclass
class Run:
    text: str
    mark: Mark


INLINE_MARKS = {
    "strong": {"bold": True},
    "b": {"bold": True},
    "em": {"italic": True},
    "i": {"italic": True},
    "cite": {"italic": True},
    "u": {"underline": True},
    "ins": {"underline": True},
    "s": {"strike": True},
    "strike": {"strike": True},
    "del": {"strike": True},
    "sup": {"sup": True},
    "sub": {"sub": True},
}


def heading_level(text: str) -> int:
    for level, pattern in LEVEL_PATTERNS:
        if pattern.match(text):
            return level
    return 0


def heading_span(text: str, level: int, *, whole: bool) -> int:
    """How many leading characters of a heading paragraph take the heading font."""
    if whole or len(text) <= HEADING_LINE_MAX:
        return len(text)
    end = text.find("。")
    if 0 <= end < RUN_IN_MAX:
        return end + 1
    match = LEVEL_PATTERNS[level - 1][1].match(text)
    return match.end() if match else 0


def _restyle(runs: list[Run], count: int, role: str) -> list[Run]:
    """Give the first ``count`` characters the font ``role``."""
    out: list[Run] = []
    left = count
    for run in runs:
        if left <= 0:
            out.append(run)
            continue
        head, tail = run.text[:left], run.text[left:]
        out.append(Run(head, replace(run.mark, role=role)))
        if tail:
            out.append(Run(tail, run.mark))
        left -= len(head)
    return out


def _align(node: Node, default: int) -> int:
    style = node.attrs.get("style", "").replace(" ", "").lower()
    value = node.attrs.get("align", "").lower()
    for name, align in (("center", TA_CENTER), ("right", TA_RIGHT), ("left", TA_LEFT)):
        if f"text-align:{name}" in style or value == name:
            return align
    return default


# --- Styles ----------------------------------------------------------------------


class Styles:
    """Paragraph styles of the official format, built on one render's fonts."""

    def __init__(self, fonts: dict[str, str]):
        self.fonts = fonts
        self.body = ParagraphStyle(
            "body",
            fontName=fonts["body"],
            fontSize=BODY_SIZE,
            leading=BODY_LEADING,
            firstLineIndent=2 * BODY_PITCH,
            alignment=TA_JUSTIFY,
            wordWrap="CJK",
            allowWidows=1,
            allowOrphans=1,
        )
        self.cell = ParagraphStyle(
            "cell",
            parent=self.body,
            fontSize=TABLE_SIZE,
            leading=TABLE_LEADING,
            firstLineIndent=0,
            alignment=TA_LEFT,
        )
        self.caption = ParagraphStyle(
            "caption", parent=self.cell, alignment=TA_CENTER, spaceBefore=2, spaceAfter=6
        )

    def for_block(self, base: ParagraphStyle, align: int, indent_chars: float = 0):
        if align in (TA_CENTER, TA_RIGHT):
            return ParagraphStyle(
                f"{base.name}-{align}", parent=base, alignment=align, firstLineIndent=0
            )
        if indent_chars:
            return ParagraphStyle(
                f"{base.name}-in{indent_chars}",
                parent=base,
                leftIndent=base.leftIndent + indent_chars * base.fontSize * GRID_FACTOR,
            )
        return base


# --- The converter ---------------------------------------------------------------


@dataclass
class Block:
    """What a block element asks of the paragraphs inside it."""

    style: ParagraphStyle
    align: int = TA_JUSTIFY
    level: int = 0  # an HTML heading's level (1–4), 0 for running text
    detect_headings: bool = True
    indent: float = 0  # extra left indent, in characters
    prefix: str = ""  # list numbering


class BodyBuilder:
    """Builds the flowables of one article body (or of one table cell)."""

    def __init__(
        self,
        styles: Styles,
        *,
        width: float,
        max_image_height: float,
        image_loader: ImageLoader | None = None,
        base: ParagraphStyle | None = None,
        role: str = "body",
        in_table: bool = False,
    ):
        self.styles = styles
        self.width = width
        self.max_image_height = max_image_height
        self.image_loader = image_loader
        self.base = base or styles.body
        self.role = role  # the font role of the base style
        self.in_table = in_table
        self.flowables: list[Flowable] = []
        self.runs: list[Run] = []
        self.block = Block(self.base, align=self.base.alignment)

    # Public ------------------------------------------------------------------

    def build(self, html: str, *, skip_first_if: str = "") -> list[Flowable]:
        root = parse_html(html)
        self._blocks(root.children, self.block)
        self._flush()
        if skip_first_if:
            self._drop_repeated_title(skip_first_if)
        return self.flowables

    def build_nodes(self, nodes: list) -> list[Flowable]:
        self._blocks(nodes, self.block)
        self._flush()
        return self.flowables

    # Blocks ------------------------------------------------------------------

    def _blocks(self, nodes, block: Block, mark: Mark = Mark()):
        for node in nodes:
            if isinstance(node, str):
                self.runs.append(Run(node, mark))
                continue
            tag = node.tag
            if tag in INLINE:
                self._blocks(node.children, block, replace(mark, **INLINE_MARKS.get(tag, {})))
            elif tag == "br":
                self.runs.append(Run("\n", mark))
            elif tag == "img":
                self._flush()
                self._image(node)
            elif tag == "hr":
                self._flush()
                self.flowables.append(
                    HRFlowable(width="100%", thickness=0.5, color=colors.black, spaceAfter=6)
                )
            elif tag == "table":
                self._flush()
                self._table(node)
            elif tag in ("ul", "ol"):
                self._flush()
                self._list(node, block)
            elif tag in HEADINGS:
                self._flush()
                inner = replace(block, level=HEADINGS[tag], align=_align(node, block.align))
                self._blocks(node.children, inner, mark)
                self._flush(inner)
            elif tag in ("caption", "figcaption"):
                self._flush()
                inner = Block(self.styles.caption, align=TA_CENTER, detect_headings=False)
                self._blocks(node.children, inner, mark)
                self._flush(inner)
            elif tag in ("blockquote", "dd"):
                self._flush()
                inner = replace(block, indent=block.indent + 2)
                self._blocks(node.children, inner, mark)
                self._flush(inner)
            elif tag == "pre":
                self._flush()
                inner = replace(block, align=TA_LEFT, detect_headings=False)
                self._blocks(node.children, inner, mark)
                self._flush(inner, keep_spaces=True)
            else:  # p, div, li, section, figure, dt, address… and unknown tags
                self._flush()
                inner = replace(block, align=_align(node, block.align))
                self._blocks(node.children, inner, mark)
                self._flush(inner)

    def _flush(self, block: Block | None = None, *, keep_spaces: bool = False):
        block = block or self.block
        runs, self.runs = self.runs, []
        runs = _normalise(runs, keep_spaces=keep_spaces)
        text = "".join(r.text for r in runs)
        if not text.strip():
            return
        if block.prefix:
            runs.insert(0, Run(block.prefix, Mark()))
            text = block.prefix + text
        style = self.styles.for_block(block.style, block.align, block.indent)
        level = block.level or (heading_level(text) if block.detect_headings else 0)
        if level and block.level:
            # An HTML heading keeps the level its numbering says, if any.
            level = heading_level(text) or level
        role = LEVEL_ROLES.get(level)
        if role and not self.in_table:
            count = heading_span(text, level, whole=bool(block.level))
            runs = _restyle(runs, count, role)
        if level in LEVEL_ROLES and not self.in_table:
            # Keep a heading off the foot of a page: it needs room for two lines
            # of what follows. (keepWithNext would move a whole long paragraph.)
            self.flowables.append(CondPageBreak(style.leading * 3))
        self.flowables.append(CJKParagraph(self._markup(runs), style))

    def _markup(self, runs: list[Run]) -> str:
        parts = []
        fonts = self.styles.fonts
        for run in runs:
            m = run.mark
            role = m.role or ("bold" if m.bold else "kai" if m.italic else None)
            text = fonts.markup(run.text, role or self.role).replace("\n", "<br/>")
            if m.sup:
                text = f"<super>{text}</super>"
            if m.sub:
                text = f"<sub>{text}</sub>"
            if m.underline:
                text = f"<u>{text}</u>"
            if m.strike:
                text = f"<strike>{text}</strike>"
            if role:
                text = f'<font name="{fonts[role]}">{text}</font>'
            parts.append(text)
        return "".join(parts)

    def _drop_repeated_title(self, title: str):
        """Word files often repeat the article title as the body's first line."""
        if not self.flowables or not isinstance(self.flowables[0], Paragraph):
            return
        first = re.sub(r"\s+", "", self.flowables[0].getPlainText())
        if first and first == re.sub(r"\s+", "", title):
            self.flowables.pop(0)

    # Lists -------------------------------------------------------------------

    def _list(self, node: Node, block: Block):
        ordered = node.tag == "ol"
        try:
            number = int(node.attrs.get("start", "1"))
        except ValueError:
            number = 1
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    self.runs.append(Run(child, Mark()))
                continue
            if child.tag != "li":
                self._blocks([child], block)
                continue
            prefix = f"{number}．" if ordered else "• "
            number += 1
            inner = replace(block, prefix=prefix, detect_headings=False)
            self._blocks(child.children, inner)
            self._flush(inner)

    # Pictures ----------------------------------------------------------------

    def _image(self, node: Node):
        src = node.attrs.get("src", "")
        data = self.image_loader(src) if self.image_loader else None
        if not data:
            alt = node.attrs.get("alt", "").strip()
            if alt:
                markup = self.styles.fonts.markup(f"〔{alt}〕")
                self.flowables.append(CJKParagraph(markup, self.styles.caption))
            return
        flowable = image_flowable(
            data, attrs=node.attrs, max_width=self.width, max_height=self.max_image_height
        )
        if flowable is not None:
            if not self.in_table:
                self.flowables.append(Spacer(1, 4))
            self.flowables.append(flowable)
            if not self.in_table:
                self.flowables.append(Spacer(1, 4))

    # Tables ------------------------------------------------------------------

    def _table(self, node: Node):
        rows, caption, header_rows = table_rows(node)
        if caption is not None:
            inner = Block(self.styles.caption, align=TA_CENTER, detect_headings=False)
            self._blocks(caption.children, inner)
            self._flush(inner)
        if not rows:
            return
        grid, spans = place_cells(rows)
        ncols = max(len(r) for r in grid)
        widths = column_widths(grid, ncols, self.width)
        data = []
        for row in grid:
            out_row = []
            for c in range(ncols):
                cell = row[c] if c < len(row) else None
                if cell is None:
                    out_row.append("")
                    continue
                span_width = sum(widths[c : c + int(cell.attrs.get("_colspan", "1"))])
                out_row.append(self._cell(cell, span_width - 8))
            data.append(out_row)
        header_rows = min(header_rows, len(data) - 1)
        data, spans, continued = split_tall_rows(
            data, widths, spans, limit=self.max_image_height / 2, header_rows=header_rows,
            padding=8 + 7,
        )  # fmt: skip
        table = Table(data, colWidths=widths, repeatRows=header_rows)
        commands = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            # Empty cells are drawn as strings: never in an unembedded default font.
            ("FONT", (0, 0), (-1, -1), self.styles.fonts["body"], TABLE_SIZE),
        ]
        commands += [("SPAN", start, end) for start, end in spans]
        for r in continued:  # one row cut in pieces: no rule between them
            commands += [
                ("LINEABOVE", (0, r), (-1, r), 0.6, colors.white),
                ("LINEBEFORE", (0, r - 1), (-1, r), 0.5, colors.black),
                ("LINEAFTER", (-1, r - 1), (-1, r), 0.5, colors.black),
                ("VALIGN", (0, r - 1), (-1, r), "TOP"),
            ]
        if continued:  # …but a rule under the repeated header where the table breaks
            commands.append(("LINEABOVE", (0, "splitfirst"), (-1, "splitfirst"), 0.5, colors.black))
        table.setStyle(TableStyle(commands))
        table.hAlign = "CENTER"
        self.flowables.append(Spacer(1, 6))
        self.flowables.append(table)
        self.flowables.append(Spacer(1, 8))

    def _cell(self, cell: Node, width: float):
        header = cell.tag == "th"
        base = ParagraphStyle(
            "th" if header else "td",
            parent=self.styles.cell,
            alignment=_align(cell, TA_CENTER if header else TA_LEFT),
            fontName=self.styles.fonts["bold"] if header else self.styles.fonts["body"],
        )
        builder = BodyBuilder(
            self.styles,
            width=max(width, 12),
            max_image_height=self.max_image_height / 3,
            image_loader=self.image_loader,
            base=base,
            role="bold" if header else "body",
            in_table=True,
        )
        builder.block = Block(base, align=base.alignment, detect_headings=False)
        flowables = builder.build_nodes(cell.children)
        if not flowables:
            return ""
        return flowables[0] if len(flowables) == 1 else flowables


def _normalise(runs: list[Run], *, keep_spaces: bool) -> list[Run]:
    """HTML whitespace rules, CJK-aware: no spaces between Chinese characters."""
    out = []
    for run in runs:
        text = run.text
        if not keep_spaces and text != "\n":
            text = re.sub(r"[ \t\r\n\f]+", " ", text)
            text = SPACE_BETWEEN_CJK.sub("", text)
        out.append(Run(text, run.mark))
    # Drop the leading indentation Word files carry (the style indents instead).
    while out and (out[0].text == "\n" or not LEADING_SPACE.sub("", out[0].text)):
        out.pop(0)
    if out:
        out[0] = Run(LEADING_SPACE.sub("", out[0].text), out[0].mark)
    while out and (out[-1].text == "\n" or not out[-1].text.strip()):
        out.pop()
    if out:
        out[-1] = Run(out[-1].text.rstrip(), out[-1].mark)
    return [r for r in out if r.text]
