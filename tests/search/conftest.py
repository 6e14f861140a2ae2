"""A small corpus with tricky cases, made through the ORM so the index signals run."""

import datetime
import itertools

import pytest
from django.db import connection
from django.utils import timezone

from bulletins.models import AgendaItem, Article, Attachment, Issue, Meeting, Series
from portal.search.index import FTS_TABLE
from portal.search.models import SearchDocument
from tasks.models import Assignment, Plan, ProgressReport, Task

_numbers = itertools.count(1)


def make_series(name="市工投集团产业工人队伍建设改革简报", slug="chanye"):
    series, _ = Series.objects.get_or_create(slug=slug, defaults={"name": name})
    return series


def make_issue(
    title,
    body="",
    *,
    series=None,
    status="published",
    visibility="public",
    year=2020,
    issue_date=None,
    articles=None,
    attachment=None,
):
    """An issue with one article (or ``articles``: list of (title, body)), in the given state."""
    now = timezone.now()
    issue = Issue.objects.create(
        series=series or make_series(),
        year=year,
        number=next(_numbers),
        title=title,
        issue_date=issue_date or datetime.date(year, 6, 2),
        printed_on=issue_date or datetime.date(year, 6, 2),
        issuing_office="工投集团公司产改领导小组办公室",
        visibility=visibility,
        status=status,
        published_at=now if status in ("published", "withdrawn") else None,
        withdrawn_at=now if status == "withdrawn" else None,
    )
    for order, (art_title, art_body) in enumerate(articles or [(title, body)]):
        Article.objects.create(issue=issue, order=order, title=art_title, body=art_body)
    if attachment:
        Attachment.objects.create(
            issue=issue,
            title="",
            file="attachments/2020/test.xlsx",
            original_name=attachment,
        )
    return issue


def publish(issue):
    issue.status = Issue.Status.PUBLISHED
    issue.published_at = timezone.now()
    issue.save()


def withdraw(issue):
    issue.status = Issue.Status.WITHDRAWN
    issue.withdrawn_at = timezone.now()
    issue.save()


def make_meeting(title, key_points="", *, visibility="public", agenda=(), day=None):
    meeting = Meeting.objects.create(
        title=title,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(day or datetime.date(2020, 6, 1), datetime.time(9))
        ),
        place="市行政中心350会议室",
        chair="王家全",
        key_points=key_points,
        visibility=visibility,
    )
    for order, item in enumerate(agenda):
        AgendaItem.objects.create(meeting=meeting, order=order, title=item, body="")
    return meeting


def make_task(title, requirement, *, units=(), number=None, plan=None):
    plan = plan or Plan.objects.get_or_create(year=2020, title="2020年度产改任务清单")[0]
    task = Task.objects.create(
        plan=plan,
        number=number or f"1.{next(_numbers)}",
        title=title,
        requirement=requirement,
        due_date=datetime.date(2020, 12, 31),
    )
    assignments = [Assignment.objects.create(task=task, unit=unit) for unit in units]
    return task, assignments


def make_report(assignment, text, period="2020-06"):
    return ProgressReport.objects.create(
        assignment=assignment, period=period, text=text, submitted_at=timezone.now()
    )


def fts_rows(word_bigram: str) -> int:
    """Rows of the token store holding a bigram (SQLite FTS5 or PostgreSQL tsvector)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"SELECT COUNT(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [f'"{word_bigram}"']
            )
        else:
            cursor.execute(
                "SELECT COUNT(*) FROM search_searchtext WHERE tokens @@ %s::tsquery",
                [f"'{word_bigram}'"],
            )
        return cursor.fetchone()[0]


@pytest.fixture
def corpus(db, unit_a, unit_b):
    """Documents each persona may or may not see, and the words only they contain."""
    series = make_series()
    other_series = make_series("市工投集团产改工作动态", "dongtai")
    c = {}
    c["public"] = make_issue(
        "全市产业工人队伍建设改革试点工作部署推进会议主要精神",
        "<p>江苏是制造业大省，也是产业工人大省。</p>"
        "<p>会议于２０２０年６月１日召开，王家全主持会议。</p>"
        "<p>要做到“三突出三提升”，弘扬劳模精神、工匠精神。</p>",
        series=series,
        attachment="附件：劳模创新工作室名单.xlsx",
    )
    c["punct"] = make_issue(
        "技能竞赛简讯",
        "<p>组织青年工人，队伍建设稳步推进。GB/T 9704-2012 版式。</p><p>老工人，人队伍壮大。</p>",
        series=other_series,
        year=2021,
        issue_date=datetime.date(2021, 3, 1),
    )
    c["internal"] = make_issue(
        "内部通报",
        "<p>仅限成员单位阅读的保密事项：机密研判意见。</p>",
        series=make_series("产改内部专刊", "neikan"),
        visibility="internal",
    )
    c["draft"] = make_issue(
        "草稿期", "<p>尚未发布的草拟稿件内容。</p>", series=other_series, status="draft"
    )
    c["withdrawn"] = make_issue(
        "撤回期", "<p>已经撤回的错发稿件内容。</p>", series=other_series, status="withdrawn"
    )
    c["meeting"] = make_meeting(
        "产改联席会议", "<p>会议听取了试点企业汇报。</p>", agenda=["审议年度任务清单"]
    )
    c["meeting_internal"] = make_meeting(
        "产改办内部碰头会", "<p>研究督办事项安排。</p>", visibility="internal"
    )
    c["task_a"], (assignment_a,) = make_task(
        "建立职工书屋", "在各试点企业建设职工书屋并报送照片。", units=[unit_a]
    )
    c["task_b"], (assignment_b,) = make_task(
        "开展金牌工人评选", "评选金牌工人并公示名单。", units=[unit_b]
    )
    c["report_a"] = make_report(assignment_a, "人社局已建成职工书屋三处，读书月活动开展顺利。")
    c["report_b"] = make_report(assignment_b, "新海石化评出金牌工人五名，已完成公示。")
    return c


def doc_count() -> int:
    return SearchDocument.objects.count()
