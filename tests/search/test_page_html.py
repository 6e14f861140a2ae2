"""What the results page writes in Python (issue 11) is the markup its templates write."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory

from portal.search.filters import SearchFilter
from portal.search.forms import SearchForm, fields_html


@pytest.mark.parametrize(
    "query",
    [
        None,
        "q=工人",
        "q=工人&type=issue",
        "q=工人&type=meeting&year=2020&order=relevance",
        "q=工人&series={series}&order=newest",
        "q=%3Cb%3E工人%26amp;'x",
    ],
)
@pytest.mark.parametrize("who", ["anon", "office"])
def test_the_form_written_in_python_is_search_form_html(corpus, office_user, who, query):
    request = RequestFactory().get("/search/")
    request.user = office_user if who == "office" else AnonymousUser()
    series = next(iter(SearchFilter(None, request=request).group_names["series"]))
    data = QueryDict(query.format(series=series)) if query is not None else None
    form = SearchForm(data)
    filterset = SearchFilter(data, request=request)
    if data is not None:
        assert form.is_valid() and filterset.is_valid()
    expected = render_to_string("search/form.html", {"form": form, "filterset": filterset})
    assert fields_html(form, filterset) == expected


def test_a_field_with_an_error_is_left_to_the_template(corpus):
    request = RequestFactory().get("/search/")
    request.user = AnonymousUser()
    data = QueryDict("q=工人&type=bogus")
    form, filterset = SearchForm(data), SearchFilter(data, request=request)
    assert form.is_valid() and not filterset.is_valid()
    assert fields_html(form, filterset) is None
