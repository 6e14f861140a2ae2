"""The fonts of one render: prepared faces registered once per process, chosen per character.

``FontSet`` maps each role to its ReportLab font name (``fonts["body"]``) and
writes Paragraph markup in which every character that the role's face lacks
is set in the first face of the role's chain that has it
(bulletins/pdf_fonts.py, ``role_chains``). ``unprintable(text)`` names the
characters no face has: they would print as empty boxes.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import replace
from html import escape

from reportlab.pdfbase import ttfonts as _rl_ttfonts

from .pdf_fonts import (
    ALL,
    FontSpec,
    _source_cmap,
    block_charset,
    charset_characters,
    prepare,
    role_chains,
)

# Format characters that select a presentation and print nothing of their own
# (variation selectors, zero-width joiners): dropped from the PDF's text.
IGNORABLE = frozenset(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]
)


def _to_unicode_cmap(fontname, subset):
    """ReportLab's ToUnicode CMap, with characters beyond the BMP written as UTF-16 (𠮷).

    ReportLab writes every code point as 4 hex digits: <20BB7> is no valid
    entry, and readers, search and copy lose the character.
    """
    entries = [
        f"<{i:02X}> <{chr(v).encode('utf-16-be').hex().upper()}>" for i, v in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


_rl_ttfonts.makeToUnicodeCMap = _to_unicode_cmap

_LOCK = threading.Lock()
_REGISTERED: dict[str, str] = {}  # prepared file path -> ReportLab font name


def coverage(spec: FontSpec) -> frozenset[int]:
    """The code points the prepared face of ``spec`` holds (read from the source's cmap)."""
    return _coverage(spec.path, spec.index, spec.charset)


_coverage_cache: dict[tuple, frozenset[int]] = {}


def _coverage(path: str, index: int, charset: str) -> frozenset[int]:
    key = (path, index, charset)
    if key not in _coverage_cache:
        cmap = _source_cmap(path, index)
        wanted = charset_characters(charset)
        _coverage_cache[key] = cmap if wanted is None else cmap & wanted
    return _coverage_cache[key]


def registered_name(spec: FontSpec) -> str:
    """The ReportLab name of the prepared face of ``spec``, registered once per process.

    ReportLab keeps one font object per name and embeds, per document, only
    the glyphs that document uses, so every render shares the registration.
    """
    path = str(prepare(spec))
    with _LOCK:
        name = _REGISTERED.get(path)
        if name is None:
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            name = f"Portal{len(_REGISTERED)}-{''.join(c for c in spec.label if c.isalnum())}"
            font = TTFont(name, path)
            pdfmetrics.registerFont(font)
            # registerFont would hand this object to a later font of the same
            # PostScript name (another weight of the family): keep them apart.
            if pdfmetrics._dynFaceNames.get(font.face.name) is font:  # noqa: SLF001
                del pdfmetrics._dynFaceNames[font.face.name]  # noqa: SLF001
            _REGISTERED[path] = name
    return name


class FontSet(Mapping):
    """Role → ReportLab font name for one render, and per-character fallback markup."""

    def __init__(self, text: str = ""):
        self.chains = role_chains()
        self._coverages = {spec: coverage(spec) for chain in self.chains.values() for spec in chain}
        self._names: dict[FontSpec, str] = {}
        self._chosen: dict[str, dict[str, FontSpec]] = {}  # role -> character -> face
        self._roles = {role: self._name(chain[0]) for role, chain in self.chains.items()}
        # Register ahead every face the text needs, so layout never waits on a preparation.
        for role in self.chains:
            for ch in set(text):
                spec = self._spec_for(ch, role)
                if spec is not None:
                    self._name(spec)

    def __getitem__(self, role: str) -> str:
        return self._roles[role]

    def __iter__(self):
        return iter(self._roles)

    def __len__(self):
        return len(self._roles)

    def _name(self, spec: FontSpec) -> str:
        if spec not in self._names:
            self._names[spec] = registered_name(spec)
        return self._names[spec]

    def spec_for(self, ch: str, role: str = "body") -> FontSpec | None:
        """The face that prints ``ch`` in ``role`` (None when no face has it)."""
        return self._spec_for(ch, role)

    def _spec_for(self, ch: str, role: str) -> FontSpec | None:
        code = ord(ch)
        for spec in self.chains[role]:
            if code in self._coverages[spec]:
                # A whole fallback face is used through the block of this character.
                return replace(spec, charset=block_charset(code)) if spec.charset == ALL else spec
        return None

    def markup(self, text: str, role: str = "body") -> str:
        """``text`` escaped for a Paragraph, runs the role's face lacks in a fallback face.

        Line breaks (``\\n``) are kept for the caller; ignorable format
        characters are dropped; a character no face has stays in the role's
        face (``unprintable`` reports it).
        """
        own = self.chains[role][0]
        out: list[str] = []
        current: FontSpec | None = own
        run: list[str] = []

        def flush():
            if not run:
                return
            chunk = escape("".join(run), quote=False)
            if current is own:
                out.append(chunk)
            else:
                out.append(f'<font name="{self._name(current)}">{chunk}</font>')
            run.clear()

        own_coverage = self._coverages[own]
        chosen = self._chosen.setdefault(role, {})
        for ch in text:
            code = ord(ch)
            if code in own_coverage or ch in "\n \u3000":
                spec = own
            elif code in IGNORABLE:
                continue
            else:
                spec = chosen.get(ch)
                if spec is None:
                    spec = chosen[ch] = self._spec_for(ch, role) or own
            if spec is not current:
                flush()
                current = spec
            run.append(ch)
        flush()
        return "".join(out)


def unprintable(text: str) -> list[str]:
    """The distinct characters of ``text`` that no PDF face has, in order of appearance.

    Whitespace, control and ignorable format characters do not count.
    """
    covered = _covered(tuple(dict.fromkeys(s for chain in role_chains().values() for s in chain)))
    out = []
    for ch in dict.fromkeys(text):
        code = ord(ch)
        if code in covered or code in IGNORABLE or ch.isspace():
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            continue
        out.append(ch)
    return out


_covered_cache: dict[tuple, frozenset[int]] = {}


def _covered(specs: tuple) -> frozenset[int]:
    """Every code point some face of ``specs`` has (kept per process and font set-up)."""
    if specs not in _covered_cache:
        _covered_cache[specs] = frozenset().union(*(coverage(spec) for spec in specs))
    return _covered_cache[specs]
