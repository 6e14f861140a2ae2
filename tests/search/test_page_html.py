"""What the results page writes in Python (issue 11) is the markup its templates write."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.template.loader import render_to_string
from django.test import RequestFactory

from portal.search.filters import SearchFilter
from portal.search.forms import SearchForm, fields_html, valid_search


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


@pytest.mark.parametrize(
    "query", [None, "q=工人", "q=工人&order=relevance", "q=工&order=", "q=xy&type="]
)
def test_the_form_without_filters_is_search_form_html_for_each_reader_and_language(
    corpus, office_user, user_a, query
):
    """``Unfiltered``'s selects are kept per language and ``selects_key``: readers who
    may filter by other kinds and series, in either language, get their own."""
    from django.utils import translation

    from portal.search import registry
    from portal.search.filters import Unfiltered

    seen = set()
    for language in ["zh-hans", "en", "zh-hans"]:
        for user in [AnonymousUser(), office_user, user_a, AnonymousUser()]:
            request = RequestFactory().get("/search/")
            request.user = user
            data = QueryDict(query) if query is not None else None
            with translation.override(language):
                form, unfiltered = SearchForm(data), Unfiltered(user)
                expected = render_to_string(
                    "search/form.html",
                    {"form": form, "filterset": SearchFilter(data, request=request)},
                )
                if form.is_bound and form.errors:
                    assert fields_html(form, unfiltered) is None
                    continue
                assert fields_html(form, unfiltered) == expected
                seen.add(expected)
                # A kind registered later is offered under the same key otherwise.
                assert unfiltered.selects_key()[0] == registry.version()
    # Anonymous readers and the signed-in (the office and a unit find the same kinds and
    # series here), in each language.
    assert query == "q=工&order=" or len(seen) == 4


def test_forms_share_their_fields_and_no_form_changes_them(corpus):
    """SearchForm's fields are shared, not copied per form: rendering a form with an
    error (aria-invalid, its message) leaves nothing behind on the next one."""
    request = RequestFactory().get("/search/")
    request.user = AnonymousUser()
    valid = QueryDict("q=工人&order=relevance")

    def rendered(data):
        form, filterset = SearchForm(data), SearchFilter(data, request=request)
        form.is_valid()
        html = render_to_string("search/search.html", {"form": form, "filterset": filterset})
        return form, filterset, html

    form, filterset, before = rendered(valid)
    assert fields_html(form, filterset) in before
    bad, _filterset, error_page = rendered(QueryDict("q=工&order=bogus"))
    assert bad.fields["q"] is form.fields["q"] and bad.errors.keys() == {"q", "order"}
    assert 'aria-invalid="true"' in error_page
    form, filterset, after = rendered(valid)
    assert after == before and "aria-invalid" not in after
    assert form.fields["q"].validators == []


@pytest.mark.parametrize(
    "query",
    [
        "q=工人",
        "q=工人&order=relevance",
        "q=工人&order=newest&page=2",
        "q=工人&order=",
        "q=%20工人%20%20劳模%20",
        "q=ＡＢＣ%20２０２５",
        "q=%3Cb%3E工人%26amp;'x",
        "q=工&q=工人",  # the last value, as the form's widgets read it
        "q=工人&q=工",
        "q=工人&order=Newest",
        "q=工人&order=bogus",
        "q=工人&order=relevance&order=x",
        "q=",
        "q=%20%20",
        "q=工",
        "q=%00",
        "q=，。",
        "q=" + "工人" * 60,
        "order=newest",
        "page=2",
    ],
)
def test_a_valid_search_without_the_form_is_what_the_form_cleans(query):
    """``valid_search`` answers exactly when ``SearchForm`` is valid, with its cleaned
    data; otherwise the page builds the form, which shows the error."""
    data = QueryDict(query)
    form, valid = SearchForm(data), valid_search(data)
    assert (valid is not None) == form.is_valid(), query
    if valid is not None:
        assert valid.cleaned_data == form.cleaned_data
        assert (valid.is_bound, valid.errors, valid.data) == (True, {}, data)
    assert valid_search(None) is None
