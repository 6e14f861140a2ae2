"""One answer per kind of upload, whatever the form (portal/files.py, UploadField):
attachment, evidence, cover, official PDF, inline pictures, Word and Excel imports."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from openpyxl import Workbook

from bulletins.docx_import import read_docx
from bulletins.models import Attachment, Issue
from portal.files import NAME_MAX, UploadField, upload_name
from tasks.models import Assignment, Evidence, Plan
from tasks.xlsx import TASK_COLUMNS
from tests.bulletins.admin_forms_data import post_change_form
from tests.factories import PDF, IssueFactory, acknowledged, make_task
from tests.office_files import rewrite

pytestmark = pytest.mark.django_db


def gigapixel_png(width: int = 40_000, height: int = 40_000) -> bytes:
    """A 1.6-gigapixel PNG: a real header and a first row, a few hundred bytes on disk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = zlib.compress(b"\0" * (1 + width // 8))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", row) + chunk(b"IEND", b"")


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 12), (230, 0, 18)).save(out, format="PNG")
    return out.getvalue()


LONG = "关于印发《全市产业工人队伍建设改革试点工作实施方案》的通知" * 5  # 145 characters


def codes(response) -> set[str]:
    """Every ValidationError code on the page's forms (admin forms, inlines or a page form)."""
    found = set()
    context = response.context
    forms = []
    if "adminform" in context:
        forms.append(context["adminform"].form)
        for inline in context["inline_admin_formsets"]:
            forms += inline.formset.forms
    for key in ("form", "report_form", "import_form"):
        if key in context and context[key] is not None:
            forms.append(context[key])
    for form in forms:
        for errors in form.errors.as_data().values():
            found |= {e.code for e in errors}
    return found


def admin_upload(client, issue, **files):
    return post_change_form(client, issue, **files)


def attachment_fields(upload):
    return {
        "attachments-TOTAL_FORMS": "1",
        "attachments-0-order": "1",
        "attachments-0-title": "",
        "attachments-0-file": upload,
    }


def article_fields(issue, upload):
    article = issue.articles.first()
    return {
        "articles-0-id": str(article.pk),
        "articles-0-title": "",
        "articles-0-word_file": upload,
    }


def docx_with_picture(picture: bytes) -> bytes:
    from docx.shared import Cm

    doc = Document()
    doc.add_heading("有图的文章", level=0)
    doc.add_paragraph("正文。")
    doc.add_picture(io.BytesIO(picture), width=Cm(4))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.fixture
def issue(db):
    issue = IssueFactory()
    issue.articles.create(title="文章", body="<p>正文</p>")
    return issue


@pytest.fixture
def report_page(unit_a, user_a, client_a):
    plan = Plan.objects.create(year=2026, title="2026年任务清单", status=Plan.Status.ACTIVE)
    assignment_a = Assignment.objects.create(task=make_task(plan), unit=unit_a)
    acknowledged(assignment_a, user_a)

    def post(files):
        assignment_a.refresh_from_db()
        return client_a.post(
            reverse("tasks:report_create", args=[assignment_a.pk]),
            {
                "period": "2026-06",
                "percent": "10",
                "text": "进展",
                "version": str(assignment_a.version),
                "files": files,
            },
        )

    return post


# --- a 1.6-gigapixel PNG gets 图片像素过多 everywhere ------------------------------------


def test_gigapixel_png_as_attachment(office_client, issue):
    png = SimpleUploadedFile("现场.png", gigapixel_png())
    response = admin_upload(office_client, issue, **attachment_fields(png))
    assert response.status_code == 200 and "image_bomb" in codes(response)
    assert "图片像素过多" in response.content.decode()
    assert not Attachment.objects.exists()


def test_gigapixel_png_as_cover(office_client, issue):
    response = admin_upload(
        office_client, issue, cover=SimpleUploadedFile("封面.png", gigapixel_png())
    )
    assert response.status_code == 200 and "image_bomb" in codes(response)
    assert "图片像素过多" in response.content.decode()
    assert not Issue.objects.get(pk=issue.pk).cover


