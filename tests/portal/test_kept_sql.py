"""portal/kept_sql.py: a queryset compiled once per key gives the rows the ORM gives, with
each run's values; one statement per run, no compiling after the first."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.db.models import CharField, Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from bulletins.models import Issue, Series
from portal import kept_sql
from portal.kept_sql import Param, compile_query, kept_query
from tests.factories import INTERNAL, PUBLIC, SeriesFactory, make_issue

pytestmark = pytest.mark.django_db

FIELDS = ("pk", "series__name", "year", "title", "issue_date", "visibility")


@pytest.fixture
def issues():
    first, second = SeriesFactory(name="甲系列"), SeriesFactory(name="乙系列")
    made = []
    for n in range(6):
        made.append(
            make_issue(
                "published",
                INTERNAL if n % 3 == 0 else PUBLIC,
                series=first if n % 2 else second,
                year=2018 + n % 3,
                issue_date=dt.date(2018 + n % 3, 1 + n, 2),
                title=f"简报{n}",
            )
        )
    make_issue("draft", PUBLIC, year=2019, title="草稿")
    return made


def _by_year(year_value):
    return Issue.objects.published().filter(year=year_value).values(*FIELDS)


@pytest.mark.parametrize("year", [2018, 2019, 2020, 1999])
def test_rows_are_the_orms_for_each_value(issues, year):
    query = compile_query(_by_year(Param("year")))
    assert query.dicts({"year": year}) == list(_by_year(year))


def test_dates_come_back_as_dates_on_every_database(issues):
    row = compile_query(_by_year(Param("year"))).dicts({"year": 2019})[0]
    assert isinstance(row["issue_date"], dt.date)


@pytest.mark.parametrize("limit, offset", [(2, 0), (2, 2), (3, 1), (10, 0), (1, 5), (None, 3)])
def test_a_slice_given_when_running_is_the_orms_slice(issues, limit, offset):
    query = compile_query(Issue.objects.published().values(*FIELDS))
    expected = list(Issue.objects.published().values(*FIELDS))
    end = None if limit is None else offset + limit
    assert query.dicts(limit=limit, offset=offset) == expected[offset:end]


def test_values_list_rows_are_tuples(issues):
    queryset = Issue.objects.published().order_by("pk").values_list("pk", "title")
    assert compile_query(queryset).rows() == list(queryset)
    flat = Issue.objects.published().order_by("pk").values_list("pk", flat=True)
    assert [pk for (pk,) in compile_query(flat).rows()] == list(flat)


def test_a_param_may_stand_for_text_and_appear_twice(issues):
    queryset = (
        Issue.objects.published()
        .filter(title__gte=Param("from", CharField()))
        .exclude(title=Param("from", CharField()))
        .values_list("title", flat=True)
        .order_by("title")
    )
    rows = compile_query(queryset).rows({"from": "简报2"})
    assert [title for (title,) in rows] == ["简报3", "简报4", "简报5"]


def test_annotations_are_named_and_converted(issues):
    queryset = Series.objects.annotate(
        has_internal=Exists(Issue.objects.filter(series=OuterRef("pk"), visibility=INTERNAL))
    ).values("name", "has_internal")
    assert compile_query(queryset).dicts() == list(queryset)
    assert {type(row["has_internal"]) for row in compile_query(queryset).dicts()} == {bool}


def test_columns_are_named_in_the_order_asked_for(issues):
    """An annotation asked for between fields comes back under its own name."""
    queryset = Issue.objects.annotate(
        is_internal=Exists(Issue.objects.filter(pk=OuterRef("pk"), visibility=INTERNAL))
    ).values("pk", "is_internal", "series__name", "title")
    assert compile_query(queryset).dicts() == list(queryset)
    flat = queryset.values_list("title", "is_internal", "pk")
    assert compile_query(flat).rows() == list(flat)


def test_a_query_that_can_match_nothing_runs_no_statement(issues):
    query = compile_query(Issue.objects.filter(pk__in=[]).values("pk"))
    with CaptureQueriesContext(connection) as captured:
        assert query.dicts() == []
    assert not captured


def test_a_missing_value_is_an_error_not_a_guess(issues):
    with pytest.raises(KeyError):
        compile_query(_by_year(Param("year"))).dicts({})


def test_model_and_sliced_querysets_are_refused():
    with pytest.raises(TypeError):
        compile_query(Issue.objects.all())
    with pytest.raises(TypeError):
        compile_query(Issue.objects.values("pk")[:5])


def test_a_key_is_compiled_once_and_run_each_time(issues):
    kept_sql.forget()
    built = mock.Mock(side_effect=lambda: _by_year(Param("year")))
    with CaptureQueriesContext(connection) as captured:
        first = kept_query(("test", "by-year"), built).dicts({"year": 2018})
        second = kept_query(("test", "by-year"), built).dicts({"year": 2019})
    assert built.call_count == 1
    assert len(captured) == 2
    assert first == list(_by_year(2018)) and second == list(_by_year(2019))
    kept_sql.forget()


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(kept_sql, "MEMO_SIZE", 3)
    kept_sql.forget()
    for n in range(7):
        kept_query(("test", n), lambda: Issue.objects.values("pk"))
        assert len(kept_sql._kept) <= 3
    kept_sql.forget()
