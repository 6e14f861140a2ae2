"""The reader's mark on an internal issue's PDF: unit, account and download time on every page.

A leaked copy of an internal issue (内部资料) then tells where it came from.
The stored PDF is not touched: each download appends to it an incremental
update (ISO 32000-1 §7.5.6) that gives every page one more content stream,
drawn first (under the body): a light grey diagonal line of text across the
page and the same words small under the page number. The words are drawn as
outlines of the PDF's own faces, so the body's text layer stays exactly as it
was and nothing of the original file is parsed beyond its page dictionaries;
the cost is a few milliseconds.
"""

from __future__ import annotations

import io
import logging
import math
import threading
from datetime import datetime
from functools import lru_cache

from django.utils import timezone
from django.utils.translation import gettext as _
from fontTools.pens.basePen import BasePen
from reportlab.lib.units import mm

from portal.accounts.models import is_office

from .models import Issue, Visibility
from .pdf_fonts import prepare
from .pdf_fontset import FontSet
from .pdf_layout import BOTTOM_MARGIN, LEFT_MARGIN, PAGE_HEIGHT, PAGE_WIDTH, TYPE_WIDTH

logger = logging.getLogger(__name__)

DIAGONAL_GREY = 0.86  # under the text: light enough to read through, dark enough to copy
FOOT_GREY = 0.45
DIAGONAL_SIZE = 24
FOOT_SIZE = 8


def needs_stamp(issue: Issue, user) -> bool:
    """Internal issues downloaded by anyone but the office carry the reader's mark."""
    return issue.visibility == Visibility.INTERNAL and not is_office(user)


def stamp_text(user, *, at: datetime | None = None) -> str:
    """e.g. ``市人社局 · renshe · 2026-11-30 09:12 下载`` (local time)."""
    at = timezone.localtime(at or timezone.now())
    unit = getattr(getattr(user, "unit", None), "name", "") or _("未归属单位")
    return _("%(unit)s · %(account)s · %(time)s 下载") % {
        "unit": unit,
        "account": user.get_username(),
        "time": at.strftime("%Y-%m-%d %H:%M"),
    }


class _PathPen(BasePen):
    """Glyph outlines as PDF path operators."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.ops: list[str] = []

    def _moveTo(self, p):
        self.ops.append(f"{p[0]:.0f} {p[1]:.0f} m")

    def _lineTo(self, p):
        self.ops.append(f"{p[0]:.0f} {p[1]:.0f} l")

    def _curveToOne(self, p1, p2, p3):
        self.ops.append(
            f"{p1[0]:.0f} {p1[1]:.0f} {p2[0]:.0f} {p2[1]:.0f} {p3[0]:.0f} {p3[1]:.0f} c"
        )

    def _closePath(self):
        self.ops.append("h")


_OUTLINES_LOCK = threading.Lock()


@lru_cache(maxsize=16)
def _outline_face(path: str):
    """(glyph set, cmap, units per em) of a prepared face, kept per process."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=True)
    return font.getGlyphSet(), font.getBestCmap(), font["head"].unitsPerEm, font["hmtx"]


def _glyphs(text: str):
    """[(path operators in font units, advance in em, units per em)] for each character."""
    fonts = FontSet()
    out = []
    for ch in text:
        spec = fonts.spec_for(ch)
        if spec is not None:
            glyph = _glyph(str(prepare(spec)), ch)
            if glyph is not None:
                out.append(glyph)
    return out


@lru_cache(maxsize=4096)
def _glyph(path: str, ch: str):
    with _OUTLINES_LOCK:
        glyph_set, cmap, upem, hmtx = _outline_face(path)
        name = cmap.get(ord(ch))
        if name is None:
            return None
        pen = _PathPen(glyph_set)
        glyph_set[name].draw(pen)
        return " ".join(pen.ops), hmtx[name][0] / upem, upem


def _text_ops(glyphs, size: float) -> tuple[str, float]:
    """Operators drawing ``glyphs`` from (0, 0) at ``size`` points, and the line's width."""
    parts = []
    x = 0.0
    for ops, advance, upem in glyphs:
        if ops:
            scale = size / upem
            parts.append(f"q {scale:.5f} 0 0 {scale:.5f} {x:.2f} 0 cm {ops} f Q")
        x += advance * size
    return " ".join(parts), x


