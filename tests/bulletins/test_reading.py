"""The issue page's stored reading copy: every edit of an article, a file or a meeting
link shows on the page; issues written around the models still show everything."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from bulletins.models import Article, Attachment, IssueReading
from tests.factories import PUBLIC, make_attachment, make_issue, make_meeting

from .admin_forms_data import change_form_data
from .docx_files import bulletin_docx
from .test_docx_import import _post_article_with_word

pytestmark = pytest.mark.django_db


def _page(client, issue) -> str:
    response = client.get(reverse("bulletins:issue_detail", args=[issue.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_article_edited_in_the_admin_shows_on_the_page(client, office_client):
    issue = make_issue("published", PUBLIC, articles=[("第一篇", "<p>旧的正文 2020-09-30。</p>")])
    assert '旧的正文 <span class="nobr">2020-09-30</span>。' in _page(client, issue)
    url = reverse("admin:bulletins_issue_change", args=[issue.pk])
    data = change_form_data(office_client.get(url))
    data.update({"articles-0-title": "改过的标题", "articles-0-body": "<p>新的正文。</p>"})
    response = office_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    page = _page(client, issue)
    assert "改过的标题" in page and "新的正文。" in page
    assert "旧的正文" not in page and "第一篇" not in page


def test_an_article_imported_from_word_shows_on_the_page(client, office_client):
    issue = make_issue("published", PUBLIC)
    response = _post_article_with_word(office_client, issue, bulletin_docx())
    assert response.status_code == 302, response.context["errors"]
    page = _page(client, issue)
    assert "全市产改工作推进会议主要精神" in page
    assert "<h2>一、会议传达了省试点工作会议精神</h2>" in page


def test_the_body_is_shown_without_a_first_paragraph_repeating_its_title(client):
    issue = make_issue("published", PUBLIC, articles=[("会议精神", "<p>会议精神</p><p>正文。</p>")])
    page = _page(client, issue)
    assert '<div class="doc-body"><p>正文。</p></div>' in page


def test_added_and_deleted_articles_and_files_show_on_the_page(client):
    issue = make_issue("published", PUBLIC, articles=[("第一篇", "<p>一。</p>")])
    second = Article.objects.create(issue=issue, order=2, title="第二篇", body="<p>二。</p>")
    make_attachment(issue, name="工作台账.xlsx")
    page = _page(client, issue)
    assert "第二篇" in page and "工作台账.xlsx" in page
    second.delete()
    Attachment.objects.filter(issue=issue).delete()
    page = _page(client, issue)
    assert "第二篇" not in page and "工作台账.xlsx" not in page and "第一篇" in page


def test_meeting_links_show_on_the_page_from_either_side(client):
    issue = make_issue("published", PUBLIC)
    meeting = make_meeting(PUBLIC, title="全市产改推进会")
    assert not IssueReading.objects.get(issue=issue).has_meetings
    meeting.issues.add(issue)
    assert "全市产改推进会" in _page(client, issue)
    meeting.issues.clear()
    assert "全市产改推进会" not in _page(client, issue)
    assert not IssueReading.objects.get(issue=issue).has_meetings
    issue.meetings.add(meeting)
    assert "全市产改推进会" in _page(client, issue)
    issue.meetings.remove(meeting)
    assert not IssueReading.objects.get(issue=issue).has_meetings


def test_a_deleted_meeting_leaves_its_issues_without_meetings(client):
    issue = make_issue("published", PUBLIC)
    other = make_issue("published", PUBLIC)
    meeting = make_meeting(PUBLIC, title="全市产改推进会")
    meeting.issues.add(issue)
    make_meeting(PUBLIC, title="季度调度会").issues.add(other)
    meeting.delete()
    assert "全市产改推进会" not in _page(client, issue)
    assert not IssueReading.objects.get(issue=issue).has_meetings
    assert IssueReading.objects.get(issue=other).has_meetings


def test_an_issue_without_a_reading_copy_shows_everything(client):
    issue = make_issue("published", PUBLIC, articles=[("第一篇", "<p>正文一。</p>")])
    make_attachment(issue, name="工作台账.xlsx")
    make_meeting(PUBLIC, title="全市产改推进会").issues.add(issue)
    expected = _page(client, issue)
    IssueReading.objects.filter(issue=issue).delete()  # as bulk_create leaves it
    assert _page(client, issue) == expected
    assert not IssueReading.objects.filter(issue=issue).exists()  # a GET writes nothing


def test_the_migration_fills_the_issues_already_there(client):
    issue = make_issue("published", PUBLIC, articles=[("第一篇", "<p>正文一。</p>")])
    make_attachment(issue, name="工作台账.xlsx")
    make_meeting(PUBLIC, title="全市产改推进会").issues.add(issue)
    stored = IssueReading.objects.get(issue=issue)
    IssueReading.objects.all().delete()
    importlib.import_module("bulletins.migrations.0004_issue_reading").fill(apps, None)
    filled = IssueReading.objects.get(issue=issue)
    assert (filled.articles, filled.attachments, filled.has_meetings) == (
        stored.articles,
        stored.attachments,
        True,
    )
