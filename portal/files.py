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

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import FileResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext as _

from portal.text import one_line


class _PrivateStorage(LazyObject):
    """Stands for ``storages["private"]`` (as Django's ``default_storage`` does for its own).

    File fields get this object, so changing ``STORAGES`` (a test switching to
    S3, or back) takes effect without reloading the models.
    """

    def _setup(self):
        self._wrapped = storages["private"]


_PRIVATE = _PrivateStorage()


@receiver(setting_changed)
def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        _PRIVATE._wrapped = empty


def private_storage():
    """The private store (callable, so models do not freeze the setting in migrations)."""
    return _PRIVATE


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


def file_kind(name: str) -> FileKind | None:
    """The kind a file name's extension stands for (``None`` when the portal takes none)."""
    return FILE_KINDS.get(os.path.splitext(name or "")[1].lower().lstrip("."))


# Office Open XML files are zip archives: expected first entry names.
OOXML_MARKERS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}

ZIP_MAX_ENTRIES = 2000
ZIP_MAX_TOTAL = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Office files compress well: a styles.xml with 1,500 duplicate cell formats is
# 133:1 and a blank scanned page 217:1, both a few hundred KB inflated. The ratio
# only matters where inflating costs something, so it is checked from this size on.
ZIP_RATIO_FLOOR = 4 * 1024 * 1024


def check_zip(fileobj, *, marker: str | None = None) -> None:
    """Refuse zip bombs and path tricks before anything parses the archive.

    Reads only the central directory (fast whatever the archive inflates to).
    Refuses: more than ``ZIP_MAX_ENTRIES`` entries, more than ``ZIP_MAX_TOTAL``
    bytes inflated in all, an entry over ``ZIP_RATIO_FLOOR`` bytes inflated that
    compresses more than ``ZIP_MAX_RATIO``:1, absolute or ``..`` entry names, and
    (with ``marker``) an archive without an entry under that folder. Python's
    zipfile never inflates an entry past the size its directory declares, so the
    declared sizes bound what a parser reads. Raises ValidationError (Chinese
    message, ``code``).
    """
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
                if info.file_size > ZIP_RATIO_FLOOR and (
                    info.compress_size == 0 or info.file_size / info.compress_size > ZIP_MAX_RATIO
                ):
                    raise ValidationError(
                        _("文件压缩比异常（疑似压缩炸弹），已拒绝。"), code="zip_ratio"
                    )
            if total > ZIP_MAX_TOTAL:
                raise ValidationError(_("文件解压后过大，已拒绝。"), code="zip_total")
            if marker and not any(i.filename.startswith(marker) for i in infos):
                raise ValidationError(_("文件内容与扩展名不符。"), code="mismatch")
    finally:
        fileobj.seek(pos)


# Longer original names are shortened (the extension kept), never refused.
NAME_MAX = 100


def upload_name(name: str) -> str:
    """The name to keep for an uploaded file: no folders, no control characters,
    at most ``NAME_MAX`` characters with the extension kept (``很长的名称…报告.pdf``)."""
    name = one_line(posixpath.basename((name or "").replace("\\", "/"))).strip() or "file"
    if len(name) <= NAME_MAX:
        return name
    stem, ext = os.path.splitext(name)
    if len(ext) > 10:  # not a real extension
        stem, ext = name, ""
    return stem[: NAME_MAX - len(ext) - 1] + "…" + ext


