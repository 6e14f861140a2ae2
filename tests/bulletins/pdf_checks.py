"""Reading generated PDFs in tests: text in reading order, fonts, pictures."""

import io
import re

from pypdf import PdfReader


def reader(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> str:
    """All text, whitespace removed (CJK has no word spaces; the layout adds some)."""
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader(data).pages))


def assert_in_order(text: str, *needles: str) -> None:
    position = 0
    for needle in needles:
        found = text.find(re.sub(r"\s+", "", needle), position)
        assert found >= 0, f"{needle!r} not found after position {position}"
        position = found + 1


def fonts_of(data: bytes) -> dict[str, dict]:
    """Every font any page uses: BaseFont → {subtype, embedded file keys}."""
    fonts = {}
    for page in reader(data).pages:
        resources = page["/Resources"]
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if font["/Subtype"] == "/Type0":
                descendant = font["/DescendantFonts"][0].get_object()
                descriptor = descendant.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            fonts[str(font["/BaseFont"])] = {
                "subtype": str(font["/Subtype"]),
                "files": sorted(k for k in descriptor if str(k).startswith("/FontFile")),
            }
    return fonts


def image_count(data: bytes) -> int:
    count = 0
    for page in reader(data).pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        count += sum(1 for ref in xobjects.values() if ref.get_object()["/Subtype"] == "/Image")
    return count


def font_runs(data: bytes, page_number: int = 0) -> list[tuple[str, str, float, float]]:
    """(text, font name, x, y) of each text run on a page, in drawing order."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip() and font is not None:
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            runs.append((text.strip(), str(font.get("/BaseFont")), x, y))

    reader(data).pages[page_number].extract_text(visitor_text=visit)
    return runs


def lines_of(data: bytes) -> list[str]:
    """Every printed line of every page, top to bottom, page numbers left out."""
    out = []
    for page in range(len(reader(data).pages)):
        rows: dict[float, list[str]] = {}
        for text, _font, _x, y in font_runs(data, page):
            if re.fullmatch(r"—\s*\d+\s*—", text):
                continue
            # Drawing order within a line (pypdf reports no x for a run that follows
            # another in the same text object).
            rows.setdefault(round(y, 0), []).append(text)
        for y in sorted(rows, reverse=True):
            out.append("".join(rows[y]))
    return out


OPENING = "《“‘（【〔［〈「『"
CLOSING = "、，。：；！？）》”’】〕］〉」』…"


def line_violations(lines: list[str]) -> list[str]:
    """Lines breaking GB/T 15834 / clreq: ending with an opening mark, starting with a
    closing one, or splitting …… / ——."""
    bad = []
    for n, line in enumerate(lines):
        line = line.strip()
        if not line:
            continue
        if line[-1] in OPENING:
            bad.append(f"ends with {line[-1]}: {line}")
        if line[0] in CLOSING:
            bad.append(f"starts with {line[0]}: {line}")
        nxt = lines[n + 1].strip() if n + 1 < len(lines) else ""
        for mark in "…—":
            if line.endswith(mark) and not line.endswith(mark * 2) and nxt.startswith(mark):
                bad.append(f"splits {mark * 2}: {line} / {nxt}")
    return bad
