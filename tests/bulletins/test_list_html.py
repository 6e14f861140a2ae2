"""The reading list written in Python (bulletins/list_html.py, on portal/chrome.py's
``page``) prints what the templates printed: the empty filter form as django-filter
renders it, each row's cover, number, badges, summary and date, the page links, and the
whole page, character for character, for every persona in both languages."""

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from bulletins import list_html, views
from bulletins.filters import IssueFilter
from bulletins.models import Issue
from bulletins.year_counts import refresh_year_counts
from portal.accounts.models import acting_unit_id
from tests.bulletins.reading_list import year_links
from tests.factories import INTERNAL, PUBLIC, add_cover, make_issue

pytestmark = pytest.mark.django_db

# The form's fields as the list rendered them before (templates/bulletins/issue_list.html).
FIELDS = engines["django"].from_string(
    """{% for field in filter.form %}
    <p class="issue-filters__field issue-filters__field--{{ field.name }}">
      <label for="{{ field.id_for_label }}">{{ field.label }}</label>{{ field }}
      {% if field.errors %}<span class="errorlist">{{ field.errors|join:" " }}</span>{% endif %}
    </p>
  {% endfor %}"""
)


def _form(html: str) -> str:
    form = re.search(
        r'<form method="get" class="filters[^>]*>(.*?)<p class="issue-filters__a', html, re.S
    )
    return re.sub(r"\s+", " ", form.group(1)).strip()


@pytest.mark.parametrize(
    "persona, url, year",
    [
        ("anon", "/bulletins/", None),
        ("unit_a", "/bulletins/", None),
        ("anon", "/bulletins/archive/2019/", 2019),
    ],
    indirect=["persona"],
)
def test_the_empty_filter_form_is_django_filters(persona, url, year, user_a):
    make_issue("published", PUBLIC, year=2019, title="公开<的>")
    make_issue("published", INTERNAL, year=2018)
    response = persona.get(url)
    request = RequestFactory().get(url)
    request.user = response.wsgi_request.user
    base = Issue.objects.visible_to(request.user).published()
    if year:
        base = base.filter(year=year)
    years = list(year_links(response))
    filterset = IssueFilter(None, queryset=base, request=request, years=years)
    if year:
        del filterset.filters["year"]
    expected = re.sub(r"\s+", " ", FIELDS.render({"filter": filterset})).strip()
    assert _form(response.content.decode()) == expected


def test_rows_print_cover_number_badges_summary_and_date(client_a):
    issue = make_issue("published", INTERNAL, year=2020, number=12, title="标题<&>")
    Issue.objects.filter(pk=issue.pk).update(summary="摘" * 150)
    add_cover(issue)
    html = client_a.get("/bulletins/").content.decode()
    assert f'<img class="issue-item__cover" src="/bulletins/{issue.pk}/cover/"' in html
    assert '<span class="issue-item__number">2020年第十二期</span>' in html
    assert '<span class="badge badge--internal">内部</span>' in html
    assert '<span class="badge badge--todo">未签收</span>' in html
    assert f'<a href="/bulletins/{issue.pk}/">标题&lt;&amp;&gt;</a>' in html
    assert f'<p class="issue-item__summary">{Truncator("摘" * 150).chars(140)}</p>' in html
    day = issue.issue_date
    assert f'datetime="{day.isoformat()}">{day.year}年{day.month}月{day.day}日</time>' in html


def test_pages_link_to_their_neighbours_keeping_the_query(anon_client):
    for n in range(45):
        make_issue("published", PUBLIC, year=2020, number=n + 1, title=f"第{n}期 工人")
    html = anon_client.get("/bulletins/", {"q": "工人", "page": 2}).content.decode()
    assert 'href="?q=%E5%B7%A5%E4%BA%BA&amp;page=1" rel="prev">上一页</a>' in html
    assert 'href="?q=%E5%B7%A5%E4%BA%BA&amp;page=3" rel="next">下一页</a>' in html
    assert "<span>第 2 / 3 页</span>" in html


# The page as templates/bulletins/issue_list.html printed it before its content was
# written in Python (bulletins/list_html.py content_html), given the parts it placed.
OLD_PAGE = engines["django"].from_string(
    """{% extends "bulletins/base.html" %}
{% load i18n %}
{% block title %}{% if year %}{% blocktranslate %}{{ year }}年简报{% endblocktranslate %}{% else %}{% translate "简报" %}{% endif %} · {{ SITE_NAME }}{% endblock %}
{% block body_class %}page-issues{% endblock %}
{% block content %}
<header class="listing-head">
  <h1>{% if year %}{% blocktranslate %}{{ year }}年简报{% endblocktranslate %}{% else %}{% translate "简报" %}{% endif %}</h1>
  <p class="feed-link"><a href="{% url 'bulletins:feed' %}" aria-describedby="feed-help">{% translate "RSS 订阅" %}</a>
    <span id="feed-help" class="feed-link__help">{% translate "把此链接加入 Outlook、Foxmail 或手机阅读器，新的公开简报发布后自动收到。" %}</span></p>
  {% if year %}<a class="zip-link" href="{% url 'bulletins:year_zip' year %}" download>{% blocktranslate %}打包下载{{ year }}年全部简报（ZIP）{% endblocktranslate %}</a>{% endif %}
</header>

{{ year_links }}

<form method="get" class="filters card issue-filters" role="search">
  {% if form_fields %}{{ form_fields }}{% else %}{% for field in filter.form %}
    <p class="issue-filters__field issue-filters__field--{{ field.name }}">
      <label for="{{ field.id_for_label }}">{{ field.label }}</label>{{ field }}
      {% if field.errors %}<span class="errorlist" id="{{ field.auto_id }}_error">{{ field.errors|join:" " }}</span>{% endif %}
    </p>
  {% endfor %}{% endif %}
  <p class="issue-filters__actions">
    <button class="button" type="submit">{% translate "筛选" %}</button>
    {% if is_filtered %}<a href="{{ request.path }}">{% translate "清除条件" %}</a>{% endif %}
  </p>
</form>

{# The rows, year links and empty filter form: bulletins/list_html.py (issue 11). #}
{{ rows_html }}
{% include "includes/pagination.html" %}
{% endblock %}
"""
)


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.fixture
def written(monkeypatch):
    """Each list page the view writes: (the request, the values it wrote the page from,
    the page as written)."""
    pages = []

    def list_page(request, values):
        page = list_html.list_page(request, values)
        pages.append((request, values, str(page)))
        return page

    monkeypatch.setattr(views, "list_page", list_page)
    return pages


