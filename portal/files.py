"""Files in and out: the private store, upload checks, and download responses.

Every uploaded file (attachments, evidence, covers, generated PDFs) lives in the
private storage, which has no URL, under a generated name; the original name is
kept in a model field and sent back only through a download view that starts
from ``visible_to(user)`` (SECURITY.md).
"""

import hashlib
import io
import os
import posixpath
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _


def private_storage():
    """The private store (callable, so models do not freeze the setting in migrations)."""
    return storages["private"]


@deconstructible
class UploadTo:
    """``<prefix>/<yyyy>/<uuid><ext>``: never the user's own file name."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename):
        ext = os.path.splitext(filename)[1].lower()[:10]
        return posixpath.join(
            self.prefix, timezone.now().strftime("%Y"), f"{uuid.uuid4().hex}{ext}"
        )

    def __eq__(self, other):
        return isinstance(other, UploadTo) and other.prefix == self.prefix


@dataclass(frozen=True)
class FileKind:
    ext: str
    content_type: str
    magic: tuple[bytes, ...]


FILE_KINDS = {
    k.ext: k
    for k in [
        FileKind("pdf", "application/pdf", (b"%PDF-",)),
        FileKind(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (b"PK\x03\x04",),
        ),
        FileKind(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (b"PK\x03\x04",),
        ),
        FileKind(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (b"PK\x03\x04",),
        ),
        FileKind("doc", "application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
        FileKind("xls", "application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
        FileKind("jpg", "image/jpeg", (b"\xff\xd8\xff",)),
        FileKind("jpeg", "image/jpeg", (b"\xff\xd8\xff",)),
        FileKind("png", "image/png", (b"\x89PNG\r\n\x1a\n",)),
        FileKind("zip", "application/zip", (b"PK\x03\x04",)),
    ]
}

# Office Open XML files are zip archives: expected first entry names.
OOXML_MARKERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}

ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100


def check_zip(fileobj, *, marker: str | None = None) -> None:
    """Refuse zip bombs and path tricks before anything parses the archive."""
    pos = fileobj.tell() if hasattr(fileobj, "tell") else 0
    try:
        fileobj.seek(0)
        try:
            archive = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ValidationError(_("文件已损坏，无法打开。"), code="corrupt") from exc
        with archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES:
                raise ValidationError(_("文件包含的条目过多，已拒绝。"), code="zip_entries")
            total = 0
            for info in infos:
                name = info.filename
                if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                    raise ValidationError(_("文件包含不安全的路径，已拒绝。"), code="zip_path")
                total += info.file_size
                if info.compress_size and info.file_size / info.compress_size > ZIP_MAX_RATIO:
                    raise ValidationError(
                        _("文件压缩比异常（疑似压缩炸弹），已拒绝。"), code="zip_ratio"
                    )
                if info.file_size > 0 and info.compress_size == 0:
                    raise ValidationError(
                        _("文件压缩比异常（疑似压缩炸弹），已拒绝。"), code="zip_ratio"
                    )
            if total > ZIP_MAX_TOTAL:
                raise ValidationError(_("文件解压后过大，已拒绝。"), code="zip_total")
            if marker and not any(i.filename.startswith(marker) for i in infos):
                raise ValidationError(_("文件内容与扩展名不符。"), code="mismatch")
    finally:
        fileobj.seek(pos)


def validate_upload(uploaded, *, allowed: tuple[str, ...]) -> FileKind:
    """Check an uploaded file's size, extension and leading bytes; return its kind.

    Raises ValidationError with a Chinese message; nothing is stored by this check.
    """
    name = getattr(uploaded, "name", "") or ""
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in allowed or ext not in FILE_KINDS:
        raise ValidationError(
            _("不支持的文件类型“%(ext)s”，允许：%(allowed)s。")
            % {"ext": ext or "?", "allowed": "、".join(allowed)},
            code="file_type",
        )
    size = getattr(uploaded, "size", None)
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("文件过大（上限 %(mb)d MB）。") % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
            code="file_size",
        )
    if size == 0:
        raise ValidationError(_("文件为空。"), code="file_empty")
    kind = FILE_KINDS[ext]
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(m) for m in kind.magic):
        raise ValidationError(_("文件内容与扩展名“%(ext)s”不符。") % {"ext": ext}, code="mismatch")
    if ext in OOXML_MARKERS:
        check_zip(uploaded, marker=OOXML_MARKERS[ext])
    elif ext == "zip":
        check_zip(uploaded)
    elif ext in {"jpg", "jpeg", "png"}:
        check_image(uploaded)
    return kind


def check_image(uploaded) -> None:
    """Open the image with Pillow: refuses decompression bombs and broken files."""
    from PIL import Image

    uploaded.seek(0)
    try:
        with Image.open(uploaded) as img:
            img.verify()
    except Image.DecompressionBombError as exc:
        raise ValidationError(_("图片像素过多，已拒绝。"), code="image_bomb") from exc
    except Image.DecompressionBombWarning as exc:
        raise ValidationError(_("图片像素过多，已拒绝。"), code="image_bomb") from exc
    except Exception as exc:  # Pillow raises many types for broken files
        raise ValidationError(_("图片已损坏，无法打开。"), code="image_corrupt") from exc
    finally:
        uploaded.seek(0)


def strip_exif(uploaded, *, fmt: str) -> io.BytesIO:
    """A copy of the image without its metadata (EXIF, GPS), for storage.

    Pillow writes no EXIF or text chunks unless asked to, so re-encoding drops them.
    """
    from PIL import Image, ImageOps

    uploaded.seek(0)
    with Image.open(uploaded) as img:
        img = ImageOps.exif_transpose(img)
        if fmt.upper() == "JPEG" and img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        out = io.BytesIO()
        img.save(out, format=fmt)
    out.seek(0)
    return out


def sha256_of(fileobj) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def ascii_filename(filename: str) -> str:
    """An ASCII stand-in for ``filename`` (RFC 6266 ``filename=``), keeping digits and extension.

    e.g. ``市工投集团…简报2020年第四期.pdf`` → ``2020.pdf``; ``附件.docx`` → ``download.docx``.
    """
    stem, ext = os.path.splitext(filename)
    ext = re.sub(r"[^A-Za-z0-9.]", "", ext)[:10]
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")
    stem = re.sub(r"_+", "_", stem)[:80]
    return f"{stem or 'download'}{ext}"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``Content-Disposition`` with both names, for every client (RFC 6266 appendix D).

    ``filename="…"`` carries an ASCII fallback (what ``curl -OJ``, older Android
    download helpers and in-app browsers read), ``filename*=utf-8''…`` the real
    name percent-encoded (RFC 5987/8187), which browsers prefer.
    """
    kind = "inline" if inline else "attachment"
    fallback = ascii_filename(filename)
    if filename == fallback:
        return f'{kind}; filename="{fallback}"'
    return f"{kind}; filename=\"{fallback}\"; filename*=utf-8''{quote(filename, safe='')}"


def download_response(fileobj, *, filename: str, content_type: str, inline: bool = False):
    """Stream a private file as an attachment with its Chinese name (``content_disposition``)."""
    response = FileResponse(
        fileobj, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    if inline:
        response["Content-Security-Policy"] = "sandbox"
    return response
