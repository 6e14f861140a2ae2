"""Fonts of the official-format PDF: which files, and how they become embeddable TrueType.

The official format (DESIGN.md) sets the body in 仿宋, headings in 黑体 and 楷体 and
titles in 小标宋. Offices that have those fonts name them in the setting
``BULLETIN_PDF_FONTS`` (environment ``PDF_FONT_BODY`` …, see README "PDF font"):
one path per role, ``path#N`` picks face N of a TrueType/OpenType collection.
Roles left unset use Noto Sans SC (SIL Open Font License 1.1), which
``pip install`` brings in with the ``justmytype-intl-cjk`` package, at a weight
per role. Nothing depends on fonts installed on the system.

ReportLab embeds TrueType outlines only, and a variable font would print its
default (thin) instance. So for every render each font is cut down with
fontTools to the characters the document uses, instanced at the role's weight
when it is variable, and converted to TrueType outlines when it is CFF-based;
ReportLab then embeds that subset (``FontFile2``) in the PDF.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import threading
import uuid
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# fontTools reports every subsetting step at INFO; the site logs at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

ROLES = ("body", "bold", "heading", "kai", "title")

# Weights used when a role's font is variable (the bundled one is).
ROLE_WEIGHTS = {"body": 400, "bold": 700, "heading": 700, "kai": 500, "title": 700}

DEFAULT_PACKAGE = "justmytype-intl-cjk"
DEFAULT_FONT = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
DEFAULT_NAME = "Noto Sans SC"

# Always available, whatever the text: digits and Latin for dates and numbers,
# the punctuation the layout itself prints.
BASE_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F)) + "—–·•、。，．：；！？“”‘’（）《》【】〔〕…　"
)


@dataclass(frozen=True)
class FontSpec:
    """One font file (face ``index`` of a collection) at a weight."""

    path: str
    index: int = 0
    weight: int = 400
    bundled: bool = False

    def fingerprint(self) -> str:
        """What changes the PDF when it changes: file identity, face, weight."""
        stat = os.stat(self.path)
        origin = (
            f"{DEFAULT_PACKAGE}=={metadata.version(DEFAULT_PACKAGE)}"
            if self.bundled
            else os.path.abspath(self.path)
        )
        return f"{origin}|{stat.st_size}|{int(stat.st_mtime)}|{self.index}|{self.weight}"


def bundled_font_path() -> str:
    try:
        path = resources.files("justmytype_intl_cjk") / DEFAULT_FONT
    except ModuleNotFoundError as exc:  # pragma: no cover - a broken install
        raise ImproperlyConfigured(
            f"The PDF font package {DEFAULT_PACKAGE} is not installed (pip install .)."
        ) from exc
    return str(path)


def _parse(value: str) -> tuple[str, int]:
    path, _, index = value.partition("#")
    return path, int(index or 0)


def font_specs() -> dict[str, FontSpec]:
    """The font for each role, from ``BULLETIN_PDF_FONTS`` or the bundled default.

    Unset roles fall back sensibly: ``kai`` (楷体) to the configured body font,
    ``bold`` to the body font when it is variable; everything else to Noto Sans SC
    at the role's weight (bold weights stand in for 黑体 and 小标宋).
    """
    configured = getattr(settings, "BULLETIN_PDF_FONTS", None) or {}
    unknown = set(configured) - set(ROLES)
    if unknown:
        raise ImproperlyConfigured(
            f"BULLETIN_PDF_FONTS has unknown roles {sorted(unknown)}; use {ROLES}."
        )
    specs: dict[str, FontSpec] = {}
    for role in ROLES:
        value = configured.get(role)
        if value:
            path, index = _parse(str(value))
            if not os.path.isfile(path):
                raise ImproperlyConfigured(f"PDF font for {role!r} not found: {path}")
            specs[role] = FontSpec(path, index, ROLE_WEIGHTS[role])
    default = bundled_font_path()
    body = specs.get("body")
    for role in ROLES:
        if role in specs:
            continue
        if role == "kai" and body:
            specs[role] = FontSpec(body.path, body.index, ROLE_WEIGHTS[role])
        elif role == "bold" and body and _is_variable(body.path, body.index):
            specs[role] = FontSpec(body.path, body.index, ROLE_WEIGHTS[role])
        else:
            specs[role] = FontSpec(default, 0, ROLE_WEIGHTS[role], bundled=True)
    return specs


@lru_cache(maxsize=32)
def _is_variable(path: str, index: int) -> bool:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return "fvar" in font


def fonts_fingerprint() -> str:
    """A digest of every font the PDF uses (part of the PDF cache key)."""
    parts = [f"{role}={spec.fingerprint()}" for role, spec in sorted(font_specs().items())]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def describe_fonts() -> dict[str, str]:
    """Human-readable font per role (README, admin help, benchmarks)."""
    out = {}
    for role, spec in font_specs().items():
        name = DEFAULT_NAME if spec.bundled else os.path.basename(spec.path)
        out[role] = f"{name} (weight {spec.weight})" if spec.bundled else name
    return out


def _glyph_subset(path: str, index: int, text: str) -> bytes:
    """The font cut down to the glyphs for ``text`` (variations kept)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        options = subset.Options()
        options.layout_features = []  # ReportLab does no shaping.
        options.hinting = False
        options.notdef_outline = True
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "STAT", "JSTF", "MATH"]
        options.drop_tables += ["vhea", "vmtx", "VORG", "DSIG", "meta"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(set(text + BASE_CHARS))))
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()
    finally:
        font.close()


