"""Word's document.xml prepared for mammoth: numbers as Word shows them, the title marked.

Offices number headings with Word's own list numbering (numbering.xml), not typed
characters: 一、 is ``chineseCounting`` with the level text ``%1、``. mammoth turns
every numbered paragraph into an ``<ol><li>`` (printed "1．") and restarts a list
after any plain paragraph. So before mammoth reads the document, each numbered
paragraph gets the label Word shows as text (ECMA-376 Part 1, §17.9: ``w:lvlText``
with ``%1``…``%9`` in each level's ``w:numFmt``, counters that start at
``w:start`` or a ``w:startOverride`` and continue across other paragraphs, deeper
levels restarting), and its numbering is switched off (``w:numId`` 0). A short
body paragraph whose label is one of the official heading forms (一、 / （一） /
1. / (1), DESIGN.md) is marked as that heading level. Bullets stay lists.

The title is marked too: the first paragraph with text, when it has the Title
style, a heading style, or is centred and bold or large (how LibreOffice and WPS
users set a title by hand).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from defusedxml.ElementTree import fromstring

from .numerals import chinese_number
from .pdf_html import heading_level

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Synthetic paragraph style ids that bulletins/docx_import.py maps (p.<id> => …).
TITLE_STYLE = "PortalTitle"
HEADING_STYLES = {level: f"PortalHeading{level}" for level in (1, 2, 3, 4)}

# A numbered paragraph up to this length is a heading line; longer ones are text.
HEADING_MAX_CHARS = 60
TITLE_MAX_CHARS = 120
# Half-points: 18 pt (小二). The body of an official document is 16 pt (三号).
TITLE_MIN_SIZE = 36

CN = "一二三四五六七八九十百零〇"
HEADING_STYLE_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
TITLE_STYLE_NAMES = {"title", "标题"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _val(element, tag: str) -> str | None:
    child = element.find(w(tag)) if element is not None else None
    return None if child is None else child.get(w("val"))


def _on(element, tag: str) -> bool | None:
    """A toggle property (w:b …): True/False when set, None when not."""
    child = element.find(w(tag)) if element is not None else None
    if child is None:
        return None
    return child.get(w("val"), "true").lower() not in ("0", "false", "off", "none")


# --- number formats (ECMA-376 Part 1, §17.18.59 ST_NumberFormat) ---------------------

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
EARTHLY_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _roman(n: int) -> str:
    out = []
    for value, numeral in [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]:  # fmt: skip
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz.
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str | None) -> str:
    """``n`` as Word shows it in number format ``fmt`` (decimal when unknown)."""
    if n <= 0:
        return str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting",
               "taiwaneseCounting", "koreanCounting", "chineseLegalSimplified"):  # fmt: skip
        return chinese_number(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return HEAVENLY_STEMS[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return EARTHLY_BRANCHES[(n - 1) % 12]
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return CIRCLED[n - 1] if n <= len(CIRCLED) else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return unicodedata.normalize("NFKC", str(n)).translate(
            {ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"}
        )
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    return str(n)


# --- numbering.xml ---------------------------------------------------------------------


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    suffix: str = "tab"
    legal: bool = False


def _read_level(element) -> Level:
    level = Level()
    start = _val(element, "start")
    if start and start.lstrip("-").isdigit():
        level.start = int(start)
    level.fmt = _val(element, "numFmt") or "decimal"
    text = element.find(w("lvlText"))
    level.text = text.get(w("val"), "") if text is not None else ""
    level.suffix = _val(element, "suff") or "tab"
    level.legal = bool(_on(element, "isLgl"))
    return level


@dataclass
class Num:
    abstract: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    levels: dict[int, Level] = field(default_factory=dict)  # w:lvlOverride/w:lvl
    used: bool = False


def _ilvl(value) -> int:
    try:
        return max(0, min(8, int(value)))
    except (TypeError, ValueError):
        return 0


class Numbering:
    """The lists of a document and their counters, read from numbering.xml and styles.xml."""

    def __init__(self, numbering, styles: Styles):
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.links: dict[str, str] = {}  # abstractNum → numbering style (w:numStyleLink)
        self.nums: dict[str, Num] = {}
        self.by_style: dict[str, tuple[str, int]] = {}  # paragraph style → (numId, ilvl)
        self.styles = styles
        self.counters: dict[str, list[int | None]] = {}
        if numbering is None:
            return
        for abstract in numbering.findall(w("abstractNum")):
            key = abstract.get(w("abstractNumId"), "")
            levels = {}
            for lvl in abstract.findall(w("lvl")):
                levels[_ilvl(lvl.get(w("ilvl")))] = _read_level(lvl)
                if style := _val(lvl, "pStyle"):
                    self.by_style.setdefault(style, ("abstract:" + key, _ilvl(lvl.get(w("ilvl")))))
            self.abstracts[key] = levels
            if link := _val(abstract, "numStyleLink"):
                self.links[key] = link
        for num in numbering.findall(w("num")):
            item = Num(abstract=_val(num, "abstractNumId") or "")
            for override in num.findall(w("lvlOverride")):
                ilvl = _ilvl(override.get(w("ilvl")))
                start = _val(override, "startOverride")
                if start and start.lstrip("-").isdigit():
                    item.start_overrides[ilvl] = int(start)
                if (lvl := override.find(w("lvl"))) is not None:
                    item.levels[ilvl] = _read_level(lvl)
            self.nums[num.get(w("numId"), "")] = item

    def _abstract_of(self, num_id: str) -> str | None:
        if num_id.startswith("abstract:"):
            return num_id[len("abstract:") :]
        num = self.nums.get(num_id)
        if num is None:
            return None
        abstract = num.abstract
        # A list that points at a numbering style: follow it once to the real list.
        if abstract in self.links:
            linked = self.styles.num_pr(self.links[abstract])
            if linked and linked[0] in self.nums:
                abstract = self.nums[linked[0]].abstract
        return abstract if abstract in self.abstracts else None

    def paragraph_numbering(self, p_pr, style_id: str | None) -> tuple[str, int] | None:
        """(numId, ilvl) of a paragraph: its own w:numPr, else its style's."""
        num_pr = p_pr.find(w("numPr")) if p_pr is not None else None
        if num_pr is not None and _val(num_pr, "numId") is not None:
            num_id = _val(num_pr, "numId")
            return None if num_id == "0" else (num_id, _ilvl(_val(num_pr, "ilvl")))
        if style_id:
            if found := self.styles.num_pr(style_id):
                return found
            if style_id in self.by_style:
                return self.by_style[style_id]
        return None

    def next_label(self, num_id: str, ilvl: int) -> tuple[str, Level] | None:
        """The label Word shows for the next paragraph of list ``num_id`` at ``ilvl``,
        advancing the counters; None for bullets and unknown lists."""
        abstract = self._abstract_of(num_id)
        if abstract is None:
            return None
        num = self.nums.get(num_id)
        levels = dict(self.abstracts[abstract])
        if num is not None:
            levels.update(num.levels)
        level = levels.get(ilvl)
        if level is None or level.fmt == "bullet":
            return None
        counters = self.counters.setdefault(abstract, [None] * 9)
        if num is not None and not num.used:
            # A list instance with its own start restarts the shared counters once.
            num.used = True
            for lvl, start in num.start_overrides.items():
                counters[lvl] = start - 1
        counters[ilvl] = level.start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 9):
            counters[deeper] = None

        def part(match):
            k = int(match.group(1)) - 1
            other = levels.get(k, Level())
            value = counters[k] if counters[k] is not None else other.start
            fmt = "decimal" if level.legal and k != ilvl else other.fmt
            return format_number(value, fmt)

        if level.fmt == "none":
            return "", level
        return re.sub(r"%([1-9])", part, level.text), level