def test_gigapixel_png_as_evidence(report_page):
    response = report_page([SimpleUploadedFile("现场.png", gigapixel_png())])
    assert response.status_code == 200 and "image_bomb" in codes(response)
    assert "图片像素过多" in response.content.decode()
    assert not Evidence.objects.exists()


def test_gigapixel_png_inside_a_word_file(office_client, issue):
    data = rewrite(
        docx_with_picture(png_bytes()), "word/media/image1.png", lambda _: gigapixel_png()
    )
    with pytest.raises(ValidationError) as info:
        read_docx(SimpleUploadedFile("有图.docx", data))
    assert info.value.code == "image_bomb" and "图片像素过多" in info.value.messages[0]
    response = admin_upload(
        office_client, issue, **article_fields(issue, SimpleUploadedFile("有图.docx", data))
    )
    assert response.status_code == 200 and "image_bomb" in codes(response)


# --- long names are shortened, the extension kept ------------------------------------


def test_upload_name():
    assert upload_name("C:\\Users\\李敏\\通知.pdf") == "通知.pdf"
    assert upload_name("报告\x0b第二行.pdf") == "报告 第二行.pdf"
    short = upload_name(LONG + ".pdf")
    assert len(short) == NAME_MAX and short.endswith("…" + ".pdf") and short.startswith("关于")


def test_long_names_everywhere(office_client, issue, report_page, office_user):
    response = admin_upload(
        office_client,
        issue,
        cover=SimpleUploadedFile(LONG + ".png", png_bytes()),
        official_pdf=SimpleUploadedFile(LONG + ".pdf", PDF),
        **attachment_fields(SimpleUploadedFile(LONG + ".pdf", PDF)),
    )
    assert response.status_code == 302, codes(response)
    issue.refresh_from_db()
    assert issue.cover and issue.official_pdf
    attachment = Attachment.objects.get(issue=issue)
    assert attachment.original_name.endswith(".pdf") and len(attachment.original_name) == NAME_MAX

    response = report_page([SimpleUploadedFile(LONG + ".pdf", PDF)])
    assert response.status_code == 302, codes(response)
    assert Evidence.objects.get().original_name == upload_name(LONG + ".pdf")

    docx = docx_with_picture(png_bytes())
    response = admin_upload(
        office_client, issue, **article_fields(issue, SimpleUploadedFile(LONG + ".docx", docx))
    )
    assert response.status_code == 302, codes(response)
    assert "正文" in issue.articles.first().body

    plan = Plan.objects.create(year=2026, title="2026年任务清单")
    workbook = Workbook()
    workbook.active.append(TASK_COLUMNS)
    workbook.active.append(["1.1", "", "开展宣讲", "", "", "2026-12-31", 1, "", "", ""])
    out = io.BytesIO()
    workbook.save(out)
    response = office_client.post(
        reverse("tasks:plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile(LONG + ".xlsx", out.getvalue())},
    )
    assert response.status_code == 302
    assert plan.tasks.count() == 1


# --- the same checks on every field ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("空.pdf", b"", "file_empty"),
        ("伪装.pdf", b"<html><script>alert(1)</script>", "mismatch"),
        ("图.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "file_type"),
    ],
)
def test_same_code_for_the_same_file_on_each_field(
    office_client, issue, report_page, name, content, code
):
    answers = {
        "attachment": codes(
            admin_upload(
                office_client, issue, **attachment_fields(SimpleUploadedFile(name, content))
            )
        ),
        "official_pdf": codes(
            admin_upload(office_client, issue, official_pdf=SimpleUploadedFile(name, content))
        ),
        "evidence": codes(report_page([SimpleUploadedFile(name, content)])),
    }
    assert all(code in found for found in answers.values()), answers


def test_upload_field_keeps_a_file_already_stored():
    field = UploadField(allowed=("pdf",), required=False)
    assert field.clean(None, "attachments/2026/x.pdf") == "attachments/2026/x.pdf"
    assert field.clean(False, "attachments/2026/x.pdf") is False  # "clear" ticked
