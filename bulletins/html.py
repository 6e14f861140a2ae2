"""Rich text of articles and meeting records: the nh3 sanitiser and the field that applies it.

Every stored rich text (``Article.body``, ``Meeting.key_points``,
``AgendaItem.body``) is a ``RichTextField``; the field cleans the HTML on every
write path (``save()``, ``bulk_create()``, ``QuerySet.update()``), so no writer can
store a script (SECURITY.md, "Content out").
"""

import re
from html import unescape

import nh3
from django.db import models
from django.utils.html import escape, linebreaks

from portal.text import normalize_text

ALLOWED_TAGS = {
    *(f"h{level}" for level in range(1, 7)),
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "a",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "p": {"id"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "ol": {"start"},
}
# The only ids kept: a Word footnote or endnote and its reference, prefixed per
# import (bulletins/docx_import.py) so two articles on one page cannot collide and
# no text can take an id the page itself uses.
NOTE_ID = re.compile(r"^fn[0-9a-f]{8}-(?:foot|end)note(?:-ref)?-\d{1,5}$")


def _attribute_filter(element, attribute, value):
    if attribute == "id":
        return value if NOTE_ID.match(value) else None
    return value


# Relative URLs pass through (nh3's default), so article pictures served at
# /bulletins/<issue>/images/<pk>/ survive; data: and javascript: do not.
URL_SCHEMES = {"http", "https", "mailto"}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
    attribute_filter=_attribute_filter,
)

# Anything that starts a tag or a comment: text without one is plain text.
_LOOKS_LIKE_HTML = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|/[a-zA-Z]|!--)")

# What the editor leaves behind when the text is cleared: "<p></p>", "<p><br></p>".
_EMPTY = re.compile(r"^(?:<(?P<tag>p|h[1-6])>\s*(?:<br>)?\s*</(?P=tag)>\s*)*$")


def sanitize_html(html: str | None) -> str:
    """Clean rich text for storage: allowed tags and attributes only, safe URL schemes.

    Control characters are resolved first (``normalize_text``). Idempotent
    (cleaning clean HTML changes nothing); an editor's empty
    paragraph becomes "". Plain text (no tags at all, e.g. from a script or a
    fixture) becomes escaped paragraphs, so what is stored is always HTML.
    """
    if not html or not str(html).strip():
        return ""
    # Word's soft returns and other control characters (portal/text.py).
    html = normalize_text(str(html))
    if not _LOOKS_LIKE_HTML.search(html):
        # Plain text (an import, a script): blank lines make paragraphs.
        html = linebreaks(escape(html))
    cleaned = _cleaner.clean(html).strip()
    if _EMPTY.match(cleaned):
        return ""
    return cleaned


_MEDIA = re.compile(r"<(?:img|table)\b", re.I)


def has_content(html: str | None) -> bool:
    """Whether rich text shows anything: text, a picture or a table (not only empty tags)."""
    if not html:
        return False
    if _MEDIA.search(html):
        return True
    return bool(_SPACE.sub("", unescape(_TAGS.sub("", html)).replace("\xa0", "")))


_FIRST_BLOCK = re.compile(r"^\s*<(h[1-6]|p)(?:\s[^>]*)?>(.*?)</\1>\s*", re.S)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def without_repeated_title(html: str, title: str) -> str:
    """``html`` without its first heading or paragraph when that only repeats ``title``.

    Word files often open with the article's title; the page and the PDF print the
    title themselves (bulletins/pdf_html.py drops it the same way).
    """
    match = _FIRST_BLOCK.match(html or "")
    if not match or not title:
        return html
    first = _SPACE.sub("", unescape(_TAGS.sub("", match.group(2))))
    return html[match.end() :] if first and first == _SPACE.sub("", title) else html


# Dates, numbers with hyphens or slashes and codes (2020-09-30, GB/T 9704-2012):
# browsers break after a hyphen, and a table cell on a phone shrinks to
# 202/0-/09-/30. Wrapped in a span that table cells keep on one line (CSS .nobr).
_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.:_]*(?:[-/][0-9A-Za-z.:_]+| (?=\d)[0-9A-Za-z.:_]+)+")
_TEXT_NODE = re.compile(r">([^<]+)<")


def codes_whole(html: str) -> str:
    """``html`` with each date, hyphenated number or code in its text kept on one line."""

    def wrap(match):
        code = match.group(0)
        return f'<span class="nobr">{code}</span>' if len(code) <= 24 else code

    return _TEXT_NODE.sub(lambda m: f">{_CODE.sub(wrap, m.group(1))}<", html)


def page_html(text: str | None) -> str:
    """Stored rich text as a page shows it: cleaned once more, codes kept whole.

    Bodies are sanitised (nh3) before they are stored; cleaning again on the
    way to a page keeps a row written around the models from reaching one.
    """
    return codes_whole(sanitize_html(text))


def article_html(body: str | None, title: str) -> str:
    """An article's body as the issue page shows it (``page_html``), without a first
    paragraph that only repeats its title: what ``IssueReading`` stores."""
    return page_html(without_repeated_title(body, title))


# The rich-text editor's toolbar (django-prose-editor, bundled ProseMirror/Tiptap):
# the same vocabulary as the sanitiser, so what the editor makes is what is stored.
EDITOR_EXTENSIONS = {
    "Heading": {"levels": [1, 2, 3, 4, 5, 6]},
    "Bold": True,
    "Italic": True,
    "Underline": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
    "HTML": True,
}


class RichTextField(models.TextField):
    """A TextField whose value is always stored sanitised, edited with the rich-text editor."""

    def pre_save(self, model_instance, add):
        # save() and bulk_create(): clean, and keep the instance in step with the row.
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        # QuerySet.update() and bulk_update() skip pre_save(); they still pass here.
        value = super().get_prep_value(value)
        return value if value is None else sanitize_html(value)

    def formfield(self, **kwargs):
        from .editor_field import RichTextFormField

        defaults = {
            "form_class": RichTextFormField,
            "config": {"extensions": dict(EDITOR_EXTENSIONS)},
            "preset": "configurable",
            "sanitize": sanitize_html,
        }
        return super().formfield(**{**defaults, **kwargs})

    def deconstruct(self):
        # Stored as plain text: migrations (and the history tables) need no change.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs
