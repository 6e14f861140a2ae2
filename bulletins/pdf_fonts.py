"""Fonts of the official-format PDF: which face per role, and each made embeddable once.

The official format (DESIGN.md) sets the body in 仿宋, 一、 headings in 黑体,
（一） headings in 楷体 and titles in 小标宋. By default (README, "PDF fonts")
the roles use free faces that ``make run`` / ``make test`` install, each
checked to cover GB 2312 in simplified forms (``gb2312_coverage``):

========  ===============================  ================================
role      default face                     from
========  ===============================  ================================
body      FandolFang Regular (仿宋)        Debian ``texlive-lang-chinese``
bold      Noto Serif CJK SC Bold           Debian ``fonts-noto-cjk``
heading   Noto Sans SC Bold (黑体)         PyPI ``justmytype-intl-cjk``
kai       AR PL UKai CN (楷体)             Debian ``fonts-arphic-ukai``
title     Noto Serif CJK SC Bold (小标宋)  Debian ``fonts-noto-cjk``
========  ===============================  ================================

``BULLETIN_PDF_FONTS`` (environment ``PDF_FONT_BODY`` …) overrides any role
with a path (``path#N`` picks face N of a collection). A default face that is
not installed falls back to Noto Sans SC at the role's weight, as before, and
says so once in the log and in ``manage.py check`` (warning bulletins.W001).

Every character prints: after its own face, each role falls back per
character to the other faces, BabelStone Han (CJK extensions such as 𠮷),
Symbola (✔ ☑ ★ ① and emoji) and Noto Sans SC (``FontSet.markup``).
``unprintable`` names what none of them has, for the office before publishing.

ReportLab embeds TrueType outlines only, and a variable font would print its
default (thin) instance. So each face is prepared once per machine
(``prepare``): cut down to the characters it is used for, instanced at the
role's weight when it is variable, converted to TrueType outlines when it is
CFF-based, and set on the official character grid. The prepared files are kept
on disk (``PDF_FONT_CACHE_DIR``), shared by every issue and every process;
ReportLab registers each once per process and embeds, per document, just the
glyphs that document uses.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import sys
import threading
from array import array
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .pdf_font_outlines import cff_to_glyf, name_postscript, rename_instance

logger = logging.getLogger(__name__)
# fontTools reports every subsetting step at INFO; the site logs at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

ROLES = ("body", "bold", "heading", "kai", "title")

# Weights used when a role's font is variable (the bundled one is).
ROLE_WEIGHTS = {"body": 400, "bold": 700, "heading": 700, "kai": 500, "title": 700}

DEFAULT_PACKAGE = "justmytype-intl-cjk"
DEFAULT_FONT = "fonts/ofl/notosanssc/NotoSansSC[wght].ttf"
DEFAULT_NAME = "Noto Sans SC"

# Where the Makefile puts the Fandol faces taken from Debian's texlive-lang-chinese.
FANDOL_DIRS = ("/usr/local/share/fonts/fandol", os.path.join(sys.prefix, "share/fonts/fandol"))
NOTO_CJK = "/usr/share/fonts/opentype/noto"

# Always available, whatever the text: digits and Latin for dates and numbers,
# the punctuation the layout itself prints.
BASE_CHARS = (
    "".join(chr(c) for c in range(0x20, 0x7F)) + "—–·•、。，．：；！？“”‘’（）《》【】〔〕…　"
)


@dataclass(frozen=True)
class Face:
    """A default face: a file (face ``index`` of a collection), found in one of ``paths``."""

    name: str
    file: str
    dirs: tuple[str, ...]
    index: int = 0
    package: str = ""  # what installs it (for messages)

    def path(self) -> str | None:
        for folder in self.dirs:
            candidate = os.path.join(folder, self.file)
            if os.path.isfile(candidate):
                return candidate
        return None


FANDOL_FANG = Face("FandolFang", "FandolFang-Regular.otf", FANDOL_DIRS, 0, "texlive-lang-chinese")
NOTO_SERIF_BOLD = Face(
    "Noto Serif CJK SC Bold", "NotoSerifCJK-Bold.ttc", (NOTO_CJK,), 2, "fonts-noto-cjk"
)
UKAI = Face(
    "AR PL UKai CN", "ukai.ttc", ("/usr/share/fonts/truetype/arphic",), 0, "fonts-arphic-ukai"
)
BABELSTONE = Face(
    "BabelStone Han", "BabelStoneHan.ttf", ("/usr/share/fonts/truetype/babelstone",), 0,
    "fonts-babelstone-han",
)  # fmt: skip
SYMBOLA = Face(
    "Symbola", "Symbola_hint.ttf", ("/usr/share/fonts/truetype/ancient-scripts",), 0,
    "fonts-symbola",
)  # fmt: skip

# The default face of each role (None: the bundled Noto Sans SC).
DEFAULT_FACES: dict[str, Face | None] = {
    "body": FANDOL_FANG,
    "bold": NOTO_SERIF_BOLD,
    "heading": None,
    "kai": UKAI,
    "title": NOTO_SERIF_BOLD,
}
# Fallback faces after a role's own, in order (the bundled Noto Sans SC comes last).
FALLBACK_FACES = (BABELSTONE, SYMBOLA)

# What a prepared face holds: "common" is GB 2312 plus Latin, punctuation and
# the symbols offices type; "block-XXX" the face's characters from U+XXX00 to
# U+XXXFF (fallback faces are prepared a block at a time, when a text first
# needs one: BabelStone Han holds 64,000 glyphs, an issue needs a few);
# "all" (a fallback face as a whole) is never prepared.
COMMON = "common"
ALL = "all"


def block_charset(code: int) -> str:
    return f"block-{code >> 8:x}"


def charset_characters(charset: str) -> frozenset[int] | None:
    """The code points a charset stands for (None: every one)."""
    if charset == COMMON:
        return common_characters()
    if charset.startswith("block-"):
        start = int(charset[6:], 16) << 8
        return frozenset(range(start, start + 256))
    return None


@dataclass(frozen=True)
class FontSpec:
    """One font file (face ``index`` of a collection) at a weight, prepared for ``charset``."""

    path: str
    index: int = 0
    weight: int = 400
    bundled: bool = False
    charset: str = COMMON
    label: str = ""

    def fingerprint(self) -> str:
        """What changes the PDF when it changes: file identity, face, weight, charset."""
        stat = os.stat(self.path)
        origin = (
            f"{DEFAULT_PACKAGE}=={metadata.version(DEFAULT_PACKAGE)}"
            if self.bundled
            else os.path.abspath(self.path)
        )
        return (
            f"{origin}|{stat.st_size}|{int(stat.st_mtime)}|{self.index}|{self.weight}"
            f"|{self.charset}|grid{GRID_FACTOR:.6f}|prep{PREPARE_VERSION}"
        )


# Bump when ``prepare`` changes what it writes: every prepared face is made again.
PREPARE_VERSION = "2"


def bundled_font_path() -> str:
    try:
        path = resources.files("justmytype_intl_cjk") / DEFAULT_FONT
    except ModuleNotFoundError as exc:  # pragma: no cover - a broken install
        raise ImproperlyConfigured(
            f"The PDF font package {DEFAULT_PACKAGE} is not installed (pip install .)."
        ) from exc
    return str(path)


def _bundled(weight: int, charset: str = COMMON) -> FontSpec:
    return FontSpec(bundled_font_path(), 0, weight, True, charset, DEFAULT_NAME)


def _parse(value: str) -> tuple[str, int]:
    path, _, index = value.partition("#")
    return path, int(index or 0)


def missing_default_faces() -> list[Face]:
    """Default faces in use (roles not set in ``BULLETIN_PDF_FONTS``, fallbacks) not installed."""
    configured = getattr(settings, "BULLETIN_PDF_FONTS", None) or {}
    roles = [face for role, face in DEFAULT_FACES.items() if role not in configured]
    faces = [f for f in (*roles, *FALLBACK_FACES) if f is not None]
    return [face for face in dict.fromkeys(faces) if face.path() is None]


_warned: set[str] = set()


def _warn_once(face: Face) -> None:
    if face.name not in _warned:
        _warned.add(face.name)
        logger.warning(
            "PDF font %s is not installed (Debian package %s; `make run` installs it): "
            "using %s instead.",
            face.name,
            face.package,
            DEFAULT_NAME,
        )


def font_specs() -> dict[str, FontSpec]:
    """The font for each role: ``BULLETIN_PDF_FONTS``, else the default face, else Noto Sans SC.

    Raises ImproperlyConfigured for an unknown role or a configured file that
    does not exist. ``kai`` (楷体) left unset with a configured body font follows
    the body font, and ``bold`` follows a variable body font, as offices expect
    from their own 仿宋.
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
            specs[role] = FontSpec(path, index, ROLE_WEIGHTS[role], label=os.path.basename(path))
    body = specs.get("body")
    for role in ROLES:
        if role in specs:
            continue
        if role == "kai" and body:
            specs[role] = FontSpec(body.path, body.index, ROLE_WEIGHTS[role], label=body.label)
            continue
        if role == "bold" and body and _is_variable(body.path, body.index):
            specs[role] = FontSpec(body.path, body.index, ROLE_WEIGHTS[role], label=body.label)
            continue
        face = DEFAULT_FACES[role]
        path = face.path() if face else None
        if face and path:
            specs[role] = FontSpec(path, face.index, ROLE_WEIGHTS[role], label=face.name)
        else:
            if face:
                _warn_once(face)
            specs[role] = _bundled(ROLE_WEIGHTS[role])
    return specs


