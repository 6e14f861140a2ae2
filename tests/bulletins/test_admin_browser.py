"""Chromium: the rich-text editor loads under the site CSP, edits and saves."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bulletins.docx_import import import_docx
from bulletins.models import Article, Attachment
from tests.factories import IssueFactory

from .docx_files import bulletin_docx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_edits_an_article_in_the_rich_text_editor(signed_in_page, office_user, live_server):
    issue = IssueFactory(articles=0)
    doc = import_docx(uploaded=SimpleUploadedFile("a.docx", bulletin_docx()), issue=issue)
    Article.objects.create(issue=issue, order=1, title=doc.title, body=doc.html)
    picture = Attachment.objects.get(issue=issue, is_inline=True)

    page = signed_in_page("office")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{live_server.url}/admin/bulletins/issue/{issue.pk}/change/")
    editor = page.locator("#articles-group .ProseMirror:visible").first
    editor.wait_for(state="visible")
    # The toolbar is there and the Word body shows as rich text, picture included.
    assert page.locator("#articles-group .prose-menubar").count() == 1
    assert editor.locator("h2").first.inner_text() == "一、会议传达了省试点工作会议精神"
    assert editor.locator("table").count() == 1
    assert editor.locator(f'img[src="/bulletins/{issue.pk}/images/{picture.pk}/"]').count() == 1

    editor.locator("p").first.click()
    page.keyboard.press("End")
    page.keyboard.type("补充一句。")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert "成功修改了" in page.inner_text("ul.messagelist")
    body = Article.objects.get(issue=issue).body
    assert "召开了推进会。补充一句。" in body
    assert "<h2>一、会议传达了省试点工作会议精神</h2>" in body
    assert f'src="/bulletins/{issue.pk}/images/{picture.pk}/"' in body
    assert "<table>" in body
    # No CSP violation or script error on the way (the favicon 404 aside).
    assert [p for p in problems if "favicon" not in p and "404" not in p] == []


def test_office_publishes_from_the_changelist(signed_in_page, office_user, live_server):
    ready = IssueFactory(title="待发布的一期")
    incomplete = IssueFactory(title="缺印发日期的一期", printed_on=None)
    page = signed_in_page("office")
    page.goto(f"{live_server.url}/admin/bulletins/issue/")
    for issue in (ready, incomplete):
        page.check(f"input.action-select[value='{issue.pk}']")
    page.select_option("select[name=action]", "publish_now")
    page.click("button[name=index]")
    page.wait_for_load_state()
    messages = page.inner_text("ul.messagelist")
    assert "已发布 1 期简报。" in messages and "请填写印发日期。" in messages
    ready.refresh_from_db()
    incomplete.refresh_from_db()
    assert ready.status == "published" and incomplete.status == "draft"


def test_word_import_in_the_admin_then_preview_on_the_reader_page(
    signed_in_page, office_user, live_server, tmp_path
):
    from bulletins.models import Issue

    from .docx_files import jpeg_with_exif

    word = tmp_path / "简报第四期.docx"
    word.write_bytes(bulletin_docx(picture=jpeg_with_exif(), link="javascript:alert(1)"))
    issue = IssueFactory(articles=0, visibility="internal")
    page = signed_in_page("office")
    page.goto(f"{live_server.url}/admin/bulletins/issue/{issue.pk}/change/")
    page.set_input_files("#id_articles-0-word_file", str(word))
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    assert "成功修改了" in page.inner_text("ul.messagelist")
    assert Issue.objects.get(pk=issue.pk).status == "draft"

    with page.context.expect_page() as opened:
        page.click("div.field-preview_link a")
    preview = opened.value
    preview.wait_for_load_state("networkidle")
    assert preview.url.endswith(f"/bulletins/{issue.pk}/")
    body = preview.locator(".doc-body")
    assert "草稿预览" in preview.inner_text("body")
    assert body.locator("h2").first.inner_text() == "一、会议传达了省试点工作会议精神"
    assert body.locator("h3").first.inner_text() == "（一）回顾前期工作成效"
    assert body.locator("table td").nth(2).inner_text() == "市人社局"
    image = body.locator("img")
    assert image.count() == 1
    assert image.evaluate("img => img.complete && img.naturalWidth") == 32  # served, decoded
    assert body.locator("a[href]").count() == 0  # the javascript: link lost its href


def test_publish_read_download_acknowledge_and_follow_up(
    signed_in_page, office_user, user_a, unit_b, live_server
):
    """The issue's whole round in Chromium: office publishes in the admin, renshe finds,
    reads, downloads and signs it, office sees who has and who has not."""
    from django.core.files.base import ContentFile

    from bulletins.models import ReadReceipt

    issue = IssueFactory(
        title="全市产改试点工作部署推进会议主要精神", distribution=[user_a.unit, unit_b]
    )
    attachment = Attachment(
        issue=issue,
        title="会议讲话稿",
        original_name="会议讲话稿.pdf",
        size=20,
        content_type="application/pdf",
    )
    attachment.file.save("x.pdf", ContentFile(b"%PDF-1.4\n% speech\n%%EOF"), save=False)
    attachment.save()

    office = signed_in_page("office")
    office.goto(f"{live_server.url}/admin/bulletins/issue/")
    office.check(f"input.action-select[value='{issue.pk}']")
    office.select_option("select[name=action]", "publish_now")
    office.click("button[name=index]")
    office.wait_for_load_state()
    assert "已发布 1 期简报。" in office.inner_text("ul.messagelist")

    renshe = signed_in_page("renshe")
    renshe.goto(f"{live_server.url}/bulletins/")
    renshe.click(f"text={issue.title}")
    renshe.wait_for_load_state()
    assert "会议指出。" in renshe.inner_text(".doc-body")
    with renshe.expect_download() as download:
        renshe.click("text=会议讲话稿")
    assert download.value.suggested_filename == "会议讲话稿.pdf"
    renshe.click(".doc-receipt button[type=submit]")
    renshe.wait_for_load_state()
    assert "已签收（" in renshe.inner_text(".doc-receipt")

    office.goto(f"{live_server.url}/admin/bulletins/issue/{issue.pk}/receipts/")
    table = office.inner_text("#receipts")
    assert "市人社局" in table and "未签收" in table
    pending = office.inner_text("#pending-units")
    assert unit_b.name in pending and "市人社局" not in pending
    receipt = ReadReceipt.objects.get(issue=issue, unit=user_a.unit)
    assert receipt.first_viewed_at and receipt.first_downloaded_at and receipt.acknowledged_at
