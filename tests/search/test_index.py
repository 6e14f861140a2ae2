"""The index follows the content: publish, edit, withdraw, delete, attachments, meetings, tasks."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bulletins.models import AgendaItem, Article, Attachment, Issue
from portal.search import engine, index
from portal.search.models import SearchDocument
from portal.search.text import parse_query
from tests.factories import (
    make_assignment,
    make_issue,
    make_meeting,
    make_plan,
    make_report,
    make_task,
)

from .conftest import document_of, fts_rows

URL = "/search/"


def titles(q, queryset=None):
    queryset = queryset if queryset is not None else SearchDocument.objects.all()
    keys = engine.find(queryset, parse_query(q)).keys
    by_key = dict(SearchDocument.objects.values_list("sort_key", "title"))
    return [by_key[k] for k in keys]


def publish(issue):
    """Published by a plain save (the index follows the ORM, not only the services)."""
    issue.status = Issue.Status.PUBLISHED
    issue.published_at = timezone.now()
    issue.save()


def withdraw(issue):
    issue.status = Issue.Status.WITHDRAWN
    issue.withdrawn_at = timezone.now()
    issue.save()


def found_by(client, q) -> bool:
    return "search-hit__title" in client.get(URL, {"q": q}).content.decode()


def test_publishing_a_draft_makes_it_findable(db, anon_client, office_client):
    issue = make_issue("draft", title="新一期", body="<p>技能人才培养计划。</p>")
    assert found_by(office_client, "技能人才")  # the office sees drafts
    assert not found_by(anon_client, "技能人才")
    draft_label = document_of(issue).label
    publish(issue)
    assert found_by(anon_client, "技能人才")
    assert "草稿" in draft_label
    assert "草稿" not in document_of(issue).label


def test_the_bulletin_services_keep_the_index(db, office_user, anon_client, client_a):
    """Publishing, scheduled publishing and withdrawing through bulletins.services."""
    import datetime

    from django.utils import timezone

    from bulletins.services import (
        publish_due_issues,
        publish_issue,
        schedule_issue,
        withdraw_issue,
    )

    issue = make_issue("draft", title="新一期", body="<p>技能人才培养计划。</p>")
    assert not found_by(anon_client, "技能人才")
    publish_issue(issue=issue, by=office_user)
    assert found_by(anon_client, "技能人才")
    assert "草稿" not in document_of(issue).label
    withdraw_issue(issue=issue, by=office_user)
    assert not found_by(anon_client, "技能人才") and not found_by(client_a, "技能人才")
    assert "已撤回" in document_of(issue).label

    later = make_issue("draft", title="定时期", body="<p>劳模工匠进校园。</p>")
    schedule_issue(
        issue=later, publish_at=timezone.now() + datetime.timedelta(minutes=5), by=office_user
    )
    assert not found_by(anon_client, "劳模工匠进校园")
    publish_due_issues(now=timezone.now() + datetime.timedelta(minutes=10))
    assert found_by(anon_client, "劳模工匠进校园")


def test_editing_an_article_replaces_its_words(db, anon_client):
    issue = make_issue(title="简讯", body="<p>旧的说法：英才名匠。</p>")
    article = issue.articles.get()
    article.body = "<p>新的说法：大国工匠。</p>"
    article.save()
    assert found_by(anon_client, "大国工匠")
    assert not found_by(anon_client, "英才名匠")
    assert fts_rows("名匠") == 0  # the old tokens left the token store too


def test_editing_the_issue_title_and_date_moves_it(db):
    old = make_issue(title="旧标题", articles=[("文章", "<p>劳模</p>")], year=2019)
    new = make_issue(title="另一期", articles=[("文章", "<p>劳模</p>")], year=2020)
    assert titles("劳模") == ["另一期", "旧标题"]
    old.title = "改过的标题"
    old.issue_date = old.issue_date.replace(year=2021)
    old.save()
    assert titles("劳模") == ["改过的标题", "另一期"]
    assert titles("旧标题") == []
    assert SearchDocument.objects.count() == 2
    assert new.pk


def test_withdrawing_hides_it_at_once_but_not_from_the_office(
    db, anon_client, client_a, office_client
):
    issue = make_issue(title="将撤回", body="<p>错发的通知。</p>")
    assert found_by(anon_client, "错发的通知")
    withdraw(issue)
    assert not found_by(anon_client, "错发的通知")
    assert not found_by(client_a, "错发的通知")
    assert found_by(office_client, "错发的通知")


def test_withdrawing_by_a_bulk_update_still_hides_it(db, anon_client):
    # The hits shown are checked against Issue.visible_to at query time. (On PostgreSQL
    # the count follows the tokens' audience lexemes, which a bulk update bypassing the
    # signals leaves behind until rebuild_search_index: test_audiences.py.)
    issue = make_issue(title="将撤回", body="<p>错发的通知。</p>")
    Issue.objects.filter(pk=issue.pk).update(status="withdrawn", withdrawn_at=issue.published_at)
    assert not found_by(anon_client, "错发的通知")


def test_deleting_a_draft_removes_its_document_and_tokens(db, office_client):
    issue = make_issue("draft", title="草稿", body="<p>待删除的稿子里有独特词语。</p>")
    assert fts_rows("独特") == 1
    issue.delete()
    assert not SearchDocument.objects.exists()
    assert fts_rows("独特") == 0
    assert not found_by(office_client, "独特词语")


def test_deleting_an_article_or_attachment_updates_the_issue(db, anon_client):
    issue = make_issue(
        title="两篇",
        articles=[("甲文", "<p>甲文独有内容。</p>"), ("乙文", "<p>乙文独有内容。</p>")],
    )
    Attachment.objects.create(issue=issue, file="a/b.pdf", original_name="附件名单.pdf")
    assert found_by(anon_client, "乙文独有") and found_by(anon_client, "附件名单")
    Article.objects.get(title="乙文").delete()
    issue.attachments.get().delete()
    assert not found_by(anon_client, "乙文独有")
    assert not found_by(anon_client, "附件名单")
    assert found_by(anon_client, "甲文独有")


def test_inline_pictures_are_not_attachments_in_the_index(db, anon_client):
    issue = make_issue(title="有图", body="<p>正文</p>")
    Attachment.objects.create(
        issue=issue, file="a/p.png", original_name="插图文件名.png", is_inline=True
    )
    assert not found_by(anon_client, "插图文件名")


def test_distribution_units_are_searchable(db, anon_client, unit_b):
    issue = make_issue(title="抄送测试", body="<p>正文</p>")
    assert not found_by(anon_client, "新海石化有限")
    issue.distribution.add(unit_b)
    assert found_by(anon_client, "新海石化有限")
    issue.distribution.remove(unit_b)
    assert not found_by(anon_client, "新海石化有限")
    unit_b.distributed_issues.add(issue)
    assert found_by(anon_client, "新海石化有限")
    unit_b.distributed_issues.clear()
    assert not found_by(anon_client, "新海石化有限")


def test_renaming_a_series_updates_its_issues(db, anon_client):
    issue = make_issue(title="某期", body="<p>正文</p>")
    series = issue.series
    series.name = "改名后的系列名称"
    series.save()
    assert found_by(anon_client, "改名后的系列")


def test_meetings_follow_their_agenda(db, anon_client):
    meeting = make_meeting(
        title="联席会议", key_points="<p>听取汇报。</p>", agenda=["审议考核办法"]
    )
    assert found_by(anon_client, "考核办法")
    item = AgendaItem.objects.get()
    item.title = "审议奖励办法"
    item.save()
    assert found_by(anon_client, "奖励办法") and not found_by(anon_client, "考核办法")
    item.delete()
    assert not found_by(anon_client, "奖励办法")
    meeting.delete()
    assert not SearchDocument.objects.exists()


def test_tasks_and_reports_follow_edits(db, unit_a, client_a):
    task = make_task(make_plan(2020), title="建立职工书屋", requirement="每季度报送。")
    assignment = make_assignment(task, unit_a)
    report = make_report(assignment, "已建成两处。")
    assert found_by(client_a, "职工书屋")
    task.title = "建设职工之家"
    task.save()
    # The report's document carries its task's title.
    assert document_of(report).title.startswith(f"{task.number} 建设职工之家")
    report.text = "已建成三处，开展读书月。"
    report.save()
    assert found_by(client_a, "读书月")
    task.delete()
    assert not SearchDocument.objects.exists()


def test_a_save_of_unindexed_fields_does_not_touch_the_index(db):
    issue = make_issue(title="某期", body="<p>正文</p>")
    with CaptureQueriesContext(connection) as captured:
        issue.save(update_fields=["generated_pdf_key"])
    assert captured.captured_queries
    assert not [q for q in captured.captured_queries if "search_" in q["sql"]]


def test_an_unchanged_save_does_not_rewrite_the_document(db):
    issue = make_issue(title="某期", body="<p>正文</p>")
    before = document_of(issue)
    issue.save()
    after = document_of(issue)
    assert (before.pk, before.title) == (after.pk, after.title)
    assert before.content.text == after.content.text
    assert fts_rows("正文") == 1


@pytest.mark.parametrize("reset", [False, True])
def test_rebuild_restores_a_damaged_index(db, anon_client, reset, capsys):
    make_issue(title="某期", body="<p>弘扬劳模精神。</p>")
    meeting = make_meeting(title="会议", key_points="<p>研究部署。</p>")
    # Lose the documents behind the signals' back (as after a bulk import).
    index.clear()
    assert not found_by(anon_client, "劳模精神")
    call_command("rebuild_search_index", *(["--reset"] if reset else []))
    assert found_by(anon_client, "劳模精神") and found_by(anon_client, "研究部署")
    assert "Search index rebuilt: 2 sources" in capsys.readouterr().out
    # Running it again changes nothing and leaves exactly one set of tokens.
    call_command("rebuild_search_index", "--no-progress")
    assert SearchDocument.objects.count() == 2
    assert fts_rows("劳模") == 1
    assert meeting.pk


def test_rebuild_shows_a_progress_bar(db, capsys):
    make_issue(title="某期", body="<p>正文</p>")
    call_command("rebuild_search_index")
    assert "1/1" in capsys.readouterr().err


def test_the_token_store_exists_after_migrate(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
            assert "fts5" in cursor.fetchone()[0]
        else:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index.GIN_INDEX]
            )
            assert "gin" in cursor.fetchone()[0]
