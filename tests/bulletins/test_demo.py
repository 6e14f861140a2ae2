"""The bulletins demo: the reference issue split faithfully, its meeting, generated issues."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.utils import timezone

from bulletins import demo
from bulletins.models import Issue, Meeting, ReadReceipt

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    return Issue.objects.get(series__name=demo.SERIES_NAME, year=2020, number=4)


def test_reference_issue(loaded):
    issue = loaded
    assert issue.title == "全市产业工人队伍建设改革试点工作部署推进会议主要精神"
    assert issue.number_label == "2020年第四期"
    assert str(issue.issue_date) == "2020-06-02" and str(issue.printed_on) == "2020-06-02"
    assert issue.issuing_office == "工投集团公司产改领导小组办公室"
    assert issue.distribution_line == "各直属单位、集团各部门"
    assert issue.distribution.count() == 9
    assert issue.status == Issue.Status.PUBLISHED and issue.visibility == "public"
    assert Issue.objects.visible_to(AnonymousUser()).filter(pk=issue.pk).exists()


def test_reference_text_is_split_into_headings_and_paragraphs(loaded):
    body = loaded.articles.get().body
    headings = re.findall(r"<(h[23])>(.*?)</h[23]>", body)
    assert [h for h, _ in headings] == ["h2", "h2", "h2", "h3", "h3", "h3"]
    assert headings[0][1] == "一、徐家保副市长宣读了项书记批示，传达了省试点工作会议精神。"
    assert headings[3][1] == "（一）回顾前期我市产改工作阶段工作成效"
    paragraphs = re.findall(r"<p>(.*?)</p>", body)
    assert len(paragraphs) == 15
    # Paragraphs the text file cuts at page breaks are whole again.
    assert any("也是产业工人大省，要抓住" in p for p in paragraphs)
    assert any("省份之一，省委娄勤俭书记" in p for p in paragraphs)
    assert any("最大限度地把广大职工" in p and "今年是脱贫攻坚决战之年" in p for p in paragraphs)
    assert not any(p.endswith(("产业工", "最大限", "脱贫")) for p in paragraphs)
    # Masthead and 版记 are not body text.
    assert "抄送" not in body and "印发" not in body and "简 报" not in body


def test_reference_meeting(loaded):
    meeting = Meeting.objects.get()
    assert meeting.place == "市行政中心350会议室" and meeting.chair == "王家全"
    assert meeting.leaders_present == "胡建军、王家全、徐家保"
    assert str(timezone.localtime(meeting.starts_at).date()) == "2020-06-01"
    assert [a.title for a in meeting.agenda_items.all()] == [
        "徐家保副市长宣读了项书记批示，传达了省试点工作会议精神",
        "市人社局、市国资委、赣榆区委、江苏新海石化有限公司四家单位进行了交流发言",
        "市委常委、组织部部长胡建军讲话的主要精神",
    ]
    assert list(meeting.issues.all()) == [loaded]


def test_generated_issues_cover_years_visibilities_and_states(loaded):
    years = {2018, 2019, 2020, 2021}
    assert set(Issue.objects.values_list("year", flat=True)) >= years
    # Other years only hold the issues the 信息报送 demo adopted pieces into.
    assert not Issue.objects.exclude(year__in=years).filter(adoptions__isnull=True).exists()
    assert Issue.objects.count() >= 30
    published = Issue.objects.filter(status=Issue.Status.PUBLISHED)
    assert published.filter(visibility="public").count() >= 10
    assert published.filter(visibility="internal").count() >= 5
    assert {"draft", "scheduled", "withdrawn"} <= set(
        Issue.objects.values_list("status", flat=True)
    )
    # Published through the services: every one has a publication time and a revision.
    for issue in published:
        assert issue.published_at and issue.history.filter(status="published").exists()


def test_demo_is_idempotent(loaded):
    counts = (Issue.objects.count(), Meeting.objects.count(), ReadReceipt.objects.count())
    body = loaded.articles.get().body
    call_command("load_demo", stdout=StringIO())
    assert (Issue.objects.count(), Meeting.objects.count(), ReadReceipt.objects.count()) == counts
    assert Issue.objects.get(pk=loaded.pk).articles.get().body == body
    assert demo.load(password=None, stdout=None) == []
