"""The results page written in Python (portal/search/page_html.py ``search_page`` on
portal/chrome.py ``page``) is, character for character, what templates/search/search.html
(on base.html) renders from the same context: every persona, both languages, the blank
form, hits, pages, orders, filters, facets, capped results, no hits and errors."""

import re

import pytest
from django.template.loader import render_to_string

from portal.search import engine, page_html, views
from portal.search.forms import SearchForm, ValidSearch

from .test_visibility import URL

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def both(monkeypatch):
    """Each page the view writes in Python, beside the template's rendering of its context."""
    pages = []

    def search_page(request, context):
        python = page_html.search_page(request, context)
        form = context["form"]
        if isinstance(form, ValidSearch):  # the template is given the form it stands for
            form = SearchForm(form.data)
            assert form.is_valid() and form.cleaned_data == context["form"].cleaned_data
            context = {**context, "form": form}
        template = render_to_string("search/search.html", context, request)
        pages.append((str(python), template))
        return python

    monkeypatch.setattr(views, "search_page", search_page)
    return pages


def _same(pages):
    for python, template in pages:
        # A CSRF token is masked anew each time it is asked for.
        assert TOKEN.sub("TOKEN", python) == TOKEN.sub("TOKEN", template)


QUERIES = [
    {},
    {"q": "工人"},
    {"q": "主持"},
    {"q": "主持", "order": "relevance"},
    {"q": "主持", "type": "meeting"},
    {"q": "主持", "series": "{series}"},
    {"q": "工作", "year": "2021"},
    {"q": "工作", "page": "2"},
    {"q": "金牌工人"},
    {"q": "量子纠缠"},
    {"q": "量子纠缠", "type": "issue"},
    {"q": "<b>工人&amp;'\"xy"},
    {"q": "  工人  劳模 "},
    {"q": "工人", "type": "", "series": "", "year": "", "order": ""},
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("persona", ["anon", "unit_b", "office"], indirect=True)
def test_the_page_is_the_templates_for_every_persona(corpus, persona, language, both):
    series = corpus["public"].series_id
    for params in QUERIES:
        params = {k: v.format(series=series) for k, v in params.items()}
        response = persona.get(URL, params, headers={"accept-language": language})
        assert response.status_code in (200, 404), params
    assert len(both) >= len(QUERIES) - 1
    _same(both)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("order", ["newest", "relevance"])
def test_capped_results_read_as_the_template_has_them(
    corpus, office_client, language, order, both, monkeypatch
):
    monkeypatch.setattr(engine, "LIMIT", 2)
    response = office_client.get(
        URL, {"q": "工作", "order": order}, headers={"accept-language": language}
    )
    assert "2+" in response.content.decode()
    assert len(both) == 1
    _same(both)


def test_many_pages_and_one_hit_of_a_page(db, anon_client, both, monkeypatch):
    from tests.factories import make_issue

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(5):
        make_issue(title=f"第{n}期 工匠", body=f"<p>工匠精神 {n}</p>")
    for page in ("1", "2", "3"):
        assert anon_client.get(URL, {"q": "工匠", "page": page}).status_code == 200
    assert len(both) == 3
    _same(both)


@pytest.mark.parametrize(
    "params",
    [{"q": ""}, {"q": "工"}, {"q": "工人", "type": "bogus"}, {"q": "工人", "order": "x"}],
)
def test_errors_are_left_to_the_template(corpus, anon_client, both, params):
    response = anon_client.get(URL, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="message message--error"' in page
    assert both == []
    # The filters' selects are there, none chosen (the first page written in Python
    # without a FilterSet lost them on this page when no filter was chosen).
    for name in ("type", "series", "year", "order"):
        assert f'<select name="{name}"' in page
    assert '<option value="" selected>全部系列</option>' in page
