"""Word import: a .docx becomes an article body (headings, paragraphs, tables, pictures).

Two steps, so a refused file leaves nothing behind: ``read_docx`` checks and
converts the upload in memory (zip-bomb and path checks, every XML part parsed
with defusedxml, mammoth with external files off) and raises a ValidationError
with a Chinese message for anything wrong; ``ImportedDocument.store`` then saves
the pictures as inline attachments of the issue (private storage) and returns
the sanitised body that points at them (SECURITY.md, "Files in", "Content out").

What is read, and how (README, "Word import"): Word's automatic numbering as the
numbers Word shows, official heading levels from it (bulletins/docx_xml.py); the
title from the Title style, a first heading or a centred bold or large first
paragraph, taken out of the body; footnotes and endnotes at the end of the body,
linked both ways; pictures in any format as RGB PNG or JPEG
(bulletins/docx_images.py).
"""

import io
import logging
import re
import secrets
import zipfile
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

import mammoth
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from portal.files import sha256_of, validate_upload
from portal.text import normalize_text

from .docx_images import NotConvertible, convert_picture
from .docx_xml import HEADING_STYLES, TITLE_STYLE, prepare_document
from .html import sanitize_html

logger = logging.getLogger(__name__)

# Word's heading styles (English and Chinese names; mammoth compares them
# case-insensitively): the article title is the page's h1, so Heading 1 → h2.
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='标题'] => h1:fresh
p[style-name='Heading 1'] => h2:fresh
p[style-name='标题 1'] => h2:fresh
p[style-name='Heading 2'] => h3:fresh
p[style-name='标题 2'] => h3:fresh
p[style-name='Heading 3'] => h4:fresh
p[style-name='标题 3'] => h4:fresh
p[style-name='Heading 4'] => h5:fresh
p[style-name='标题 4'] => h5:fresh
"""
# Paragraphs bulletins/docx_xml.py marked: the title, and the official heading levels
# of automatic numbering (一、 → h2, （一） → h3, 1. → h4, (1) → h5).
STYLE_MAP += f"p.{TITLE_STYLE} => h1:fresh\n" + "".join(
    f"p.{style} => h{level + 1}:fresh\n" for level, style in HEADING_STYLES.items()
)

MAX_XML_PART = 30 * 1024 * 1024
MAX_IMAGES = 200
MAX_IMAGE_BYTES = 20 * 1024 * 1024

CHINESE_DIGITS = "一二三四五六七八九十"
# Heading numbering of Chinese official documents (DESIGN.md, "The official
# format"): 一、 level one, （一） level two. Only short paragraphs count: a long
# paragraph that starts "一、…" is text.
HEADING_PATTERNS = [
    (re.compile(rf"^[{CHINESE_DIGITS}]+、"), 2),
    (re.compile(rf"^[（(][{CHINESE_DIGITS}]+[）)]"), 3),
]
HEADING_MAX_CHARS = 60


def heading_level(text: str) -> int | None:
    """2 for "一、…", 3 for "（一）…" when the line is short enough to be a heading."""
    text = text.strip()
    if not text or len(text) > HEADING_MAX_CHARS:
        return None
    for pattern, level in HEADING_PATTERNS:
        if pattern.match(text):
            return level
    return None


_PLAIN_PARAGRAPH = re.compile(r"<p>((?:<strong>)?[^<]*(?:</strong>)?)</p>")


def _numbered_headings(html: str) -> str:
    """Unstyled paragraphs numbered 一、 / （一） become h2 / h3 headings."""

    def replace(match):
        inner = match.group(1)
        level = heading_level(strip_tags(inner))
        if level is None:
            return match.group(0)
        return f"<h{level}>{strip_tags(inner)}</h{level}>"

    return _PLAIN_PARAGRAPH.sub(replace, html)


@dataclass
class ImportedImage:
    token: str
    data: bytes
    ext: str
    content_type: str
    alt: str


@dataclass
class ImportedDocument:
    """A converted Word file, not stored yet."""

    title: str
    html: str
    images: list[ImportedImage] = field(default_factory=list)
    # Pictures left out, named for the office: "第2张图片（EMF）".
    skipped: list[str] = field(default_factory=list)

    def skipped_message(self) -> str:
        """The warning naming each picture left out ("" when none was)."""
        if not self.skipped:
            return ""
        return _(
            "%(pictures)s无法转换，未导入；请在 Word 中将其另存为 PNG 或 JPEG 后重新插入。"
        ) % {"pictures": "、".join(self.skipped)}

    def store(self, *, issue) -> str:
        """Save the pictures as inline attachments of ``issue``; return the body HTML.

        Call inside the transaction that saves the article: the rows roll back
        with it, and files written before a failure here are removed.
        """
        from .models import Attachment

        def save(number, image, content):
            attachment = Attachment(
                issue=issue,
                order=0,
                title=image.alt[:200] or _("正文插图%(n)d") % {"n": number},
                original_name=content.name,
                size=len(image.data),
                content_type=image.content_type,
                is_inline=True,
            )
            attachment.sha256 = sha256_of(content)
            attachment.file.save(content.name, content, save=False)
            return attachment

        return self.store_with(save, inline_image_url)

    def store_with(self, make, url) -> str:
        """Store each picture as the row ``make(number, image, content)`` returns (unsaved,
        its file written); return the sanitised body pointing at each saved ``url(row)``.

        What ``store`` does for an issue, for any owner of inline pictures (a unit's
        信息 keeps them as its own files). Rows are saved here; files written before a
        failure are removed and the error raised again.
        """
        from portal.files import private_storage

        saved = []
        html = self.html
        try:
            for number, image in enumerate(self.images, start=1):
                content = ContentFile(image.data, name=f"image{number}.{image.ext}")
                row = make(number, image, content)
                saved.append(row.file.name)
                row.save()
                html = html.replace(f'src="{image.token}"', f'src="{url(row)}"')
        except Exception:
            for name in saved:
                private_storage().delete(name)
            raise
        return sanitize_html(html)


def inline_image_url(attachment) -> str:
    """Where an issue's inline picture (an ``Attachment`` with ``is_inline``) is served."""
    return reverse("bulletins:attachment_image", args=[attachment.issue_id, attachment.pk])


