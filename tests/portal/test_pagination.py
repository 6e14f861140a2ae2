"""The page links under a list (portal/pagination.py ``pagination_html``) are what
templates/includes/pagination.html printed with ``{% querystring %}``: the rest of the
query string kept (encoded once for both links), ``page`` where it stood or last."""

import pytest
from django.core.paginator import Paginator
from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from portal.pagination import pagination_html

# includes/pagination.html before it was written in Python.
OLD = engines["django"].from_string(
    """{% load i18n %}{% if page.paginator.num_pages > 1 %}
<nav class="pagination" aria-label="{% translate '分页' %}">
  {% if page.has_previous %}<a class="button button--secondary" href="{% querystring page=page.previous_page_number %}" rel="prev">{% translate "上一页" %}</a>{% endif %}
  <span>{% blocktranslate with n=page.number total=page.paginator.num_pages %}第 {{ n }} / {{ total }} 页{% endblocktranslate %}</span>
  {% if page.has_next %}<a class="button button--secondary" href="{% querystring page=page.next_page_number %}" rel="next">{% translate "下一页" %}</a>{% endif %}
</nav>
{% endif %}"""
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("number", [1, 2, 3])
@pytest.mark.parametrize(
    "query",
    [
        "",
        "page=2",
        "q=%E5%B7%A5%E4%BA%BA",
        "page=2&q=%E5%B7%A5%E4%BA%BA",
        "q=%E5%B7%A5%E4%BA%BA&page=2&year=2020",
        "page=1&page=2&q=a",
        "q=a&q=b+c&x=%3Cb%3E%22%27%26&page=9",
        "unit=3&unit=4",
        "q=",
        "%E9%A1%B5=1&pagex=2&xpage=3",
    ],
)
def test_the_links_are_the_templates(query, number, language):
    request = RequestFactory().get(f"/list/?{query}")
    page = Paginator(range(50), 20).page(number)
    with translation.override(language):
        old = OLD.render({"page": page}, request)
        assert str(pagination_html(request, page)) == old


def test_a_list_of_one_page_has_no_links():
    request = RequestFactory().get("/list/?q=a")
    assert pagination_html(request, Paginator(range(5), 20).page(1)) == ""
    assert pagination_html(None, None) == ""
