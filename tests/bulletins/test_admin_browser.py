"""Chromium: the rich-text editor loads under the site CSP, edits and saves."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bulletins.docx_import import import_docx
from bulletins.models import Article, Attachment

from .docx_files import bulletin_docx
from .office_factories import IssueFactory

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
