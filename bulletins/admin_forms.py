"""Forms of the office's admin: upload checks, cover thumbnails and Word import."""

import io
import os
from functools import partial

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.forms import BoundField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image

from portal.files import UploadField, file_kind, sha256_of, strip_exif

from .docx_import import read_docx
from .html import without_repeated_title
from .models import Article, Attachment, Issue

ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "doc", "xls", "pptx", "jpg", "jpeg", "png", "zip")
COVER_TYPES = ("jpg", "jpeg", "png")
THUMBNAIL_SIZE = (360, 480)


def _is_new_upload(value) -> bool:
    return isinstance(value, UploadedFile)


def process_cover(uploaded) -> tuple[ContentFile, ContentFile]:
    """The cover without its metadata (EXIF, GPS) and a thumbnail, both made by Pillow.

    ``uploaded`` has passed ``validate_upload`` (its ``UploadField``): a picture
    within the pixel limit.
    """
    ext = os.path.splitext(uploaded.name)[1].lower().lstrip(".")
    fmt, ext = ("JPEG", "jpg") if ext in ("jpg", "jpeg") else ("PNG", "png")
    clean = strip_exif(uploaded, fmt=fmt)
    with Image.open(clean) as img:
        img.load()
        thumb = img.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    if fmt == "JPEG" and thumb.mode not in ("RGB", "L"):
        thumb = thumb.convert("RGB")
    out = io.BytesIO()
    thumb.save(out, format=fmt)
    return (
        ContentFile(clean.getvalue(), name=f"cover.{ext}"),
        ContentFile(out.getvalue(), name=f"cover-thumb.{ext}"),
    )


class IssueAdminForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = [
            "series",
            "year",
            "number",
            "total_number",
            "title",
            "visibility",
            "issuing_office",
            "issue_date",
            "printed_on",
            "distribution",
            "distribution_line",
            "summary",
            "cover",
            "official_pdf",
        ]
        widgets = {"title": forms.TextInput(attrs={"class": "vTextField", "style": "width: 40em"})}
        # One check for every upload (portal/files.py), not Django's ImageField.
        field_classes = {
            "cover": partial(UploadField, allowed=COVER_TYPES),
            "official_pdf": partial(UploadField, allowed=("pdf",)),
        }

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        if not _is_new_upload(cover):
            return cover
        try:
            clean, self._thumbnail = process_cover(cover)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise ValidationError(_("图片已损坏，无法打开。"), code="image_corrupt") from exc
        return clean

    def _post_clean(self):
        super()._post_clean()
        if getattr(self, "_thumbnail", None) is not None:
            self.instance.cover_thumbnail = self._thumbnail
        elif "cover" in self.changed_data and not self.cleaned_data.get("cover"):
            self.instance.cover_thumbnail = None


class ChooseAgainBoundField(BoundField):
    """A file field that says so when the page comes back without the chosen file.

    A bound form is shown again only when saving failed (somewhere on the page);
    browsers never send a file input back, so the import would be lost without a
    word and the next save would keep an article with only its title.
    """

    @property
    def errors(self):
        errors = super().errors
        if self.form.is_bound and self.form.files.get(self.html_name):
            errors = self.form.error_class(
                [
                    *errors,
                    _("本页未保存，浏览器已清空所选的 Word 文件：请重新选择该文件后再保存。"),
                ],
                renderer=self.form.renderer,
            )
        return errors


def import_word(form, cleaned: dict) -> dict:
    """A form's Word import (its ``word_file``, ``title`` and ``body`` fields): read the
    .docx into ``form.imported`` (``read_docx``; a refusal goes under ``word_file``), take
    its title when ``title`` is blank and its body for ``body``; a title is required
    one way or the other. Returns ``cleaned``."""
    upload = cleaned.get("word_file")
    if upload:
        try:
            form.imported = read_docx(upload)
        except ValidationError as exc:
            form.add_error("word_file", exc)
            return cleaned
        if not cleaned.get("title"):
            cleaned["title"] = form.imported.title
        # The title is printed above the body: never a second time inside it.
        form.imported.html = without_repeated_title(form.imported.html, cleaned["title"])
        cleaned["body"] = form.imported.html
    if not cleaned.get("title") and "title" not in form.errors:
        form.add_error(
            "title",
            ValidationError(_("请填写标题，或上传带标题的 Word 文件。"), code="required"),
        )
    return cleaned


class ArticleInlineForm(forms.ModelForm):
    word_file = UploadField(
        allowed=("docx",),
        bound_field_class=ChooseAgainBoundField,
        label=_("从 Word 导入"),
        required=False,
        help_text=_(
            "上传 .docx 文件（例如：简报第四期.docx），其标题、段落、表格和图片将替换本文正文；"
            "标题留空时取 Word 文件的标题。"
        ),
    )

    class Meta:
        model = Article
        fields = ["order", "title", "body", "word_file"]
        widgets = {"title": forms.TextInput(attrs={"class": "vTextField", "style": "width: 40em"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.imported = None
        # The title may come from the Word file; required again in clean().
        self.fields["title"].required = False

    def clean(self):
        return import_word(self, super().clean())

    def save(self, commit=True):
        if self.imported is not None:
            # The pictures become inline attachments of the issue (saved first by the admin).
            self.instance.body = self.imported.store(issue=self.instance.issue)
        return super().save(commit)


class AttachmentInlineForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["order", "title", "file"]
        field_classes = {"file": partial(UploadField, allowed=ATTACHMENT_TYPES)}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if _is_new_upload(upload):
            # Checked and named by UploadField (portal/files.py).
            self.instance.original_name = upload.name
            self.instance.size = upload.size
            self.instance.sha256 = sha256_of(upload)
            self.instance.content_type = file_kind(upload.name).content_type
        return upload


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("定时发布时间"),
        help_text=_("例如：2030-06-02 09:00，须晚于现在"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def clean_publish_at(self):
        value = self.cleaned_data["publish_at"]
        if value <= timezone.now():
            raise ValidationError(_("定时发布时间必须晚于现在。"), code="publish_at_past")
        return value