def _embeddable(subset_data: bytes, weight: int) -> bytes:
    """A glyph subset made embeddable: one weight, TrueType outlines."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(io.BytesIO(subset_data))
    if "fvar" in font:
        # Every axis pinned: wght at the role's weight (clamped), others at default.
        location = {}
        for axis in font["fvar"].axes:
            if axis.axisTag == "wght":
                location["wght"] = min(max(weight, axis.minValue), axis.maxValue)
            else:
                location[axis.axisTag] = None
        font = instancer.instantiateVariableFont(
            font, location, inplace=True, downgradeCFF2="CFF2" in font
        )
        _rename_instance(font, weight)
    if "CFF " in font or "CFF2" in font:
        _cff_to_glyf(font)
    _apply_grid(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# The official character grid: 28 characters of 三号 (16 pt) in the 156 mm type
# area (GB/T 9704-2012 §5.2.1). 28 × 16 pt is 448 pt, wider than 156 mm
# (442.2 pt), so offices' word processors set characters on a 15.79 pt pitch;
# the same slight tightening is applied to every advance width of the embedded
# subsets (outlines stay at full size), as the browser print does with
# letter-spacing (static/css/bulletin.css).
GRID_FACTOR = (156 / 25.4 * 72 / 28) / 16


def _apply_grid(font) -> None:
    hmtx = font["hmtx"]
    for name, (advance, lsb) in list(hmtx.metrics.items()):
        hmtx.metrics[name] = (int(advance * GRID_FACTOR), lsb)
    font["hhea"].advanceWidthMax = max((m[0] for m in hmtx.metrics.values()), default=0)


def embeddable_subsets(specs, text: str) -> dict[FontSpec, bytes]:
    """For each spec, a TrueType-outline font holding just the glyphs for ``text``.

    Subsets first, once per font file (a CJK font has 30,000+ glyphs; a bulletin
    uses ~1,000), then instances variable fonts at each spec's weight and
    converts CFF outlines to quadratic TrueType ones, so ReportLab can embed
    any TTF/OTF/TTC.
    """
    subsets: dict[tuple[str, int], bytes] = {}
    out = {}
    for spec in dict.fromkeys(specs):
        key = (spec.path, spec.index)
        if key not in subsets:
            subsets[key] = _glyph_subset(spec.path, spec.index, text)
        out[spec] = _embeddable(subsets[key], spec.weight)
    return out


WEIGHT_NAMES = {100: "Thin", 300: "Light", 400: "Regular", 500: "Medium", 700: "Bold", 900: "Black"}


def _rename_instance(font, weight: int) -> None:
    """Name an instance after its weight (the PDF lists fonts by PostScript name)."""
    name = font["name"]
    family = name.getBestFamilyName() or "Font"
    style = WEIGHT_NAMES.get(weight, f"W{weight}")
    name.setName(f"{family} {style}", 4, 3, 1, 0x409)
    name.setName(f"{family.replace(' ', '')}-{style}", 6, 3, 1, 0x409)
    name.removeNames(nameID=6, platformID=1)


def _cff_to_glyf(font) -> None:
    """Replace CFF (cubic) outlines with TrueType (quadratic) ones, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        width = hmtx[name][0]
        hmtx[name] = (width, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = max(
        (len(g.components) for g in glyphs.values() if hasattr(g, "components")), default=0
    )
    maxp.compile(font)  # recalculates the outline counts
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


_REGISTRY_LOCK = threading.Lock()


class RegisteredFonts:
    """ReportLab font names for one render; unregistered again on exit.

    ReportLab keeps fonts in process-wide registries, and ``registerFont``
    shares one font object between registrations of the same PostScript name.
    Every render has its own subset of the same face, so each is registered
    under a fresh name and taken out of the face-sharing map at once (under a
    lock, for threaded servers), then removed when the render is done so a
    long-running server does not accumulate them.
    """

    def __init__(self, text: str):
        self.text = text
        self.names: dict[str, str] = {}

    def __enter__(self) -> dict[str, str]:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        specs = font_specs()
        data = embeddable_subsets(specs.values(), self.text)
        token = uuid.uuid4().hex[:8]
        built: dict[FontSpec, str] = {}
        for role, spec in specs.items():
            if spec not in built:
                name = f"Portal-{role}-{token}"
                font = TTFont(name, io.BytesIO(data[spec]))
                with _REGISTRY_LOCK:
                    pdfmetrics.registerFont(font)
                    if pdfmetrics._dynFaceNames.get(font.face.name) is font:  # noqa: SLF001
                        del pdfmetrics._dynFaceNames[font.face.name]  # noqa: SLF001
                built[spec] = name
            self.names[role] = built[spec]
        return self.names

    def __exit__(self, *exc):
        from reportlab.lib import fonts as rl_fonts
        from reportlab.pdfbase import pdfmetrics

        # No public API unregisters a font: undo what registerFont did.
        with _REGISTRY_LOCK:
            for name in set(self.names.values()):
                pdfmetrics._fonts.pop(name, None)  # noqa: SLF001
                rl_fonts._ps2tt_map.pop(name.lower(), None)  # noqa: SLF001
                for bold in (0, 1):
                    for italic in (0, 1):
                        rl_fonts._tt2ps_map.pop((name.lower(), bold, italic), None)  # noqa: SLF001
        return False
