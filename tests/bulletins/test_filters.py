"""Filters narrow what the user may see; they never widen it."""

import re
from datetime import date

import pytest

from bulletins.models import Article, Issue
from tests.bulletins.reading_list import titles
from tests.factories import INTERNAL, PUBLIC, SeriesFactory, make_issue

pytestmark = pytest.mark.django_db

LIST = "/bulletins/"


def _titles(client, params):
    return sorted(titles(client.get(LIST, params)))


@pytest.fixture
def issues():
    main = SeriesFactory(name="市工投集团产业工人队伍建设改革简报")
    other = SeriesFactory(name="产改工作专报")
    secret = SeriesFactory(name="内部工作通讯")
    make_issue(
        "published",
        PUBLIC,
        series=main,
        year=2019,
        title="技能竞赛简报",
        issue_date=date(2019, 5, 1),
    )
    make_issue(
        "published",
        INTERNAL,
        series=main,
        year=2020,
        title="内部部署简报",
        issue_date=date(2020, 6, 2),
        summary="部署推进会议",
    )
    make_issue(
        "published",
        PUBLIC,
        series=other,
        year=2020,
        title="劳模工匠专报",
        issue_date=date(2020, 9, 1),
    )
    make_issue(
        "published",
        INTERNAL,
        series=secret,
        year=2021,
        title="通讯第一期",
        issue_date=date(2021, 3, 1),
    )
    make_issue(
        "draft", PUBLIC, series=main, year=2020, title="技能草稿", issue_date=date(2020, 7, 1)
    )
    return {"main": main, "other": other, "secret": secret}  # fmt: skip


def test_series_filter(client_a, issues):
    assert _titles(client_a, {"series": issues["main"].pk}) == ["内部部署简报", "技能竞赛简报"]


def test_year_filter(client_a, issues):
    assert _titles(client_a, {"year": 2020}) == ["内部部署简报", "劳模工匠专报"]


def test_date_range_filter(client_a, issues):
    params = {"date_from": "2020-01-01", "date_to": "2020-08-31"}
    assert _titles(client_a, params) == ["内部部署简报"]


def test_keyword_in_titles_summary_and_article_titles(client_a, issues):
    assert _titles(client_a, {"q": "技能"}) == ["技能竞赛简报"]  # not the draft
    assert _titles(client_a, {"q": "推进会议"}) == ["内部部署简报"]  # summary
    issue = Issue.objects.get(title="劳模工匠专报")
    Article.objects.create(issue=issue, title="弘扬工匠精神", body="")
    assert _titles(client_a, {"q": "工匠精神"}) == ["劳模工匠专报"]
    assert _titles(client_a, {"q": "劳模 专报"}) == ["劳模工匠专报"]  # every word


def test_anonymous_filters_stay_within_public_issues(anon_client, issues):
    assert _titles(anon_client, {"q": "部署"}) == []
    assert _titles(anon_client, {"series": issues["main"].pk}) == ["技能竞赛简报"]
    assert _titles(anon_client, {"year": 2020}) == ["劳模工匠专报"]


def test_anonymous_filter_choices_do_not_name_hidden_series_or_years(anon_client, client_a, issues):
    anon = anon_client.get(LIST).content.decode()
    assert "内部工作通讯" not in anon
    assert '<option value="2021">' not in anon
    member = client_a.get(LIST).content.decode()
    assert "内部工作通讯" in member
    assert '<option value="2021">' in member


def test_a_hidden_series_in_the_query_narrows_to_nothing(anon_client, issues):
    response = anon_client.get(LIST, {"series": issues["secret"].pk})
    assert titles(response) == []
    assert "通讯第一期" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [{"year": "1999"}, {"year": "abc"}, {"date_from": "not-a-date"}, {"q": "字" * 51}],
)
def test_invalid_filter_values_narrow_to_nothing(client_a, issues, params):
    response = client_a.get(LIST, params)
    assert titles(response) == []
    assert "没有符合条件的简报" in response.content.decode()


@pytest.mark.parametrize("params", [{"year": "abc"}, {"date_from": "not-a-date"}, {"q": "字" * 51}])
def test_a_field_in_error_is_described_by_its_message(client_a, issues, params):
    page = client_a.get(LIST, params).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert described, "the field in error names its message"
    for ids in described:
        for element_id in ids.split():
            assert page.count(f'id="{element_id}"') == 1, element_id


def test_filters_apply_within_a_year_archive(client_a, issues):
    response = client_a.get("/bulletins/archive/2020/", {"q": "劳模"})
    assert titles(response) == ["劳模工匠专报"]
    assert 'name="year"' not in response.content.decode()


def test_every_filter_has_a_chinese_label():
    from bulletins.filters import IssueFilter

    for name, filter_ in IssueFilter.base_filters.items():
        label = str(filter_.label or "")
        assert label and all("\u4e00" <= ch <= "\u9fff" for ch in label), name


def test_paging_keeps_the_filters(client_a):
    for n in range(1, 23):
        make_issue("published", PUBLIC, number=n, title=f"竞赛简报{n}")
    html = client_a.get(LIST, {"q": "竞赛"}).content.decode()
    assert "?q=%E7%AB%9E%E8%B5%9B&amp;page=2" in html
