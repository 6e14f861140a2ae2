"""A small corpus with tricky cases, made through the ORM (tests/factories.py) so the
index signals run."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from portal.search.index import FTS_TABLE
from portal.search.models import SearchDocument
from tests.factories import (
    SeriesFactory,
    make_assignment,
    make_issue,
    make_meeting,
    make_plan,
    make_report,
    make_task,
)


def tokens_of_d() -> str:
    """SQL for the tsvector of document ``d`` (PostgreSQL): in the document's row since
    search 0005, in its text row before (tests that migrate back)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns "
            "WHERE table_name = 'search_searchdocument' AND column_name = 'tokens'"
        )
        if cursor.fetchone():
            return "d.tokens"
    return "(SELECT t.tokens FROM search_searchtext t WHERE t.document_id = d.sort_key)"


def fts_rows(word_bigram: str) -> int:
    """Rows of the token store holding a bigram (SQLite FTS5 or PostgreSQL tsvector)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [f'"{word_bigram}"']
            )
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM search_searchdocument WHERE tokens @@ %s::tsquery",
                [f"'{word_bigram}'"],
            )
        return cursor.fetchone()[0]


@pytest.fixture
def corpus(db, unit_a, unit_b, today):
    """Documents each persona may or may not see, and the words only they contain."""
    series = SeriesFactory()
    other_series = SeriesFactory(name="市工投集团产改工作动态", slug="dongtai")
    c = {}
    c["public"] = make_issue(
        title="全市产业工人队伍建设改革试点工作部署推进会议主要精神",
        body="<p>江苏是制造业大省，也是产业工人大省。</p>"
        "<p>会议于２０２０年６月１日召开，王家全主持会议。</p>"
        "<p>要做到“三突出三提升”，弘扬劳模精神、工匠精神。</p>",
        series=series,
        attachment="附件：劳模创新工作室名单.xlsx",
    )
    c["punct"] = make_issue(
        title="技能竞赛简讯",
        body="<p>组织青年工人，队伍建设稳步推进。GB/T 9704-2012 版式。</p><p>老工人，人队伍壮大。</p>",
        series=other_series,
        year=2021,
        issue_date=datetime.date(2021, 3, 1),
    )
    c["internal"] = make_issue(
        title="内部通报",
        body="<p>仅限成员单位阅读的保密事项：机密研判意见。</p>",
        series=SeriesFactory(name="产改内部专刊", slug="neikan"),
        visibility="internal",
    )
    c["draft"] = make_issue(
        "draft", title="草稿期", body="<p>尚未发布的草拟稿件内容。</p>", series=other_series
    )
    c["withdrawn"] = make_issue(
        "withdrawn", title="撤回期", body="<p>已经撤回的错发稿件内容。</p>", series=other_series
    )
    c["meeting"] = make_meeting(
        title="产改联席会议",
        key_points="<p>会议听取了试点企业汇报。</p>",
        agenda=["审议年度任务清单"],
    )
    c["meeting_internal"] = make_meeting(
        "internal", title="产改办内部碰头会", key_points="<p>研究督办事项安排。</p>"
    )
    plan = make_plan(2020)
    end_of_2020 = datetime.date(2020, 12, 31)
    c["task_a"] = make_task(
        plan,
        "1.1",
        title="建立职工书屋",
        requirement="在各试点企业建设职工书屋并报送照片。",
        due=end_of_2020,
    )
    c["task_b"] = make_task(
        plan,
        "1.2",
        title="开展金牌工人评选",
        requirement="评选金牌工人并公示名单。",
        due=end_of_2020,
    )
    assignment_a = make_assignment(c["task_a"], unit_a)
    assignment_b = make_assignment(c["task_b"], unit_b)
    c["report_a"] = make_report(assignment_a, "人社局已建成职工书屋三处，读书月活动开展顺利。")
    c["report_b"] = make_report(assignment_b, "新海石化评出金牌工人五名，已完成公示。")
    return c


def document_of(obj) -> SearchDocument:
    """The one search document of a content object (keyed by content type and id)."""
    return SearchDocument.objects.get(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def doc_count() -> int:
    return SearchDocument.objects.count()