def stamp_stream(text: str) -> bytes:
    """The content stream that draws the mark on an A4 page (balanced q … Q)."""
    glyphs = _glyphs(text)
    diagonal, width = _text_ops(glyphs, DIAGONAL_SIZE)
    foot, foot_width = _text_ops(glyphs, FOOT_SIZE)
    angle = math.radians(35)
    cos, sin = math.cos(angle), math.sin(angle)
    # Centre the diagonal line on the page centre.
    cx, cy = PAGE_WIDTH / 2, PAGE_HEIGHT / 2
    ox = cx - cos * width / 2 + sin * DIAGONAL_SIZE * 0.35
    oy = cy - sin * width / 2 - cos * DIAGONAL_SIZE * 0.35
    foot_x = LEFT_MARGIN + (TYPE_WIDTH - foot_width) / 2
    foot_y = BOTTOM_MARGIN - 17 * mm
    return (
        f"q {DIAGONAL_GREY} g {cos:.5f} {sin:.5f} {-sin:.5f} {cos:.5f} {ox:.2f} {oy:.2f} cm "
        f"{diagonal} Q\nq {FOOT_GREY} g 1 0 0 1 {foot_x:.2f} {foot_y:.2f} cm {foot} Q\n"
    ).encode()


def stamp_pdf(data: bytes, text: str) -> bytes:
    """``data`` (a PDF) with ``text`` marked on every page, as an incremental update.

    Raises pypdf's errors (or ValueError) for a file it cannot read.
    """
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, IndirectObject, NameObject

    reader = PdfReader(io.BytesIO(data))
    size = int(reader.trailer["/Size"])
    stream = stamp_stream(text)
    body = io.BytesIO()
    base = len(data) + 1  # a newline separates the update from the original
    offsets: dict[int, int] = {}

    stamp_id = size
    offsets[stamp_id] = base + body.tell()
    body.write(f"{stamp_id} 0 obj\n<< /Length {len(stream)} >>\nstream\n".encode())
    body.write(stream)
    body.write(b"\nendstream\nendobj\n")
    stamp_ref = IndirectObject(stamp_id, 0, reader)

    generations = {}
    for page in reader.pages:
        ref = page.indirect_reference
        contents = page.raw_get("/Contents") if "/Contents" in page else None
        if contents is None:
            parts = []
        elif isinstance(contents.get_object(), ArrayObject) and not isinstance(
            contents, IndirectObject
        ):
            parts = list(contents)
        elif isinstance(contents, IndirectObject) and isinstance(
            contents.get_object(), ArrayObject
        ):
            parts = list(contents.get_object())
        else:
            parts = [contents]
        page[NameObject("/Contents")] = ArrayObject([stamp_ref, *parts])
        offsets[ref.idnum] = base + body.tell()
        generations[ref.idnum] = ref.generation
        body.write(f"{ref.idnum} {ref.generation} obj\n".encode())
        page.write_to_stream(body)
        body.write(b"\nendobj\n")

    xref_at = base + body.tell()
    body.write(b"xref\n")
    for idnum in sorted(offsets):
        generation = generations.get(idnum, 0)
        body.write(f"{idnum} 1\n{offsets[idnum]:010d} {generation:05d} n\r\n".encode())
    trailer = {
        "/Size": str(size + 1),
        "/Root": _ref(reader.trailer.raw_get("/Root")),
        "/Prev": str(_startxref(data)),
    }
    if "/Info" in reader.trailer:
        trailer["/Info"] = _ref(reader.trailer.raw_get("/Info"))
    if "/ID" in reader.trailer:
        ids = reader.trailer["/ID"]
        trailer["/ID"] = "[" + " ".join(f"<{_id_bytes(i).hex()}>" for i in ids) + "]"
    entries = " ".join(f"{k} {v}" for k, v in trailer.items())
    body.write(f"trailer\n<< {entries} >>\nstartxref\n{xref_at}\n%%EOF\n".encode())
    return data + b"\n" + body.getvalue()


def _id_bytes(value) -> bytes:
    return value.original_bytes if hasattr(value, "original_bytes") else bytes(value)


def _ref(ref) -> str:
    return f"{ref.idnum} {ref.generation} R"


def _startxref(data: bytes) -> int:
    tail = data[-1024:]
    at = tail.rfind(b"startxref")
    if at < 0:
        raise ValueError("no startxref: not a PDF")
    return int(tail[at + 9 :].split()[0])


def stamped_file(fileobj, text: str):
    """``fileobj`` (an open PDF, closed here) marked with ``text``, as an in-memory file.

    A file pypdf cannot read (an office's upload it does not understand) goes
    out unmarked rather than not at all; the log says so.
    """
    with fileobj:
        data = fileobj.read()
    try:
        return io.BytesIO(stamp_pdf(data, text))
    except Exception:  # pypdf raises many kinds for damaged files
        logger.error("PDF: could not mark a download (%s); sent unmarked", text, exc_info=True)
        return io.BytesIO(data)