# --- styles.xml ------------------------------------------------------------------------


@dataclass
class Style:
    name: str = ""
    based_on: str | None = None
    p_pr: object = None
    r_pr: object = None


class Styles:
    def __init__(self, root):
        self.styles: dict[str, Style] = {}
        if root is None:
            return
        for style in root.findall(w("style")):
            if style.get(w("type")) not in ("paragraph", "numbering", None):
                continue
            self.styles[style.get(w("styleId"), "")] = Style(
                name=(_val(style, "name") or "").strip(),
                based_on=_val(style, "basedOn"),
                p_pr=style.find(w("pPr")),
                r_pr=style.find(w("rPr")),
            )

    def chain(self, style_id: str | None):
        seen = set()
        while style_id and style_id in self.styles and style_id not in seen:
            seen.add(style_id)
            yield self.styles[style_id]
            style_id = self.styles[style_id].based_on

    def name(self, style_id: str | None) -> str:
        style = self.styles.get(style_id or "")
        return (style.name if style else style_id or "").lower()

    def num_pr(self, style_id: str) -> tuple[str, int] | None:
        for style in self.chain(style_id):
            num_pr = style.p_pr.find(w("numPr")) if style.p_pr is not None else None
            if num_pr is not None and _val(num_pr, "numId"):
                num_id = _val(num_pr, "numId")
                return None if num_id == "0" else (num_id, _ilvl(_val(num_pr, "ilvl")))
        return None

    def paragraph_value(self, style_id, tag: str) -> str | None:
        for style in self.chain(style_id):
            if (value := _val(style.p_pr, tag)) is not None:
                return value
        return None

    def run_value(self, style_id, tag: str, *, toggle: bool = False):
        for style in self.chain(style_id):
            value = _on(style.r_pr, tag) if toggle else _val(style.r_pr, tag)
            if value is not None:
                return value
        return None


