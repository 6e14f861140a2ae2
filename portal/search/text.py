"""Text side of search: plain text from content, folding, bigram tokens, queries, snippets.

One tokenizer serves SQLite and PostgreSQL (issue #7):

- ``plain_text`` turns stored content (HTML article bodies, plain fields) into
  display text: one line per paragraph, whitespace collapsed, and the stray
  spaces between two Chinese characters removed ("简 报" reads 简报).
- ``fold`` is the comparison form: each character NFKC-normalised and lower-cased
  when that yields exactly one character (full-width ２０２０ → 2020, Ａ → a,
  "，" → ","), so ``fold(s)`` has the length of ``s`` and a match found in the
  folded text is at the same offsets in the display text.
- ``tokens`` cuts folded text into runs of letters and digits (Chinese, Latin
  and digits alike, so 2020年 is one run) and emits each run's overlapping
  character bigrams. Any substring of two or more letters/digits is then a
  phrase of consecutive bigrams, which makes two-character queries and words
  crossing a segmenter's boundaries (业工) complete. Candidates found through the
  bigrams are confirmed against the folded text, so precision is exact too.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from html import escape  # Django's escape is this, behind a lazy-string check per call

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

MAX_QUERY_LENGTH = 100
MAX_WORDS = 8

# Runs of letters and digits: Python's \w without the underscore (str.isalnum).
RUN_RE = re.compile(r"[^\W_]+")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
_CJK_GAP_RE = re.compile(f"(?<=[{_CJK}])[^\\S\\n]+(?=[{_CJK}])")
_BLOCK_TAG_RE = re.compile(
    r"<\s*(?:br|/?p|/?div|/?li|/?h[1-6]|/?tr|/?td|/?th|/?table|/?blockquote|/?pre|/?ul|/?ol)\b[^>]*>",
    re.IGNORECASE,
)
_TAG_RE = re.compile(r"<[^>]*>")
_LOOKS_HTML_RE = re.compile(
    r"<\s*/?\s*(?:p|br|div|span|strong|em|b|i|u|h[1-6]|ul|ol|li|table|tr|td|a|img)\b", re.I
)
_INLINE_SPACE_RE = re.compile(r"[^\S\n]+")
# Quotes in a query mark a phrase for most users; a word must occur anyway, so
# they only separate words (“强富美高” finds 强富美高 with or without quotes);
# an apostrophe inside a word (O'Brien) stays.
_DOUBLE_QUOTES = str.maketrans({q: " " for q in '"“”「」『』〝〞'})
_EDGE_QUOTES = "'‘’"


@cache
def _fold_table() -> dict[int, str]:
    """Translation table for ``fold``: only characters that change, one char each."""
    table = {}
    ranges = [
        range(0x80, 0x3400),
        range(0xA000, 0xE000),
        range(0xF900, 0x10000),
        range(0x1D400, 0x1D800),  # mathematical alphanumerics
        range(0x1F100, 0x1F200),  # enclosed alphanumerics
        range(0x2F800, 0x2FA20),  # CJK compatibility ideographs supplement
    ]
    for block in ranges:
        for code in block:
            char = chr(code)
            folded = unicodedata.normalize("NFKC", char)
            if len(folded) != 1:
                folded = char
            lower = folded.lower()
            if len(lower) == 1:
                folded = lower
            if folded != char:
                table[code] = folded
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code + 32)
    return table


def fold(text: str) -> str:
    """Comparison form of ``text``, character for character (same length)."""
    return text.translate(_fold_table())


def _drop_control(text: str) -> str:
    """Remove control and format characters (NUL, zero-width spaces, BOM) but keep line breaks."""
    if text.isprintable():
        return text
    return "".join(
        ch
        for ch in text
        if ch in "\n\t " or ch.isprintable() or unicodedata.category(ch) in ("Zs", "Zl", "Zp")
    )


def html_to_text(value: str) -> str:
    """Block elements become line breaks, other tags go, entities are decoded."""
    value = _BLOCK_TAG_RE.sub("\n", value)
    value = _TAG_RE.sub("", value)
    return html.unescape(value)


def plain_text(value: str | None, *, is_html: bool | None = None) -> str:
    """Display text of a field: paragraphs on their own lines, whitespace tidied.

    ``is_html=None`` treats the value as HTML only when it contains common tags,
    so a plain "<5%" in a task requirement is kept.
    """
    if not value:
        return ""
    value = str(value)
    if is_html or (is_html is None and _LOOKS_HTML_RE.search(value)):
        value = html_to_text(value)
    value = _drop_control(value.replace("\r\n", "\n").replace("\r", "\n"))
    lines = []
    for line in value.split("\n"):
        line = _INLINE_SPACE_RE.sub(" ", line).strip()
        if line:
            lines.append(_CJK_GAP_RE.sub("", line))
    return "\n".join(lines)


def bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def runs(folded: str) -> list[str]:
    """Runs of two or more letters/digits (a lone character cannot be looked up)."""
    return [run for run in RUN_RE.findall(folded) if len(run) > 1]


def tokens(folded: str) -> list[str]:
    """Bigrams of every run, in order (positions matter to SQLite's phrase queries)."""
    out: list[str] = []
    for run in runs(folded):
        out.extend(bigrams(run))
    return out


# Between two runs in the FTS5 token text: a token standing for exactly what
# separates them (punctuation, spaces, lone characters), GAP + its UTF-8 in
# hex: "工人，人队伍" is 工人 ¦efbc8c 人队 队伍. A phrase of bigrams then never
# continues across punctuation, and a query word with punctuation inside
# (技高者多得、多劳者多得) is still one exact phrase. The ascii tokenizer keeps
# GAP (non-ASCII) and hex digits in one token.
GAP = "\u00a6"


def _run_spans(folded: str) -> list[tuple[int, int]]:
    return [m.span() for m in RUN_RE.finditer(folded) if m.end() - m.start() > 1]


def _phrase_tokens(folded: str, spans) -> list[str]:
    out: list[str] = []
    previous_end = None
    for start, end in spans:
        if previous_end is not None:
            out.append(GAP + folded[previous_end:start].encode().hex())
        out.extend(bigrams(folded[start:end]))
        previous_end = end
    return out


def token_string(folded: str) -> str:
    """The space-separated token text handed to SQLite FTS5 (``ascii`` tokenizer)."""
    return " ".join(_phrase_tokens(folded, _run_spans(folded)))


def word_phrase(word: str) -> tuple[str, bool]:
    """The FTS5 phrase for a folded query word, and whether it proves the word.

    It proves it when the word begins and ends with a run of two or more letters
    or digits; leading or trailing punctuation ("工人，") is confirmed against
    the text.
    """
    spans = _run_spans(word)
    tokens = _phrase_tokens(word, spans)
    exact = spans[0][0] == 0 and spans[-1][1] == len(word)
    return '"' + " ".join(tokens).replace('"', '""') + '"', exact


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


# PostgreSQL's GIN index keeps no positions, so its lexemes are every n-gram of
# two to NGRAM characters of each run: a word of up to NGRAM characters is then
# one lexeme whose presence proves the substring (no need to read the text),
# and a longer word is the AND of its NGRAM-grams, confirmed against the text.
NGRAM = 4


def ngrams(folded: str) -> set[str]:
    """Distinct substrings of 2..NGRAM characters of every run."""
    out: set[str] = set()
    for run in runs(folded):
        length = len(run)
        for size in range(2, NGRAM + 1):
            out.update(run[i : i + size] for i in range(length - size + 1))
    return out


def run_lexemes(run: str) -> list[str]:
    """The lexemes a query run needs: itself if short, else its NGRAM-grams."""
    if len(run) <= NGRAM:
        return [run]
    return [run[i : i + NGRAM] for i in range(len(run) - NGRAM + 1)]


def tsvector_literal(folded: str, extra=()) -> str:
    """A PostgreSQL tsvector literal of the distinct n-grams (no positions), plus ``extra``."""
    return " ".join(sorted(_lexeme(t) for t in ngrams(folded).union(extra)))


class QueryError(ValueError):
    """A search text we refuse, with a Chinese message for the user and a code for tests."""

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Query:
    """A parsed search: folded words that must all occur as substrings."""

    words: tuple[str, ...]

    @property
    def runs(self) -> list[list[str]]:
        """Per word, its runs of two or more letters/digits."""
        return [runs(word) for word in self.words]

    @staticmethod
    def needs_confirmation(word: str, *, phrases: bool) -> bool:
        """Whether the index alone cannot prove ``word`` occurs as a substring.

        With positions (SQLite FTS5), the phrase of the word's bigrams and
        separator tokens proves it unless it begins or ends with punctuation.
        Without positions (PostgreSQL) a single run of up to ``NGRAM``
        characters is proven by its one lexeme; anything else is confirmed
        against the folded text.
        """
        if phrases:
            return not word_phrase(word)[1]
        word_runs = runs(word)
        return not (len(word_runs) == 1 and word_runs[0] == word and len(word) <= NGRAM)

    def fts5_match(self) -> str:
        """FTS5 query: one phrase per word, all ANDed."""
        phrases = []
        for word in self.words:
            phrase = word_phrase(word)[0]
            if phrase not in phrases:
                phrases.append(phrase)
        return " AND ".join(phrases)

    def tsquery(self) -> str:
        """PostgreSQL tsquery: the lexemes of every run, ANDed (see ``run_lexemes``)."""
        seen = []
        for word_runs in self.runs:
            for run in word_runs:
                for gram in run_lexemes(run):
                    lexeme = _lexeme(gram)
                    if lexeme not in seen:
                        seen.append(lexeme)
        return " & ".join(seen)


def parse_query(raw: str | None) -> Query:
    """Validate and fold the user's search text; raise ``QueryError`` with a clear message."""
    text = _drop_control(raw or "").strip()
    if not text:
        raise QueryError(_("请输入要搜索的内容。"), code="empty")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("搜索内容太长了，请不要超过 %(max)s 个字。") % {"max": MAX_QUERY_LENGTH},
            code="too_long",
        )
    words: list[str] = []
    for word in fold(text).translate(_DOUBLE_QUOTES).split():
        word = word.strip(_EDGE_QUOTES)
        if word and word not in words:
            words.append(word)
    if not words:
        raise QueryError(_("请输入要搜索的内容。"), code="empty")
    if len(words) > MAX_WORDS:
        raise QueryError(
            _("关键词太多了，请不要超过 %(max)s 个（用空格分隔）。") % {"max": MAX_WORDS},
            code="too_many_words",
        )
    for word in words:
        if len(word) < 2 and word.isalnum():
            raise QueryError(
                _("“%(word)s”只有一个字，请至少输入两个字，例如“工匠”。") % {"word": word},
                code="too_short",
            )
        if not runs(word):
            raise QueryError(
                _("“%(word)s”中没有可搜索的文字，请输入至少两个连续的汉字、字母或数字。")
                % {"word": word},
                code="no_terms",
            )
    # A word contained in another adds nothing to an AND.
    words = [w for w in words if not any(w != other and w in other for other in words)]
    return Query(words=tuple(words))


