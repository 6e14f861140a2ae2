"""Word import: a .docx becomes an article body (headings, paragraphs, tables, pictures).

Two steps, so a refused file leaves nothing behind: ``read_docx`` checks and
converts the upload in memory (zip-bomb and path checks, every XML part parsed
with defusedxml, mammoth with external files off) and raises a ValidationError
with a Chinese message for anything wrong; ``ImportedDocument.store`` then saves
the pictures as inline attachments of the issue (private storage) and returns
the sanitised body that points at them (SECURITY.md, "Files in", "Content out").
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
from PIL import Image

from portal.files import sha256_of, strip_exif, validate_upload

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

MAX_XML_PART = 30 * 1024 * 1024
MAX_IMAGES = 200
MAX_IMAGE_BYTES = 20 * 1024 * 1024
# Formats kept as they are; other formats Pillow reads (GIF, BMP, TIFF, WebP) become PNG.
KEEP_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}
CONVERTIBLE = {"GIF", "BMP", "TIFF", "WEBP"}

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
    skipped_images: int = 0

    def store(self, *, issue) -> str:
        """Save the pictures as inline attachments of ``issue``; return the body HTML.

        Call inside the transaction that saves the article: the rows roll back
        with it, and files written before a failure here are removed.
        """
        from .models import Attachment

        saved = []
        html = self.html
        try:
            for number, image in enumerate(self.images, start=1):
                attachment = Attachment(
                    issue=issue,
                    order=0,
                    title=image.alt[:200] or _("正文插图%(n)d") % {"n": number},
                    original_name=f"image{number}.{image.ext}",
                    size=len(image.data),
                    content_type=image.content_type,
                    is_inline=True,
                )
                content = ContentFile(image.data, name=f"image{number}.{image.ext}")
                attachment.sha256 = sha256_of(content)
                attachment.file.save(content.name, content, save=False)
                saved.append(attachment.file.name)
                attachment.save()
                html = html.replace(f'src="{image.token}"', f'src="{_image_url(attachment)}"')
        except Exception:
            from portal.files import private_storage

            for name in saved:
                private_storage().delete(name)
            raise
        return sanitize_html(html)


def _image_url(attachment) -> str:
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


class _ImageCollector:
    """mammoth's ``convert_image``: keep each picture in memory, checked and re-encoded."""

    def __init__(self):
        self.prefix = f"docx-image-{secrets.token_hex(6)}-"
        self.images: list[ImportedImage] = []
        self.skipped = 0

    def __call__(self, image):
        if len(self.images) >= MAX_IMAGES:
            _refuse(
                _("Word 文件中的图片过多（上限 %(n)d 张）。") % {"n": MAX_IMAGES}, "docx_images"
            )
        try:
            with image.open() as stream:
                data = stream.read(MAX_IMAGE_BYTES + 1)
        except Exception:  # external (linked) pictures are not read: skip them
            self.skipped += 1
            return []
        if len(data) > MAX_IMAGE_BYTES:
            _refuse(_("Word 文件中的图片过大（单张上限 20 MB）。"), "docx_image_size")
        kept = self._reencode(data)
        if kept is None:
            self.skipped += 1
            return []
        out, ext, content_type = kept
        token = f"{self.prefix}{len(self.images)}"
        alt = (image.alt_text or "").strip()
        self.images.append(ImportedImage(token, out, ext, content_type, alt))
        return [mammoth.html.element("img", {"src": token, "alt": alt})]

    @staticmethod
    def _reencode(data: bytes):
        """(bytes without metadata, ext, content type), None for formats we cannot show."""
        try:
            with Image.open(io.BytesIO(data)) as img:
                fmt = img.format
                width, height = img.size
                img.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            _refuse(_("Word 文件中的图片像素过多，已拒绝。"), "image_bomb", exc)
        except Exception:  # EMF/WMF and broken pictures: Pillow cannot read them
            return None
        if width * height > (Image.MAX_IMAGE_PIXELS or 0) > 0:
            _refuse(_("Word 文件中的图片像素过多，已拒绝。"), "image_bomb")
        if fmt in KEEP_FORMATS:
            ext, content_type = KEEP_FORMATS[fmt]
            out_fmt = fmt
        elif fmt in CONVERTIBLE:
            ext, content_type, out_fmt = "png", "image/png", "PNG"
        else:
            return None
        try:
            out = strip_exif(io.BytesIO(data), fmt=out_fmt).getvalue()
        except Exception:
            return None
        return out, ext, content_type


def read_docx(uploaded) -> ImportedDocument:
    """Check and convert an uploaded .docx; nothing is stored.

    Raises ValidationError (Chinese message, ``code``) for a file that is not a
    safe, readable Word document: wrong type, zip bomb, unsafe paths, DTDs or
    entities, broken XML, oversized or bomb pictures.
    """
    validate_upload(uploaded, allowed=("docx",))
    _check_xml_parts(uploaded)
    collector = _ImageCollector()
    uploaded.seek(0)
    try:
        result = mammoth.convert_to_html(
            uploaded,
            style_map=STYLE_MAP,
            convert_image=collector,
            include_embedded_style_map=False,
            external_file_access=False,
        )
    except ValidationError:
        raise
    except Exception as exc:  # mammoth raises many types on malformed documents
        logger.warning("Word import failed: %r", exc)
        _refuse(_("无法读取该 Word 文件，请在 Word 中另存为 .docx 后重试。"), "docx_parse", exc)
    finally:
        uploaded.seek(0)
    html = _numbered_headings(result.value)
    title = ""
    first_h1 = re.match(r"\s*<h1>(.*?)</h1>", html, flags=re.S)
    if first_h1:
        title = strip_tags(first_h1.group(1)).strip()
        html = html[first_h1.end() :]
    # Keep the picture placeholders (they are relative URLs, which nh3 keeps);
    # everything else is cleaned now, and again when the body is saved.
    html = sanitize_html(html)
    if not html and not title:
        _refuse(_("Word 文件中没有可导入的内容。"), "docx_empty")
    return ImportedDocument(
        title=title[:200], html=html, images=collector.images, skipped_images=collector.skipped
    )


def import_docx(*, uploaded, issue) -> ImportedDocument:
    """Read a .docx and store its pictures for ``issue``; ``doc.html`` is the body to save."""
    doc = read_docx(uploaded)
    doc.html = doc.store(issue=issue)
    return doc
