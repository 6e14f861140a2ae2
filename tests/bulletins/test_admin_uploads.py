"""Uploads in the issue admin: attachments, covers and official PDFs are checked whole;
a refused file leaves no row and no file."""

import hashlib
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bulletins.models import Attachment, Issue
from tests.factories import IssueFactory

from .admin_forms_data import post_change_form
from .docx_files import jpeg_with_exif

pytestmark = pytest.mark.django_db


def private_files() -> set[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _with_upload(client, issue, **files):
    return post_change_form(client, issue, **files)


def test_attachment_upload_fills_its_details_and_hides_its_name(office_client):
    issue = IssueFactory()
    pdf = b"%PDF-1.4\n% test\n" + b"0" * 100
    response = _with_upload(
        office_client,
        issue,
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "会议材料",
            "attachments-0-order": "1",
            "attachments-0-file": SimpleUploadedFile("会议材料.pdf", pdf, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.context["errors"]
    attachment = Attachment.objects.get(issue=issue)
    assert attachment.original_name == "会议材料.pdf"
    assert attachment.size == len(pdf) and attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(pdf).hexdigest()
    assert "会议材料" not in attachment.file.name and attachment.file.name.startswith(
        "attachments/"
    )
    assert attachment.file.read() == pdf


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        pytest.param(
            "通知.pdf", b"<html><script>alert(1)</script></html>", "mismatch", id="HTML named .pdf"
        ),
        pytest.param("图.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file_type", id="SVG"),
        pytest.param("页面.html", b"<html></html>", "file_type", id="HTML"),
    ],
)
def test_refused_attachment_leaves_no_row_and_no_file(office_client, name, content, code):
    issue = IssueFactory()
    files_before = private_files()
    response = _with_upload(
        office_client,
        issue,
        **{
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "坏文件",
            "attachments-0-order": "1",
            "attachments-0-file": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200
    formsets = {f.formset.prefix: f.formset for f in response.context["inline_admin_formsets"]}
    errors = formsets["attachments"].forms[0].errors.as_data()["file"]
    assert [e.code for e in errors] == [code]
    assert not Attachment.objects.filter(issue=issue).exists()
    assert private_files() == files_before


def test_cover_is_stored_without_exif_and_gets_a_thumbnail(office_client):
    issue = IssueFactory()
    big = io.BytesIO()
    exif = Image.open(io.BytesIO(jpeg_with_exif())).getexif()
    Image.new("RGB", (1200, 1600), (200, 30, 30)).save(big, format="JPEG", exif=exif)
    response = _with_upload(
        office_client, issue, cover=SimpleUploadedFile("封面.jpg", big.getvalue(), "image/jpeg")
    )
    assert response.status_code == 302, response.context["errors"]
    issue.refresh_from_db()
    assert issue.cover.name.startswith("covers/") and issue.cover_thumbnail
    with Image.open(issue.cover.open("rb")) as stored:
        assert stored.size == (1200, 1600)
        assert not stored.getexif()
    with Image.open(issue.cover_thumbnail.open("rb")) as thumb:
        assert thumb.size[0] <= 360 and thumb.size[1] <= 480


def _bomb_png(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG")  # megapixels in a few KB
    return out.getvalue()


def test_pixel_bomb_cover_is_refused(office_client):
    issue = IssueFactory()
    files_before = private_files()
    response = _with_upload(
        office_client, issue, cover=SimpleUploadedFile("封面.png", _bomb_png(12_000, 12_000))
    )
    assert response.status_code == 200 and "cover" in response.context["adminform"].form.errors
    assert not Issue.objects.get(pk=issue.pk).cover
    assert private_files() == files_before


# Should Pillow only warn (the site makes the warning an error in portal/apps.py),
# the cover's own pixel check still refuses before decoding.
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_cover_pixel_check_does_not_rely_on_the_warning(office_client):
    issue = IssueFactory()
    files_before = private_files()
    response = _with_upload(
        office_client, issue, cover=SimpleUploadedFile("封面.png", _bomb_png(8_000, 6_000))
    )
    assert response.status_code == 200
    assert "图片像素过多" in response.content.decode()
    assert not Issue.objects.get(pk=issue.pk).cover
    assert private_files() == files_before


def test_official_pdf_must_be_a_pdf(office_client):
    issue = IssueFactory()
    response = _with_upload(
        office_client, issue, official_pdf=SimpleUploadedFile("正式版.pdf", b"PK\x03\x04junk")
    )
    assert response.status_code == 200 and "不符" in response.content.decode()
    assert not Issue.objects.get(pk=issue.pk).official_pdf

    response = _with_upload(
        office_client, issue, official_pdf=SimpleUploadedFile("正式版.pdf", b"%PDF-1.7\n%%EOF")
    )
    assert response.status_code == 302
    stored = Issue.objects.get(pk=issue.pk).official_pdf
    assert stored.name.startswith("official-pdf/") and stored.name.endswith(".pdf")