def _refuse(message, code, exc=None):
    error = ValidationError(message, code=code)
    if exc is not None:
        raise error from exc
    raise error


def _check_xml_parts(uploaded) -> None:
    """Parse every XML part with defusedxml: no DTDs, entities or external references."""
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "word/document.xml" not in names:
                _refuse(_("这不是有效的 Word（.docx）文件：缺少正文。"), "docx_not_word")
            for info in archive.infolist():
                if not info.filename.endswith((".xml", ".rels")):
                    continue
                if info.file_size > MAX_XML_PART:
                    _refuse(_("Word 文件的正文过大，无法导入。"), "docx_too_large")
                data = archive.read(info)
                defused_fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        _refuse(_("Word 文件包含不安全的 XML 内容（DTD 或实体），已拒绝。"), "docx_unsafe_xml", exc)
    except ParseError as exc:
        _refuse(_("Word 文件内容已损坏（XML 格式错误），无法导入。"), "docx_corrupt", exc)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
        # RuntimeError: encrypted entries; ValueError/EOFError: truncated archives.
        _refuse(_("Word 文件已损坏，无法打开。"), "docx_corrupt", exc)
    finally:
        uploaded.seek(0)


def _picture_label(number: int, kind: str) -> str:
    return _("第%(n)d张图片（%(kind)s）") % {"n": number, "kind": kind}


class _ImageCollector:
    """mammoth's ``convert_image``: keep each picture in memory, checked and re-encoded."""

    def __init__(self):
        self.prefix = f"docx-image-{secrets.token_hex(6)}-"
        self.images: list[ImportedImage] = []
        self.skipped: list[str] = []
        self.count = 0

    def __call__(self, image):
        self.count += 1
        if len(self.images) >= MAX_IMAGES:
            _refuse(
                _("Word 文件中的图片过多（上限 %(n)d 张）。") % {"n": MAX_IMAGES}, "docx_images"
            )
        try:
            with image.open() as stream:
                data = stream.read(MAX_IMAGE_BYTES + 1)
        except Exception:  # a linked picture (outside the file) is not read
            self.skipped.append(_picture_label(self.count, _("链接的外部图片")))
            return []
        if len(data) > MAX_IMAGE_BYTES:
            _refuse(
                _("Word 文件第%(n)d张图片过大（单张上限 20 MB）。") % {"n": self.count},
                "docx_image_size",
            )
        try:
            picture = convert_picture(data)
        except ValidationError as exc:  # too many pixels: the same message as any upload
            _refuse(
                _("Word 文件第%(n)d张图片：%(reason)s")
                % {"n": self.count, "reason": " ".join(exc.messages)},
                exc.code,
                exc,
            )
        except NotConvertible as exc:
            self.skipped.append(_picture_label(self.count, exc.kind))
            return []
        token = f"{self.prefix}{len(self.images)}"
        alt = (image.alt_text or "").strip()
        self.images.append(
            ImportedImage(token, picture.data, picture.ext, picture.content_type, alt)
        )
        return [mammoth.html.element("img", {"src": token, "alt": alt})]


# --- footnotes and endnotes ------------------------------------------------------------

_BACK_LINK = r'\s*<a href="#{prefix}(?:foot|end)note-ref-\d+">↑</a>'


