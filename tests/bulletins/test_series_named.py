"""Issues of different series with the same number are told apart wherever they are named."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from bulletins import demo
from bulletins.models import Issue, Series
from tests.factories import PUBLIC, SeriesFactory, make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins():
    main = SeriesFactory(name="市工投集团产业工人队伍建设改革简报", slug="main")
    news = SeriesFactory(name="产改工作动态", slug="news")
    return [
        make_issue("published", PUBLIC, series=series, year=2021, number=4, title=title)
        for series, title in ((main, "主简报第四期"), (news, "工作动态第四期"))
    ]


def test_admin_issue_list_names_the_series(office_client, twins):
    html = office_client.get("/admin/bulletins/issue/").content.decode()
    assert "简报系列 · 期号" in html
    for issue in twins:
        assert f'<span class="issue-series">{issue.series.name}</span><br>2021年第四期' in html


def test_home_page_names_the_series(anon_client, twins):
    html = anon_client.get("/").content.decode()
    for issue in twins:
        assert f'<span class="home-panel__series">{issue.series.name}</span> 2021年第四期' in html


def test_demo_leaves_the_next_issue_after_the_reference_free():
    call_command("load_demo", force=True, stdout=StringIO())
    series = Series.objects.get(name=demo.SERIES_NAME)
    of_2020 = Issue.objects.filter(series=series, year=2020)
    assert sorted(of_2020.values_list("number", flat=True)) == [1, 2, 3, 4]
    reference = of_2020.get(number=4)
    assert all(i.issue_date < reference.issue_date for i in of_2020.exclude(pk=reference.pk))
    # The office types 第五期 after the reference issue, as its numbering suggests.
    following = Issue(
        series=series, year=2020, number=5, title="下一期", issue_date=dt.date(2020, 7, 1)
    )
    following.validate_unique()