def _shelf():
    # Number 1: the factory's running numbers reach the 100s the rows below take.
    first = make_issue("published", PUBLIC, year=2019, number=1, title="简报<甲>")
    Issue.objects.bulk_create(
        [
            Issue(
                series=first.series,
                year=2019 + n % 2,
                number=100 + n,
                title=f"简报{n}",
                summary="摘要" * n,
                issue_date=dt.date(2019 + n % 2, 1 + n % 12, 1),
                status=Issue.Status.PUBLISHED,
                published_at=first.published_at,
                visibility=INTERNAL if n % 4 == 0 else PUBLIC,
            )
            for n in range(50)
        ]
    )
    refresh_year_counts()


URLS = [
    "/bulletins/",
    "/bulletins/?page=2",
    "/bulletins/archive/2019/",
    "/bulletins/?q=%E7%AE%80%E6%8A%A5&page=2",
    "/bulletins/?page=2&q=%E7%AE%80%E6%8A%A5&year=2020",
    "/bulletins/?date_from=bad",
    "/bulletins/archive/2019/?q=%3Cb%3E%22",
    "/bulletins/?q=%E6%B2%A1%E6%9C%89",
    "/bulletins/?awaiting=on",
]
PERSONAS = ["anon", "unit_a", "unit_b", "office", "other_staff", "deactivated"]


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("url", URLS)
def test_the_page_is_the_one_the_template_printed(persona, language, url, written):
    from bulletins.list_html import empty_filter_form_html, rows_html, year_links_html

    _shelf()
    response = persona.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    [(request, values, page)] = written
    assert response.content.decode() == page
    user = response.wsgi_request.user
    counts = values["counts"]
    shows_ack = bool(acting_unit_id(user))  # 签收: a unit's readers
    acknowledged = {row["pk"] for row in values["rows"] if row.get("acknowledged")}
    year = values["year"]
    old = OLD_PAGE.render(
        {
            "filter": values["filter"],
            "form_fields": None
            if values["filter"]
            else empty_filter_form_html(
                series=[(s.pk, s.name) for s in {i.series for i in Issue.objects.all()}],
                years=[(y, str(y)) for y in counts],
                with_year=year is None,
                awaiting=shows_ack,
            ),
            "page": values["page"],
            "rows_html": mark_safe(
                rows_html(
                    values["rows"],
                    shows_ack=shows_ack,
                    acknowledged=acknowledged,
                    is_filtered=values["is_filtered"],
                )
            ),
            "year_links": mark_safe(year_links_html(counts, year)),
            "year": year,
            "is_filtered": values["is_filtered"],
        },
        request,
    )
    assert _without_tokens(page) == _without_tokens(old)
    # templates/bulletins/issue_list.html, which the view no longer renders, from the
    # same values
    template = render_to_string("bulletins/issue_list.html", values, request)
    assert _without_tokens(page) == _without_tokens(template)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_message_shows_once_as_the_template_had_it(client_a, language, written):
    """签收 from the list's page of an issue comes back with a message; the list shows
    the messages waiting (here, one left by the issue's 签收) and marks them shown."""
    issue = make_issue("published", PUBLIC, title="要签收的")
    refresh_year_counts()
    headers = {"accept-language": language}
    # (signing answers with a redirect to the issue page; the list shows the message
    # when it is the next page read)
    client_a.post(f"/bulletins/{issue.pk}/acknowledge/", headers=headers)
    first = client_a.get("/bulletins/", headers=headers).content.decode()
    again = client_a.get("/bulletins/", headers=headers).content.decode()
    assert '<ul class="messages">' in first and "message--success" in first
    assert '<ul class="messages">' not in again
    for request, values, page in written:
        template = render_to_string("bulletins/issue_list.html", values, request)
        assert _without_tokens(page) == _without_tokens(template)


def test_messages_count_as_shown(rf, anon_client):
    """The page marks the messages it lists as used, as the template's loop did."""
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.get("/bulletins/")
    request.session = anon_client.session
    request._messages = FallbackStorage(request)
    request._messages.add(20, "一条 <消息>")
    request.user = AnonymousUser()
    html = views.issue_list(request).content.decode()
    assert '<li class="message message--info">一条 &lt;消息&gt;</li>' in html
    assert get_messages(request).used