# --- the document ------------------------------------------------------------------------


def _paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(w("t"))).strip()


def _paragraphs(root):
    """Paragraphs in reading order, as mammoth reads them (mc:Fallback, not mc:Choice)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag == f"{{{MC}}}Choice":
            continue
        if node.tag == w("p"):
            yield node
        stack.extend(reversed(list(node)))


def _set_style(p, p_pr, style_id: str):
    if p_pr is None:
        p_pr = ET.Element(w("pPr"))
        p.insert(0, p_pr)
    style = p_pr.find(w("pStyle"))
    if style is None:
        style = ET.Element(w("pStyle"))
        p_pr.insert(0, style)
    style.set(w("val"), style_id)
    return p_pr


def _switch_numbering_off(p, p_pr):
    if p_pr is None:
        p_pr = ET.Element(w("pPr"))
        p.insert(0, p_pr)
    num_pr = p_pr.find(w("numPr"))
    if num_pr is not None:
        p_pr.remove(num_pr)
    num_pr = ET.SubElement(p_pr, w("numPr"))
    ET.SubElement(num_pr, w("ilvl")).set(w("val"), "0")
    ET.SubElement(num_pr, w("numId")).set(w("val"), "0")
    return p_pr


def _insert_label(p, p_pr, label: str) -> None:
    run = ET.Element(w("r"))
    text = ET.SubElement(run, w("t"))
    text.set(XML_SPACE, "preserve")
    text.text = label
    p.insert(list(p).index(p_pr) + 1 if p_pr is not None else 0, run)


def label_level(label: str) -> int | None:
    """1 for 一、, 2 for （一）, 3 for 1., 4 for (1): the official heading forms, as the
    PDF reads them (bulletins/pdf_html.py); None for any other label (a., 1.1 …)."""
    return heading_level(label.strip()) or None


class Prepared:
    """What preparing document.xml found: how many labels, whether a title was marked."""

    def __init__(self):
        self.labels = 0
        self.title = False


def _is_heading_style(styles: Styles, style_id) -> bool:
    return any(HEADING_STYLE_NAME.match(s.name) for s in styles.chain(style_id))


def _is_title_style(styles: Styles, style_id) -> bool:
    return any(s.name.lower() in TITLE_STYLE_NAMES for s in styles.chain(style_id))


def _looks_like_title(p, p_pr, styles: Styles, style_id) -> bool:
    text = _paragraph_text(p)
    if not text or len(text) > TITLE_MAX_CHARS:
        return False
    if _is_title_style(styles, style_id):
        return True
    numbered = re.match(rf"^(?:[{CN}]+、|[（(][{CN}\d]+[）)]|\d+[.．、])", text)
    if numbered:
        return False
    if _is_heading_style(styles, style_id):
        return True
    centred = (_val(p_pr, "jc") or styles.paragraph_value(style_id, "jc")) == "center"
    if not centred:
        return False
    runs = [r for r in p.iter(w("r")) if "".join(t.text or "" for t in r.iter(w("t"))).strip()]
    if not runs:
        return False

    def bold(run) -> bool:
        direct = _on(run.find(w("rPr")), "b")
        return direct if direct is not None else bool(styles.run_value(style_id, "b", toggle=True))

    def size(run) -> int:
        value = _val(run.find(w("rPr")), "sz") or styles.run_value(style_id, "sz") or "0"
        return int(value) if value.isdigit() else 0

    return all(bold(r) for r in runs) or min(size(r) for r in runs) >= TITLE_MIN_SIZE


def prepare_document(document_xml: bytes, *, numbering_xml: bytes | None, styles_xml: bytes | None):
    """(new document.xml, Prepared): labels as text, headings and the title marked.

    Parts are parsed with defusedxml (already checked by the caller). Raises the
    parser's errors for broken XML.
    """
    root = fromstring(document_xml, forbid_dtd=True)
    styles = Styles(fromstring(styles_xml, forbid_dtd=True) if styles_xml else None)
    numbering = Numbering(
        fromstring(numbering_xml, forbid_dtd=True) if numbering_xml else None, styles
    )
    body = root.find(w("body"))
    prepared = Prepared()
    if body is None:
        return document_xml, prepared
    top_level = {id(p) for p in body.findall(w("p"))}
    first_text = True
    for p in _paragraphs(body):
        p_pr = p.find(w("pPr"))
        style_id = _val(p_pr, "pStyle")
        text = _paragraph_text(p)
        found = numbering.paragraph_numbering(p_pr, style_id)
        if first_text and text and id(p) in top_level:
            first_text = False
            if found is None and _looks_like_title(p, p_pr, styles, style_id):
                _set_style(p, p_pr, TITLE_STYLE)
                _switch_numbering_off(p, p.find(w("pPr")))
                prepared.title = True
                continue
        if found is None:
            continue
        result = numbering.next_label(*found)
        if result is None:
            continue
        label, level = result
        p_pr = _switch_numbering_off(p, p_pr)
        if label:
            gap = (
                " "
                if level.suffix == "space" or (text[:1].isascii() and level.suffix != "nothing")
                else ""
            )
            _insert_label(p, p_pr, label + gap)
            prepared.labels += 1
        heading = label_level(label)
        if (
            heading
            and id(p) in top_level
            and len(label) + len(text) <= HEADING_MAX_CHARS
            and not _is_heading_style(styles, style_id)
            and not _is_title_style(styles, style_id)
        ):
            _set_style(p, p_pr, HEADING_STYLES[heading])
    for prefix, uri in _namespaces(document_xml):
        ET.register_namespace(prefix, uri)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), prepared


def _namespaces(xml: bytes):
    """The prefixes the part declares, so the rewritten part keeps them (w:, r:, wp: …)."""
    head = xml[:8192].decode("utf-8", "ignore")
    for prefix, uri in re.findall(r'xmlns:([A-Za-z_][\w.-]*)="([^"]+)"', head):
        if not re.fullmatch(r"ns\d+", prefix):
            yield prefix, uri
