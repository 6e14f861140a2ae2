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
    # A whole save writes every column: the stamp moves only if one of the three differs
    # (bulletins 0008 compares them).
    again = Issue.objects.filter(series=series).first()
    again.save()
    assert _stamp() == before
    again.visibility = "public" if again.visibility != "public" else "internal"
    again.save()
    assert _stamp() != before


@pytest.mark.django_db
def test_a_later_migration_may_change_or_drop_the_columns_the_stamp_watches():
    """Found by the review: 0007's UPDATE OF status, visibility, series_id tied the
    trigger to those columns: a type change failed, and dropping one (CASCADE) silently
    dropped the whole trigger, after which the stamp stood still."""
    old = Issue._meta.get_field("status")
    new = old.clone()
    new.max_length = old.max_length + 10
    new.set_attributes_from_name("status")
    new.model = Issue
    with connection.schema_editor() as editor:
        editor.alter_field(Issue, old, new)
    issue = make_issue(title="简讯", body="<p>劳模工匠。</p>")
    before = _stamp()
    Issue.objects.filter(pk=issue.pk).update(visibility="internal")
    assert _stamp() != before
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'bulletins_issue'::regclass "
            "AND NOT tgisinternal ORDER BY tgname"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert {"bulletins_series_stamp", "bulletins_series_stamp_update"} <= set(names)


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
