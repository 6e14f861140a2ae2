"""The issue page written in Python (bulletins/issue_html.py ``issue_page``, portal/chrome.py
``page``) is, character for character, what templates/bulletins/issue_detail.html (on
base.html) renders from the same values: every persona, both languages, with and without
messages, the office's previews, 签收 to do and done."""

import re

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse

from bulletins import issue_html, views
from tests.factories import INTERNAL, PUBLIC, UnitFactory, make_issue, make_meeting

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def both(monkeypatch):
    """Each issue page the view writes, beside the template's rendering of its values."""
    pages = []

    def issue_page(request, page):
        python = issue_html.issue_page(request, page)
        template = render_to_string(
            "bulletins/issue_detail.html",
            {**page, "content": issue_html.issue_content(request, page)},
            request,
        )
        pages.append((str(python), template))
        return python

    monkeypatch.setattr(views, "issue_page", issue_page)
    return pages


def _same(pages):
    assert pages
    for python, template in pages:
        # A CSRF token is masked anew each time it is asked for.
        assert TOKEN.sub("TOKEN", python) == TOKEN.sub("TOKEN", template)


def _issue():
    issue = make_issue(
        "published",
        INTERNAL,
        articles=[("一、<总体>要求", "<p>正文 & 更多</p>"), ("二", "<p>第二篇</p>")],
        attachment="讲话稿 <1>.pdf",
        distribution_line="",
        title="简报 <标题> & 测试",
    )
    issue.distribution.add(UnitFactory(name="抄送单位 <甲>"))
    make_meeting(PUBLIC, title="公开会议 <x>").issues.add(issue)
    make_meeting(INTERNAL, title="内部会议").issues.add(issue)
    return issue


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", ["anon", "unit_a", "office", "other_staff"], indirect=True)
def test_the_page_is_the_templates_for_every_persona(persona, language, both):
    public = make_issue("published", PUBLIC, articles=3, total_number=35)
    internal = _issue()
    draft = make_issue("draft", PUBLIC, body="<p>草稿 \U0001d11e</p>")
    scheduled = make_issue("scheduled", INTERNAL)
    withdrawn = make_issue("withdrawn", PUBLIC)
    for issue in (public, internal, draft, scheduled, withdrawn):
        response = persona.get(
            reverse("bulletins:issue_detail", args=[issue.pk]),
            headers={"accept-language": language},
        )
        assert response.status_code in (200, 404)
    _same(both)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_signing_and_its_message_read_as_the_template_has_them(client_a, language, both):
    issue = _issue()
    url = reverse("bulletins:issue_detail", args=[issue.pk])
    headers = {"accept-language": language}
    before = client_a.get(url, headers=headers)  # 签收 to do: the form
    assert 'name="csrfmiddlewaretoken"' in before.content.decode()
    client_a.post(reverse("bulletins:issue_acknowledge", args=[issue.pk]), headers=headers)
    after = client_a.get(url, headers=headers)  # the message, then 签收 done
    assert 'class="messages"' in after.content.decode()
    again = client_a.get(url, headers=headers)  # the message was shown once
    assert 'class="messages"' not in again.content.decode()
    assert len(both) == 3
    _same(both)


def test_messages_count_as_shown(rf, anon_client):
    """The page marks the messages it lists as used, as the template's loop did."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage

    issue = make_issue("published", PUBLIC)
    request = rf.get("/")
    request.session = anon_client.session
    request._messages = FallbackStorage(request)
    request._messages.add(20, "一条 <消息>")
    request.user = AnonymousUser()
    html = views.issue_detail(request, issue.pk).content.decode()
    assert '<li class="message message--info">一条 &lt;消息&gt;</li>' in html
    assert get_messages(request).used