def validate_upload(uploaded, *, allowed: tuple[str, ...]) -> FileKind:
    """Check an uploaded file's size, extension and leading bytes; return its kind.

    The one check of every upload (attachments, evidence, covers, official PDFs,
    Word and Excel imports; ``UploadField`` runs it in forms): the extension must
    be in ``allowed`` and match the leading bytes; .docx/.xlsx/.pptx/.zip pass
    ``check_zip``, pictures ``check_image``. Raises ValidationError with a Chinese
    message and a ``code``; nothing is stored by this check.
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


def check_upload(uploaded, *, allowed: tuple[str, ...]) -> FileKind:
    """``validate_upload``, its refusal naming the file: 文件“报告.pdf”：文件为空。

    Same ``code`` as ``validate_upload``'s; what forms and services that take
    several files show, so a person knows which file was refused.
    """
    try:
        return validate_upload(uploaded, allowed=allowed)
    except ValidationError as exc:
        raise ValidationError(
            _("文件“%(name)s”：%(reason)s")
            % {"name": upload_name(uploaded.name), "reason": " ".join(exc.messages)},
            code=exc.code or "file",
        ) from exc


def check_image(uploaded) -> None:
    """Open the image with Pillow: refuse pictures over ``Image.MAX_IMAGE_PIXELS``
    (decompression bombs; counted from the header, not left to Pillow's warning)
    and broken files. Raises ValidationError ``image_bomb`` or ``image_corrupt``."""
    from PIL import Image

    uploaded.seek(0)
    try:
        with Image.open(uploaded) as img:
            width, height = img.size
            if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
                raise Image.DecompressionBombError(f"{width}x{height}")
            img.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("图片像素过多，已拒绝。"), code="image_bomb") from exc
    except Exception as exc:  # Pillow raises many types for broken files
        raise ValidationError(_("图片已损坏，无法打开。"), code="image_corrupt") from exc
    finally:
        uploaded.seek(0)


class UploadField(forms.FileField):
    """The form field of every upload: ``validate_upload`` with the types in ``allowed``.

    The same file gets the same answer on every form (a cover is not checked by
    Django's ImageField with its generic message). The original name is kept
    through ``upload_name`` (shortened, never refused for its length); an empty
    file gets ``validate_upload``'s message. For ModelForms:
    ``Meta.field_classes = {"file": partial(UploadField, allowed=(...))}``.
    """

    def __init__(self, *, allowed: tuple[str, ...], max_length=None, **kwargs):
        self.allowed = tuple(allowed)
        kwargs.setdefault("allow_empty_file", True)
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": ",".join(f".{e}" for e in allowed)})
        )
        super().__init__(**kwargs)  # max_length (the stored path's) does not limit the name

    def to_python(self, data):
        data = super().to_python(data)
        if data is None:
            return None
        data.name = upload_name(data.name)
        check_upload(data, allowed=self.allowed)
        return data


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


def storable_copy(uploaded, kind: FileKind):
    """What to store of a checked upload: pictures re-encoded without their EXIF (GPS,
    device) data, anything else the upload itself, rewound."""
    from django.core.files.base import ContentFile

    if kind.ext in {"jpg", "jpeg", "png"}:
        return ContentFile(strip_exif(uploaded, fmt="PNG" if kind.ext == "png" else "JPEG").read())
    uploaded.seek(0)
    return uploaded


def check_uploads(files, *, allowed: tuple[str, ...], limit: int) -> list:
    """Check every file of one write before anything is stored: ``[(file, FileKind)]``.

    ``files``: uploaded files (empty entries skipped). More than ``limit`` raise
    ``ValidationError`` (code ``too_many_files``); each file is ``check_upload``ed
    (its refusal names the file). Nothing is stored either way.
    """
    files = [f for f in files or () if f]
    if len(files) > limit:
        raise ValidationError(
            _("一次最多上传 %(n)d 个文件。") % {"n": limit}, code="too_many_files"
        )
    return [(f, check_upload(f, allowed=allowed)) for f in files]


def store_uploads(checked, make_row, stored: list) -> None:
    """Store files ``check_uploads`` accepted, one row each, in the private store.

    ``make_row(original_name=, content_type=, size=, sha256=)`` returns the unsaved
    row (a model with a ``file`` field). Pictures lose their EXIF data; the digest is
    the upload's own. Each stored name goes to ``stored`` (``atomic_with_files``), so
    a failure later in the transaction removes the files.
    """
    for f, kind in checked:
        digest = sha256_of(f)
        content = storable_copy(f, kind)
        row = make_row(
            original_name=upload_name(f.name),
            content_type=kind.content_type,
            size=f.size,
            sha256=digest,
        )
        row.file.save(f.name, content, save=False)
        stored.append(row.file.name)
        row.save()


def atomic_with_files(fn):
    """Run ``fn(stored)`` in one transaction; ``fn`` appends the names of the files it
    writes to the private store to ``stored``. If the transaction fails, the files
    written inside it are deleted (``portal.storage.tracking``, which also covers a
    failure after ``fn`` returns): a refused or failed write leaves no row and no file."""
    from django.db import transaction

    from portal.storage.tracking import tracked_writes

    stored: list[str] = []
    with tracked_writes(), transaction.atomic():
        return fn(stored)


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
    # No filename for FileResponse: its own Content-Disposition would be replaced.
    response = FileResponse(fileobj, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    if inline:
        response["Content-Security-Policy"] = "sandbox"
    return response
