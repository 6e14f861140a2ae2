"""The issues and series tables' stamp (bulletins 0007, PostgreSQL): new on every change
of either table, whatever the path, and the search page's series select never stale."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bulletins.models import Issue, Series
from tests.factories import SeriesFactory, make_issue

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stamp's triggers are PostgreSQL's"
)


def _stamp():
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bulletins_series_stamp")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_every_change_of_the_issues_or_the_series_writes_a_new_stamp():
    series = SeriesFactory(name="产改专刊甲", slug="jia")
    issue = make_issue(title="简讯", body="<p>劳模工匠。</p>", series=series)
    writes = [
        lambda: Issue.objects.filter(pk=issue.pk).update(visibility="internal"),
        lambda: Series.objects.filter(pk=series.pk).update(name="产改专刊乙"),
        lambda: make_issue(title="又一期", body="<p>技能人才。</p>", series=series),
        lambda: Issue.objects.filter(pk=issue.pk).delete(),
        lambda: connection.cursor().execute("UPDATE bulletins_series SET ordering = ordering"),
    ]
    for write in writes:
        before = _stamp()
        write()
        assert _stamp() != before
    before = _stamp()
    with connection.cursor() as cursor:  # another table: the stamp stays
        cursor.execute("UPDATE bulletins_meeting SET title = title")
    # An issue's other columns only (a stored PDF, a title): nothing the choices show.
    Issue.objects.filter(series=series).update(title="新标题", generated_pdf_key="x")
    assert _stamp() == before
    Issue.objects.filter(series=series).first().save()  # a whole save sets status too
    assert _stamp() != before


def _series_select(client) -> str:
    html = client.get("/search/", {"q": "劳模工匠"}).content.decode()
    return re.search(r'<select name="series".*?</select>', html, re.S).group(0)


@pytest.mark.django_db
def test_the_search_page_offers_a_series_as_soon_as_an_issue_of_it_is_public(anon_client):
    make_issue(
        title="简讯", body="<p>劳模工匠。</p>", series=SeriesFactory(name="产改专刊甲", slug="jia")
    )
    assert "产改专刊甲" in _series_select(anon_client)
    with CaptureQueriesContext(connection) as captured:
        assert "产改专刊甲" in _series_select(anon_client)
    # Kept under the stamp: no statement of its own, the stamp read in the hits' one.
    assert not [
        q for q in captured if "bulletins_series" in q["sql"] and "SELECT m." not in q["sql"]
    ]
    new = SeriesFactory(name="产改新专刊", slug="xin")
    internal = make_issue(title="内部", body="<p>劳模工匠。</p>", series=new, visibility="internal")
    assert "产改新专刊" not in _series_select(anon_client)
    Issue.objects.filter(pk=internal.pk).update(visibility="public")
    assert "产改新专刊" in _series_select(anon_client)
    Series.objects.filter(pk=new.pk).update(name="产改更名专刊")
    select = _series_select(anon_client)
    assert "产改更名专刊" in select and "产改新专刊" not in select