def fallback_specs() -> list[FontSpec]:
    """The faces every role falls back to, per character, after the role faces.

    Each stands for the whole face (charset "all"); what is prepared and
    embedded is the block of each character used (``block_charset``).
    """
    out = []
    for face in FALLBACK_FACES:
        path = face.path()
        if path:
            out.append(FontSpec(path, face.index, 400, charset=ALL, label=face.name))
        else:
            _warn_once(face)
    out.append(_bundled(400, ALL))
    return out


def role_chains() -> dict[str, list[FontSpec]]:
    """For each role: its own face, the body face, their default faces, then the fallbacks."""
    specs = font_specs()
    fallbacks = fallback_specs()
    # Configured faces may cover little (an office's own 仿宋_GB2312 file): the
    # default faces come before the wide fallbacks.
    defaults = {}
    for role in ("body", *ROLES):
        face = DEFAULT_FACES[role]
        path = face.path() if face else None
        if face and path:
            defaults[role] = FontSpec(path, face.index, ROLE_WEIGHTS[role], label=face.name)
    chains = {}
    for role in ROLES:
        faces = [
            specs[role],
            specs["body"],
            *(d for r, d in defaults.items() if r in (role, "body")),
        ]
        # A face's characters beyond the common set (堃 喆 in 仿宋) before any other face.
        order = [part for spec in faces for part in (spec, replace(spec, charset=ALL))]
        chains[role] = list(dict.fromkeys([*order, *fallbacks]))
    return chains


