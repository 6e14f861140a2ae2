"""The rich-text sanitiser and the field that applies it on every write path."""

import pytest

from bulletins.html import sanitize_html
from bulletins.models import AgendaItem, Article, Meeting
from tests.factories import IssueFactory

HOSTILE = (
    '<h2>一、会议精神</h2><script>alert("x")</script>'
    '<p onclick="steal()">正文<img src="/bulletins/1/images/2/" alt="图" width="200" height="100" '
    'onerror="steal()"></p>'
    '<a href="javascript:alert(1)">点我</a><a href="JaVaScRiPt:alert(1)">再点</a>'
    '<a href="https://example.cn/" title="链接">好链接</a><a href="mailto:a@example.cn">信</a>'
    '<table><thead><tr><th colspan="2">单位</th></tr></thead>'
    '<tbody><tr><td rowspan="2" style="color:red">市人社局</td><td>李敏</td></tr></tbody></table>'
    '<img src="data:image/png;base64,AAAA"><style>body{display:none}</style>'
    '<iframe src="https://evil.example/"></iframe><svg onload="x()"></svg>'
)


def test_sanitiser_removes_scripts_handlers_and_javascript_links():
    clean = sanitize_html(HOSTILE)
    assert "<script" not in clean and "alert(" not in clean
    assert "onerror" not in clean and "onclick" not in clean and "onload" not in clean
    assert "javascript:" not in clean.lower()
    assert "<style" not in clean and "display:none" not in clean
    assert "<iframe" not in clean and "<svg" not in clean
    assert "data:" not in clean
    assert 'style="' not in clean


def test_sanitiser_keeps_headings_tables_images_and_safe_links():
    clean = sanitize_html(HOSTILE)
    assert "<h2>一、会议精神</h2>" in clean
    assert '<th colspan="2">单位</th>' in clean
    assert '<td rowspan="2">市人社局</td>' in clean
    assert '<img src="/bulletins/1/images/2/" alt="图" width="200" height="100">' in clean
    assert 'href="https://example.cn/"' in clean and 'title="链接"' in clean
    assert 'href="mailto:a@example.cn"' in clean
    # The javascript: links keep their text, lose the link.
    assert "点我" in clean and "再点" in clean


@pytest.mark.parametrize(
    "html",
    [HOSTILE, "<p>正文</p>", "<h3>（一）</h3><ul><li>一</li></ul><blockquote>引</blockquote><hr>"],
)
def test_sanitiser_is_idempotent(html):
    once = sanitize_html(html)
    assert sanitize_html(once) == once


@pytest.mark.parametrize("html", ["", None, "<p></p>", "<p><br></p>", "  "])
def test_empty_editor_output_is_stored_as_empty(html):
    assert sanitize_html(html) == ""


@pytest.mark.django_db
def test_every_write_path_stores_clean_html():
    issue = IssueFactory(articles=0)
    bad = '<p onclick="x()">正文</p><script>alert(1)</script>'

    article = Article.objects.create(issue=issue, title="一", body=bad)
    assert article.body == "<p>正文</p>"  # the instance matches the row
    assert Article.objects.get(pk=article.pk).body == "<p>正文</p>"

    (bulk,) = Article.objects.bulk_create([Article(issue=issue, title="二", body=bad)])
    Article.objects.filter(pk=article.pk).update(body=bad)
    rows = set(Article.objects.values_list("body", flat=True))
    assert rows == {"<p>正文</p>"}

    article.body = bad
    Article.objects.bulk_update([article], ["body"])
    assert Article.objects.get(pk=article.pk).body == "<p>正文</p>"


@pytest.mark.django_db
def test_meeting_key_points_and_agenda_bodies_are_clean():
    import datetime as dt

    from django.utils import timezone

    meeting = Meeting.objects.create(
        title="推进会",
        starts_at=timezone.make_aware(dt.datetime(2020, 6, 1, 9)),
        key_points='<p>精神</p><img src="x" onerror="alert(1)">',
    )
    item = AgendaItem.objects.create(
        meeting=meeting, title="议程", body='<a href="javascript:alert(1)">链接</a>'
    )
    meeting.refresh_from_db()
    item.refresh_from_db()
    assert "onerror" not in meeting.key_points and '<img src="x">' in meeting.key_points
    assert "javascript" not in item.body
    # The revision keeps the clean text too.
    assert "onerror" not in meeting.history.first().key_points


def test_plain_text_is_stored_as_escaped_paragraphs():
    clean = sanitize_html("第一段 1 < 2 & 3\n\n第二段\n第二行")
    assert clean == "<p>第一段 1 &lt; 2 &amp; 3</p>\n\n<p>第二段<br>第二行</p>"
    assert sanitize_html(clean) == clean
