"""The reading list's parts written in Python (bulletins/list_html.py) print what the
templates printed: the empty filter form as django-filter renders it, each row's cover,
number, badges, summary and date."""

import re

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils.text import Truncator

from bulletins.filters import IssueFilter
from bulletins.models import Issue
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
    years = [row["year"] for row in response.context["years"]]
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