def _spans(folded: str, words, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        pos = folded.find(word, start)
        while pos != -1 and pos < end:
            spans.append((pos, min(pos + len(word), end)))
            pos = folded.find(word, pos + 1)
    spans.sort()
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def highlight(display: str, words, *, folded: str | None = None, start=0, end=None) -> SafeString:
    """``display[start:end]`` escaped, with every occurrence of the words wrapped in <mark>.

    Matches are found in the folded text (same offsets); each piece of text is
    escaped on its own, so content can never open a tag and a query like "amp"
    can never split an entity.
    """
    if folded is None:
        folded = fold(display)
    end = len(display) if end is None else end
    out = []
    pos = start
    for a, b in _spans(folded, words, start, end):
        out.append(escape(display[pos:a]))
        out.append(f"<mark>{escape(display[a:b])}</mark>")
        pos = b
    out.append(escape(display[pos:end]))
    return mark_safe("".join(out).replace("\n", " "))


SNIPPET_WIDTH, SNIPPET_BEFORE = 120, 30


def snippet_window(first: int, *, width: int = SNIPPET_WIDTH, before: int = SNIPPET_BEFORE):
    """``(b, e)``: the part ``[b, e)`` of a text that its snippet can show, whatever the
    text's length, given the offset of its first match (-1: none). The results page
    reads only that much of each hit's text (views._hits), not the whole text."""
    return max(0, first - width), max(width, first + width - before)


def snippet(display: str, folded: str, words, *, width: int = 120, before: int = 30) -> SafeString:
    """A window of ``display`` around the first match, highlighted; the opening if none."""
    first = min((p for p in (folded.find(w) for w in words) if p != -1), default=-1)
    return snippet_of(display, folded, words, 0, len(display), first, width=width, before=before)


def _shown(length: int, first: int, width: int, before: int) -> tuple[int, int]:
    """``[start, end)``: what the snippet of a text ``length`` long shows, given its
    first match (-1: none): from ``before`` characters ahead of it, ``width`` long."""
    start = 0 if first < before else first - before
    end = min(length, start + width)
    if end - start < width:
        start = max(0, end - width)
    return start, end


def snippet_of(
    display: str,
    folded: str,
    words,
    offset: int,
    length: int,
    first: int,
    *,
    width: int = SNIPPET_WIDTH,
    before: int = SNIPPET_BEFORE,
) -> SafeString:
    """``snippet`` of a text of which only a part is at hand: ``display`` and ``folded``
    start at ``offset`` of the whole (``snippet_window``; ``folded`` reaching as many
    characters further as the longest word has, less one), which is ``length``
    characters long and first matches at ``first`` (-1: nowhere)."""
    start, end = _shown(length, first, width, before)
    body = highlight(display, words, folded=folded, start=start - offset, end=end - offset)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < length else ""
    return mark_safe(prefix + body + suffix)


# The results page matches its hits' titles and snippets without folding them: each
# character of a word becomes the class of every character that folds to it, and the
# pattern runs on the display text itself. ``fold`` translates character by
# character through a dict and cost about 40 µs a snippet, a sixth of a page's CPU
# with twenty hits (issue 11); the pattern finds the same spans in a fifth of that.
_SPECIAL_RE = re.compile("[&<>\"']")  # what html.escape changes
_patterns: dict[tuple[str, ...], re.Pattern] = {}
PATTERNS_KEPT = 256  # distinct queries' patterns per process; cleared whole beyond


@cache
def _sources() -> dict[str, str]:
    """Each character to the class of every character ``fold`` turns into it (itself
    included when it folds to itself), as a regular expression."""
    table = _fold_table()
    sources: dict[str, list[str]] = {}
    for code, folded in table.items():
        sources.setdefault(folded, []).append(chr(code))
    out = {}
    for folded, chars in sources.items():
        if ord(folded) not in table:
            chars.append(folded)
        out[folded] = "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"
    return out


def word_pattern(words) -> re.Pattern:
    """A pattern whose matches in a display text are where ``fold`` of it holds one of
    ``words`` (folded, as ``parse_query`` makes them): ``pattern.search(display, i)``
    finds what ``fold(display).find(word, i)`` would. A character that folds to
    something else (Ａ, ，) never stands for itself. Longer words first, so that where
    two match (one a prefix of the other: never in a parsed query) the match is the
    longer, as ``_spans`` merges them. Kept per ``words``."""
    words = tuple(words)
    pattern = _patterns.get(words)
    if pattern is None:
        sources, table = _sources(), _fold_table()
        alternatives = []
        for word in sorted(words, key=len, reverse=True):
            parts = []
            for char in word:
                if char in sources:
                    parts.append(sources[char])
                elif ord(char) in table:  # folds to something else: never matches
                    parts.append("(?!)")
                else:
                    parts.append(re.escape(char))
            alternatives.append("".join(parts))
        if len(_patterns) >= PATTERNS_KEPT:
            _patterns.clear()
        pattern = _patterns[words] = re.compile("|".join(alternatives))
    return pattern


def _pattern_spans(display: str, pattern: re.Pattern, start: int, end: int) -> list[list[int]]:
    """``_spans`` of ``display`` found by ``word_pattern``: the overlapping matches that
    start in ``[start, end)``, cut at ``end``, merged where they touch."""
    merged: list[list[int]] = []
    match = pattern.search(display, start)
    while match is not None:
        a = match.start()
        if a >= end:
            break
        b = min(match.end(), end)
        if merged and a <= merged[-1][1]:
            if b > merged[-1][1]:
                merged[-1][1] = b
        else:
            merged.append([a, b])
        match = pattern.search(display, a + 1)
    return merged


def highlight_matches(display: str, pattern: re.Pattern, start: int = 0, end=None) -> str:
    """``highlight(display, words, start=start, end=end)`` as text, for the pattern of
    ``words`` (``word_pattern``), without folding ``display``. A part with nothing
    ``html.escape`` would change is not escaped piece by piece."""
    end = len(display) if end is None else end
    spans = _pattern_spans(display, pattern, start, end)
    plain = _SPECIAL_RE.search(display, start, end) is None
    out = []
    pos = start
    for a, b in spans:
        if plain:
            out += (display[pos:a], "<mark>", display[a:b], "</mark>")
        else:
            out += (escape(display[pos:a]), "<mark>", escape(display[a:b]), "</mark>")
        pos = b
    out.append(display[pos:end] if plain else escape(display[pos:end]))
    return "".join(out).replace("\n", " ")


def snippet_matches(display: str, pattern: re.Pattern, offset: int, length: int, first: int) -> str:
    """``snippet_of`` as text, for the pattern of the words (``word_pattern``), without
    folding: ``display`` starts at ``offset`` of the whole text and reaches as many
    characters past the snippet's end as the longest word has, less one (or to the
    text's end), so that a match running past the end is found as in the folded text."""
    start, end = _shown(length, first, SNIPPET_WIDTH, SNIPPET_BEFORE)
    body = highlight_matches(display, pattern, start - offset, end - offset)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < length else ""
    return prefix + body + suffix