@lru_cache(maxsize=32)
def _is_variable(path: str, index: int) -> bool:
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        return "fvar" in font


def fonts_fingerprint() -> str:
    """A digest of every font the PDF may use (part of the PDF cache key)."""
    parts = [f"{role}={spec.fingerprint()}" for role, spec in sorted(font_specs().items())]
    parts += [f"fallback={spec.fingerprint()}" for spec in fallback_specs()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def describe_fonts() -> dict[str, str]:
    """Human-readable font per role (README, admin help, benchmarks)."""
    out = {}
    for role, spec in font_specs().items():
        out[role] = f"{spec.label} (weight {spec.weight})" if spec.bundled else spec.label
    return out


# --- Coverage ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def gb2312_characters() -> frozenset[int]:
    """Every character of GB 2312 (7,445: 6,763 hanzi and 682 symbols), as code points."""
    out = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                out.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(out)


def common_characters() -> frozenset[int]:
    """What a "common" prepared face holds: GB 2312, Latin-1, punctuation, symbols offices type."""
    ranges = [
        (0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x218F), (0x2190, 0x21FF),
        (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x3000, 0x303F),
        (0x3200, 0x32FF), (0xFF00, 0xFFEF),
    ]  # fmt: skip
    extra = {c for start, end in ranges for c in range(start, end + 1)}
    return gb2312_characters() | extra


def gb2312_coverage(path: str, index: int = 0) -> list[str]:
    """The GB 2312 characters a font file lacks (checked by code point, not by name)."""
    return [chr(c) for c in sorted(gb2312_characters() - set(_source_cmap(path, index)))]


@lru_cache(maxsize=32)
def _source_cmap(path: str, index: int) -> frozenset[int]:
    """The code points a font file maps; kept beside the prepared faces (reading the cmap
    of a 65,000-glyph collection takes a second or more, once per machine instead of
    once per process)."""
    stat = os.stat(path)
    token = f"{os.path.abspath(path)}|{stat.st_size}|{int(stat.st_mtime)}|{index}"
    sidecar = cache_dir() / f"cmap-{hashlib.sha256(token.encode()).hexdigest()[:24]}.bin"
    codes = array("I")
    try:
        with open(sidecar, "rb") as fh:
            codes.frombytes(fh.read())
        return frozenset(codes)
    except OSError:
        pass
    from fontTools.ttLib import TTFont

    with TTFont(path, fontNumber=index, lazy=True) as font:
        cmap = frozenset(font.getBestCmap() or {})
    try:
        sidecar.parent.mkdir(parents=True, exist_ok=True)
        temporary = sidecar.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(array("I", sorted(cmap)).tobytes())
        os.replace(temporary, sidecar)
    except OSError:
        logger.warning("PDF fonts: could not keep the character map of %s", path)
    return cmap


# --- Preparing a face -------------------------------------------------------------


def cache_dir() -> Path:
    return Path(getattr(settings, "PDF_FONT_CACHE_DIR", None) or Path(settings.VAR_DIR) / "fonts")


def prepared_path(spec: FontSpec) -> Path:
    digest = hashlib.sha256(spec.fingerprint().encode()).hexdigest()[:24]
    stem = "".join(ch for ch in (spec.label or "font") if ch.isalnum()) or "font"
    return cache_dir() / f"{stem}-{spec.weight}-{spec.charset}-{digest}.ttf"


_PREPARE_LOCK = threading.Lock()


def prepare(spec: FontSpec) -> Path:
    """The prepared TrueType file of ``spec`` on disk, made now if it is not there yet.

    Making one takes seconds for a TrueType face and up to a minute for a CFF
    one (every outline converted); ``manage.py prepare_pdf_fonts`` does it
    ahead (``make run`` and ``make test`` call it). Written under a temporary
    name and renamed, so concurrent processes never read half a file.
    """
    target = prepared_path(spec)
    if target.is_file():
        return target
    with _PREPARE_LOCK:
        if target.is_file():
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        if spec.charset == ALL:
            raise ValueError("a fallback face is prepared a block at a time")
        data = _prepared_bytes(
            spec.path, spec.index, spec.weight, charset_characters(spec.charset), spec.charset
        )
        temporary = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        logger.info("PDF font prepared: %s", target.name)
    return target


def _prepared_bytes(
    path: str, index: int, weight: int, wanted: frozenset[int] | None, charset: str = COMMON
) -> bytes:
    """The face cut down to ``wanted`` code points (None: all), one weight, TrueType outlines."""
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
        options.drop_tables += ["vhea", "vmtx", "VORG", "DSIG", "meta", "morx", "kerx"]
        options.drop_tables += ["CBDT", "CBLC", "sbix", "SVG ", "COLR", "CPAL", "EBDT", "EBLC"]
        cmap = set(font.getBestCmap() or {})
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=cmap if wanted is None else cmap & wanted)
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    finally:
        font.close()
    return _embeddable(out.getvalue(), weight, charset)


def _embeddable(subset_data: bytes, weight: int, charset: str = COMMON) -> bytes:
    """A glyph subset made embeddable: one weight, TrueType outlines, the official grid."""
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
        rename_instance(font, weight)
    if "CFF " in font or "CFF2" in font:
        cff_to_glyf(font)
    _apply_grid(font)
    name_postscript(font, weight, charset)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# The official character grid: 28 characters of 三号 (16 pt) in the 156 mm type
# area (GB/T 9704-2012 §5.2.1). 28 × 16 pt is 448 pt, wider than 156 mm
# (442.2 pt), so offices' word processors set characters on a 15.79 pt pitch;
# the same slight tightening is applied to every advance width of the embedded
# faces (outlines stay at full size), as the browser print does with
# letter-spacing (static/css/bulletin.css).
GRID_FACTOR = (156 / 25.4 * 72 / 28) / 16


def _apply_grid(font) -> None:
    hmtx = font["hmtx"]
    for name, (advance, lsb) in list(hmtx.metrics.items()):
        hmtx.metrics[name] = (int(advance * GRID_FACTOR), lsb)
    font["hhea"].advanceWidthMax = max((m[0] for m in hmtx.metrics.values()), default=0)