def _notes(html: str, prefix: str) -> str:
    """Footnotes and endnotes as paragraphs at the end of the body: "[1] 数据来源……".

    mammoth writes them as a closing ``<ol>`` whose items end with a "↑" back link
    (printed as a stray arrow in the PDF). Each note becomes a paragraph opening
    with the same "[1]" as its reference in the text, the two linking to each
    other; the ids carry ``prefix`` so notes of two articles on one page cannot
    collide (bulletins/html.py keeps only such ids).
    """
    p = re.escape(prefix)
    start = html.rfind(f'<ol><li id="{prefix}')
    if start < 0:
        return html
    end = html.rfind("</ol>")
    if end < start:
        return html
    labels = dict(
        re.findall(rf'<a href="#({p}(?:foot|end)note-\d+)" id="[^"]*">([^<]*)</a>', html[:start])
    )
    notes = []
    for chunk in re.split(rf'(?=<li id="{p})', html[start + len("<ol>") : end]):
        match = re.match(rf'<li id="({p}(foot|end)note-(\d+))">(.*)</li>\s*$', chunk, re.S)
        if not match:
            continue
        note_id, kind, number, body = match.groups()
        body = re.sub(_BACK_LINK.format(prefix=p), "", body)
        label = labels.get(note_id, f"[{number}]")
        link = f'<a href="#{prefix}{kind}note-ref-{number}">{label}</a> '
        if body.startswith("<p>"):
            notes.append(f'<p id="{note_id}">{link}{body[len("<p>") :]}')
        else:
            notes.append(f'<p id="{note_id}">{link}</p>{body}')
    return html[:start] + "<hr>" + "".join(notes) + html[end + len("</ol>") :]


# --- the document ------------------------------------------------------------------------


def _prepared_docx(uploaded) -> tuple[io.BytesIO, bool]:
    """The .docx with document.xml prepared by bulletins/docx_xml.py (numbers as text,
    headings and title marked), as a new in-memory file for mammoth; and whether a
    title paragraph was found."""
    uploaded.seek(0)
    with zipfile.ZipFile(uploaded) as source:
        names = set(source.namelist())

        def part(name):
            return source.read(name) if name in names else None

        document, prepared = prepare_document(
            part("word/document.xml"),
            numbering_xml=part("word/numbering.xml"),
            styles_xml=part("word/styles.xml"),
        )
        out = io.BytesIO()
        # Stored, not deflated: mammoth reads it once, straight from memory.
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
            for info in source.infolist():
                if info.filename == "word/document.xml":
                    copy.writestr(info.filename, document)
                else:
                    copy.writestr(info.filename, source.read(info))
    out.seek(0)
    return out, prepared.title


def read_docx(uploaded) -> ImportedDocument:
    """Check and convert an uploaded .docx; nothing is stored.

    Raises ValidationError (Chinese message, ``code``) for a file that is not a
    safe, readable Word document: wrong type, zip bomb, unsafe paths, DTDs or
    entities, broken XML, oversized or bomb pictures. Pictures that cannot be
    converted are left out and named in ``skipped``.
    """
    validate_upload(uploaded, allowed=("docx",))
    _check_xml_parts(uploaded)
    collector = _ImageCollector()
    note_prefix = f"fn{secrets.token_hex(4)}-"
    try:
        prepared, _has_title = _prepared_docx(uploaded)
        result = mammoth.convert_to_html(
            prepared,
            style_map=STYLE_MAP,
            convert_image=collector,
            include_embedded_style_map=False,
            external_file_access=False,
            id_prefix=note_prefix,
        )
    except ValidationError:
        raise
    except Exception as exc:  # mammoth raises many types on malformed documents
        logger.warning("Word import failed: %r", exc)
        _refuse(_("无法读取该 Word 文件，请在 Word 中另存为 .docx 后重试。"), "docx_parse", exc)
    finally:
        uploaded.seek(0)
    html = _numbered_headings(_notes(result.value, note_prefix))
    title = ""
    first_h1 = re.match(r"\s*<h1>(.*?)</h1>", html, flags=re.S)
    if first_h1:
        title = normalize_text(strip_tags(first_h1.group(1))).strip()
        title = re.sub(r"\s+", " ", title)
        html = html[first_h1.end() :]
    # Keep the picture placeholders (they are relative URLs, which nh3 keeps);
    # everything else is cleaned now, and again when the body is saved.
    html = sanitize_html(html)
    if not html and not title:
        _refuse(_("Word 文件中没有可导入的内容。"), "docx_empty")
    return ImportedDocument(
        title=title[:200], html=html, images=collector.images, skipped=collector.skipped
    )


def import_docx(*, uploaded, issue) -> ImportedDocument:
    """Read a .docx and store its pictures for ``issue``; ``doc.html`` is the body to save."""
    doc = read_docx(uploaded)
    doc.html = doc.store(issue=issue)
    return doc
