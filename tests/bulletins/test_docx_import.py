"""Word import: real .docx files made with python-docx, and hostile ones."""

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from bulletins.docx_import import heading_level, import_docx, read_docx
from bulletins.models import Article, Attachment
from tests.factories import IssueFactory

from .admin_forms_data import change_form_data
from .docx_files import (
    BILLION_LAUGHS,
    bulletin_docx,
    jpeg_with_exif,
    replace_part,
    zip_bomb_docx,
)


def upload(content: bytes, name: str = "简报第四期.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def private_files() -> set[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    return {str(p) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_headings_paragraphs_tables_and_pictures_are_kept():
    doc = read_docx(upload(bulletin_docx()))
    assert doc.title == "全市产改工作推进会议主要精神"
    html = doc.html
    assert "<h2>一、会议传达了省试点工作会议精神</h2>" in html  # Word "Heading 1"
    assert "<h3>（一）回顾前期工作成效</h3>" in html  # Word "Heading 2"
    assert "<h2>二、市人社局等四家单位进行了交流发言。</h2>" in html  # numbered, unstyled
    assert "<p>6月1日，在市行政中心350会议室，召开了推进会。</p>" in html
    assert "<strong>加粗的话</strong>" in html
    assert "<table>" in html and "<td><p>市人社局</p></td>" in html
    assert len(doc.images) == 1 and doc.images[0].content_type == "image/png"
    assert f'src="{doc.images[0].token}"' in html
    assert "全市产改工作推进会议主要精神" not in html  # the title moved to the title field


@pytest.mark.django_db
def test_pictures_become_inline_attachments_in_private_storage():
    issue = IssueFactory(articles=0)
    doc = import_docx(uploaded=upload(bulletin_docx(picture=jpeg_with_exif())), issue=issue)
    attachment = Attachment.objects.get(issue=issue)
    assert attachment.is_inline and attachment.content_type == "image/jpeg"
    assert attachment.file.name.startswith("attachments/")
    assert Path(settings.PRIVATE_MEDIA_ROOT, attachment.file.name).exists()
    assert not Path(settings.MEDIA_ROOT, attachment.file.name).exists()
    assert f'src="/bulletins/{issue.pk}/images/{attachment.pk}/"' in doc.html
    assert "docx-image" not in doc.html
    with Image.open(attachment.file.open("rb")) as stored:
        assert not stored.getexif()  # no camera, no GPS
    assert attachment.size == attachment.file.size and len(attachment.sha256) == 64


def test_javascript_hyperlink_is_removed():
    doc = read_docx(upload(bulletin_docx(link="javascript:alert(document.cookie)")))
    assert "javascript" not in doc.html.lower()
    assert "点这里" in doc.html  # the text stays
    safe = read_docx(upload(bulletin_docx(link="https://www.example.cn/")))
    assert 'href="https://www.example.cn/"' in safe.html


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (zip_bomb_docx(), "炸弹.docx", "zip_ratio"),
        (b"%PDF-1.4 not a word file", "伪装.docx", "mismatch"),
        (bulletin_docx(), "简报.doc", "file_type"),
        (
            replace_part(bulletin_docx(), "word/document.xml", BILLION_LAUGHS),
            "实体.docx",
            "docx_unsafe_xml",
        ),
        (
            replace_part(bulletin_docx(), "word/document.xml", b"<w:document"),
            "损坏.docx",
            "docx_corrupt",
        ),
        (bulletin_docx()[:2000], "截断.docx", "corrupt"),
    ],
)
def test_hostile_or_broken_files_get_a_clear_message(content, name, code):
    with pytest.raises(ValidationError) as exc:
        read_docx(upload(content, name))
    assert exc.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.messages[0])  # in Chinese


def test_xlsx_renamed_docx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(ValidationError) as exc:
        read_docx(upload(out.getvalue()))
    assert exc.value.code == "mismatch"


def test_word_without_a_body_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/styles.xml", "<styles/>")
    with pytest.raises(ValidationError) as exc:
        read_docx(upload(out.getvalue()))
    assert exc.value.code == "docx_not_word"


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("一、徐家保副市长宣读了项书记批示，传达了省试点工作会议精神。", 2),
        ("（三）部署下一步产改试点工作", 3),
        ("十二、其他事项", 2),
        ("一是工作推进更具合力。", None),
        ("1、项雪龙在批示中指出", None),
        ("一、" + "长" * 80, None),
    ],
)
def test_heading_level_of_numbered_lines(text, level):
    assert heading_level(text) == level


# --- through the admin ---------------------------------------------------------------


def _post_article_with_word(client, issue, content, name="简报第四期.docx", title=""):
    url = reverse("admin:bulletins_issue_change", args=[issue.pk])
    data = change_form_data(client.get(url))
    data.update(
        {
            "articles-TOTAL_FORMS": str(int(data["articles-TOTAL_FORMS"]) + 1),
            f"articles-{data['articles-TOTAL_FORMS']}-order": "2",
            f"articles-{data['articles-TOTAL_FORMS']}-title": title,
            f"articles-{data['articles-TOTAL_FORMS']}-body": "",
            f"articles-{data['articles-TOTAL_FORMS']}-word_file": upload(content, name),
        }
    )
    return client.post(url, data)


@pytest.mark.django_db
def test_admin_word_import_makes_the_article(office_client):
    issue = IssueFactory()
    response = _post_article_with_word(office_client, issue, bulletin_docx(link="javascript:x()"))
    assert response.status_code == 302, response.context["errors"]
    article = Article.objects.get(issue=issue, order=2)
    assert article.title == "全市产改工作推进会议主要精神"
    assert "<h2>一、会议传达了省试点工作会议精神</h2>" in article.body
    picture = Attachment.objects.get(issue=issue, is_inline=True)
    assert f'src="/bulletins/{issue.pk}/images/{picture.pk}/"' in article.body
    assert "javascript" not in article.body
    # The picture belongs to the body, not to the list of downloads in the form.
    page = office_client.get(reverse("admin:bulletins_issue_change", args=[issue.pk]))
    assert page.context["inline_admin_formsets"][1].formset.queryset.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (zip_bomb_docx(), "压缩炸弹"),
        (replace_part(bulletin_docx(), "word/document.xml", BILLION_LAUGHS), "不安全的 XML"),
        (b"PK\x03\x04 broken", "已损坏"),
    ],
)
def test_refused_word_file_leaves_no_row_and_no_file(office_client, content, message):
    issue = IssueFactory()
    files_before = private_files()
    response = _post_article_with_word(office_client, issue, content, title="导入")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Article.objects.filter(issue=issue).count() == 1
    assert not Attachment.objects.filter(issue=issue).exists()
    assert private_files() == files_before
