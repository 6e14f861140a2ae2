"""Chinese line breaking for ReportLab paragraphs (GB/T 15834-2011, W3C clreq §3.1).

ReportLab's CJK wrapping breaks between any two characters and knows only the
Japanese list of characters that cannot start a line. ``CJKParagraph`` breaks
lines itself, by these rules:

- no line ends with an opening mark (《 “ ‘ （ 【 〔 ［ 〈 「 『 …);
- no line starts with a closing mark or 、，。：；！？）》” …; one such mark may
  hang past the line end instead (as ReportLab and Chinese print rooms do);
- the two-em marks …… and —— are never split;
- a run of Latin letters, digits and their inner punctuation (a number, a
  date such as 2020-09-30, a word, a URL, a code such as GB/T 9704-2012) stays
  on one line when it fits one, and breaks only when it is longer than a line;
- a title (``balanced=True``) keeps its number of lines but evens their
  lengths, so no character is left alone on its last line.

A paragraph split across pages gets no spaces between its lines.
"""

from __future__ import annotations

import re

from reportlab.platypus import Paragraph
from reportlab.platypus import paragraph as _rl_paragraph

# Characters that never start a line (closing marks, sentence punctuation).
CANNOT_START = frozenset(
    "，。、；：！？）》〉」』】〕］｝”’…—～·!),.:;?]}%‰℃"
    "\u3001\u3002\uff0c\uff0e\uff1a\uff1b\uff01\uff1f\uff09\u300b\u3009\u300d\u300f\u3011\u3015"
)
# Characters that never end a line (opening marks).
CANNOT_END = frozenset("《〈「『【〔［｛（“‘([{")
# Two-em marks: a pair of the same character is never split.
DOUBLE = frozenset("…—")
# Characters a "word" (a number, a date, a Latin word, a URL, a code) is made of.
_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_WORD_INNER = frozenset("-./:_%@#&+=?~'’,")
# "GB/T 9704", "ISO 9001", "DB32/T 1234": a standard's name and number stay together.
_CODE_PREFIX = re.compile(r"^[A-Z]{1,5}(?:\d{1,3})?(?:/[A-Z]{1,2})?$")
_FUZZ = 1e-6


def _is_word(ch: str) -> bool:
    return bool(_WORD.match(ch))


def can_break_before(chars: list[str], k: int) -> bool:
    """May a line end between ``chars[k - 1]`` and ``chars[k]``?"""
    before, after = chars[k - 1], chars[k]
    if after in CANNOT_START or before in CANNOT_END:
        return False
    if before in DOUBLE and after == before:
        return False
    if after.isspace():
        return False  # break after the space, not before it
    word_before = _is_word(before) or before in _WORD_INNER
    word_after = _is_word(after) or after in _WORD_INNER
    if word_before and word_after:
        return False  # inside a word, a number, a date or a code
    if before == " " and after.isdigit():
        token = "".join(chars[max(0, k - 12) : k - 1]).split(" ")[-1]
        return not _CODE_PREFIX.match(token)
    return True


def _lines_for(units, widths, limit_of):
    """Greedy breaking: [(start, end)] index ranges of ``units`` per line."""
    chars = [str(u) for u in units]
    lines = []
    start = 0
    used = 0.0
    i = 0
    n = len(units)
    while i < n:
        unit = units[i]
        limit = limit_of(len(lines))
        if hasattr(unit.frag, "lineBreak"):
            lines.append((start, i + 1, True))
            start, used, i = i + 1, 0.0, i + 1
            continue
        used += widths[i]
        if used <= limit + _FUZZ or i == start:
            i += 1
            continue
        # units[i] overflows. One closing mark may hang in the margin.
        if (
            chars[i] in CANNOT_START
            and chars[i] not in DOUBLE
            and (i + 1 == n or can_break_before(chars, i + 1))
        ):
            lines.append((start, i + 1, False))
            start, used, i = i + 1, 0.0, i + 1
            continue
        k = i
        while k > start and not can_break_before(chars, k):
            k -= 1
        if k == start:
            k = i  # a word longer than the line: break it where it overflows
        lines.append((start, k, False))
        start, used, i = k, 0.0, k
    if start < n:
        lines.append((start, n, False))
    return lines


def cn_frag_split(frags, max_widths, calc_bounds, *, balanced=False):
    """ReportLab's ``cjkFragSplit`` with the Chinese rules (module docstring)."""
    units = []
    for frag in frags:
        text = frag.text.decode("utf8") if isinstance(frag.text, bytes) else frag.text
        if text:
            units.extend(_rl_paragraph.cjkU(t, frag, "utf8") for t in text)
        else:
            units.append(_rl_paragraph.cjkU(text, frag, "utf8"))
    widths = []
    for unit in units:
        w = unit.width
        if hasattr(w, "normalizedValue"):
            w._normalizer = max_widths[0]
            w = w.normalizedValue(max_widths[0])
        widths.append(w)

    def width_at(line):
        return max_widths[line] if line < len(max_widths) else max_widths[-1]

    ranges = _lines_for(units, widths, width_at)
    if balanced and len(ranges) > 1 and not any(brk for _s, _e, brk in ranges):
        ranges = _balance(units, widths, ranges, width_at)
    lines = []
    for n, (start, end, line_break) in enumerate(ranges):
        max_width = width_at(n)
        used = sum(widths[start:end])
        lines.append(
            _rl_paragraph.makeCJKParaLine(
                units[start:end], max_width, used, max_width - used, line_break, calc_bounds
            )
        )
    return _rl_paragraph.ParaLines(kind=1, lines=lines)


def _balance(units, widths, ranges, width_at):
    """The narrowest measure that keeps the line count: lines of even length."""
    count = len(ranges)
    low, high = sum(widths) / count, width_at(0)
    best = ranges
    for _ in range(12):
        middle = (low + high) / 2
        trial = _lines_for(units, widths, lambda _n, w=middle: w)
        if len(trial) <= count:
            best, high = trial, middle
        else:
            low = middle
    return best


class CJKParagraph(Paragraph):
    """A Paragraph broken by the Chinese rules that splits across pages without spaces.

    ``balanced=True`` (titles) evens the lengths of its lines.
    """

    def __init__(self, text, style=None, *args, balanced: bool = False, **kwargs):
        self.balanced = balanced
        super().__init__(text, style, *args, **kwargs)

    def breakLinesCJK(self, maxWidths):  # noqa: N802 - ReportLab's name
        if not isinstance(maxWidths, list | tuple):
            maxWidths = [maxWidths]
        if not self.frags or any(hasattr(f, "cbDefn") for f in self.frags) or self.style.endDots:
            return super().breakLinesCJK(maxWidths)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        _rl_paragraph._handleBulletWidth(self.bulletText, self.style, maxWidths)  # noqa: SLF001
        self.height = 0
        auto_leading = getattr(self, "autoLeading", getattr(self.style, "autoLeading", ""))
        return cn_frag_split(
            self.frags, maxWidths, auto_leading not in ("", "off"), balanced=self.balanced
        )

    def _get_split_blParaFunc(self):  # noqa: N802 - ReportLab's name
        func = super()._get_split_blParaFunc()
        if func is _rl_paragraph._split_blParaHard:  # noqa: SLF001
            # ReportLab rejoins the lines of a paragraph split across pages with
            # a space at each line end (right for Latin, wrong for Chinese).
            return _split_without_spaces
        return func


def _split_without_spaces(blPara, start, stop):  # noqa: N803 - ReportLab's name
    return [word for line in blPara.lines[start:stop] for word in line.words]
