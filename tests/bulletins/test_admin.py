"""The office's admin: changelist actions through the services, delete rules, editing,
the 签收情况 page and its reminder, and who may do any of it (uploads: test_admin_uploads.py)."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bulletins import services
from bulletins.models import Article, Issue, ReadReceipt
from tests.factories import IssueFactory, SeriesFactory, UnitFactory

from .admin_forms_data import change_form_data

pytestmark = pytest.mark.django_db
S = Issue.Status
CHANGELIST = "/admin/bulletins/issue/"


def post_action(client, action, issues, **extra):
    data = {"action": action, "_selected_action": [i.pk for i in issues], "index": 0, **extra}
    return client.post(CHANGELIST, data, follow=True)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def status(issue) -> str:
    return Issue.objects.get(pk=issue.pk).status


# --- actions -----------------------------------------------------------------------


def test_publish_now_action_publishes_and_reports_refusals(office_client):
    ready = IssueFactory()
    incomplete = IssueFactory(printed_on=None)
    response = post_action(office_client, "publish_now", [ready, incomplete])
    assert response.status_code == 200
    assert status(ready) == S.PUBLISHED
    assert status(incomplete) == S.DRAFT
    text = messages_of(response)
    assert "已发布 1 期简报。" in text
    assert "1 项未能处理" in text and "请填写印发日期。" in text


def test_completeness_refusal_in_the_admin_changes_nothing(office_client):
    issue = IssueFactory(number=None, articles=0)
    before = Issue.objects.filter(pk=issue.pk).values().get()
    response = post_action(office_client, "publish_now", [issue])
    assert "请填写期号。" in messages_of(response)
    assert "简报至少要有一篇文章。" in messages_of(response)
    assert Issue.objects.filter(pk=issue.pk).values().get() == before


def test_schedule_action_asks_for_the_time_then_schedules(office_client):
    issue = IssueFactory()
    page = office_client.post(
        CHANGELIST, {"action": "schedule", "_selected_action": [issue.pk], "index": 0}
    )
    assert page.status_code == 200
    assert "定时发布时间" in page.content.decode() and issue.title in page.content.decode()
    assert status(issue) == S.DRAFT

    at = timezone.localtime() + dt.timedelta(days=2)
    response = post_action(
        office_client,
        "schedule",
        [issue],
        apply="1",
        publish_at=at.strftime("%Y-%m-%dT%H:%M"),
    )
    assert "已为 1 期简报设置定时发布。" in messages_of(response)
    issue.refresh_from_db()
    assert issue.status == S.SCHEDULED
    assert timezone.localtime(issue.publish_at).strftime("%Y-%m-%d %H:%M") == at.strftime(
        "%Y-%m-%d %H:%M"
    )


def test_schedule_action_refuses_a_past_time(office_client):
    issue = IssueFactory()
    past = (timezone.localtime() - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_action(office_client, "schedule", [issue], apply="1", publish_at=past)
    assert "定时发布时间必须晚于现在。" in response.content.decode()
    assert status(issue) == S.DRAFT


def test_withdraw_action(office_client, office_user):
    published = IssueFactory()
    services.publish_issue(issue=published, by=office_user)
    draft = IssueFactory()
    response = post_action(office_client, "withdraw", [published, draft])
    assert status(published) == S.WITHDRAWN and status(draft) == S.DRAFT
    text = messages_of(response)
    assert "已撤回 1 期简报。" in text and "只有已发布或定时发布的简报可以撤回。" in text


def test_actions_need_the_csrf_token(office_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    issue = IssueFactory()
    data = {"action": "publish_now", "_selected_action": [issue.pk], "index": 0}
    assert client.post(CHANGELIST, data).status_code == 403
    assert status(issue) == S.DRAFT
    client.get(CHANGELIST)
    data["csrfmiddlewaretoken"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    assert client.post(CHANGELIST, data).status_code == 302
    assert status(issue) == S.PUBLISHED


def test_unit_users_cannot_reach_the_admin(client_a):
    issue = IssueFactory()
    response = client_a.post(
        CHANGELIST, {"action": "publish_now", "_selected_action": [issue.pk], "index": 0}
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert status(issue) == S.DRAFT


def test_staff_outside_the_office_cannot_run_the_actions(other_staff):
    issue = IssueFactory()
    client = Client()
    client.force_login(other_staff)
    data = {"action": "publish_now", "_selected_action": [issue.pk], "index": 0}
    assert client.post(CHANGELIST, data).status_code == 403

    # Even allowed to edit issues, without the publish right the actions are not offered.
    other_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_issue", "change_issue"])
    )
    page = client.get(CHANGELIST)
    assert page.status_code == 200
    form = page.context["action_form"]  # None when no action at all is offered
    actions = set(dict(form.fields["action"].choices)) if form else set()
    assert not {"publish_now", "schedule", "withdraw", "remind_units"} & actions
    for action in ["publish_now", "schedule", "withdraw", "remind_units"]:
        client.post(CHANGELIST, {**data, "action": action, "apply": "1"})
    assert status(issue) == S.DRAFT
    receipts = reverse("admin:bulletins_issue_receipts", args=[issue.pk])
    assert client.get(receipts).status_code == 403


# --- deleting ---------------------------------------------------------------------


def test_published_issue_cannot_be_deleted(office_client, office_user):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    delete_url = reverse("admin:bulletins_issue_delete", args=[issue.pk])
    assert office_client.get(delete_url).status_code == 403
    assert office_client.post(delete_url, {"post": "yes"}).status_code == 403
    office_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [issue.pk], "post": "yes"},
    )
    assert Issue.objects.filter(pk=issue.pk).exists()
    services.withdraw_issue(issue=issue, by=office_user)
    assert office_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Issue.objects.filter(pk=issue.pk).exists()


def test_draft_may_be_deleted(office_client):
    issue = IssueFactory()
    response = office_client.post(
        reverse("admin:bulletins_issue_delete", args=[issue.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Issue.objects.filter(pk=issue.pk).exists()


def test_articles_of_a_published_issue_cannot_be_deleted_inline(office_client, office_user):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    url = reverse("admin:bulletins_issue_change", args=[issue.pk])
    data = change_form_data(office_client.get(url))
    data["articles-0-DELETE"] = "on"
    office_client.post(url, data)
    assert Article.objects.filter(issue=issue).count() == 1


def test_history_cannot_be_reverted(office_client, office_user):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    draft_version = issue.history.order_by("history_date").first()
    url = reverse("admin:bulletins_issue_simple_history", args=[issue.pk, draft_version.pk])
    assert office_client.get(url).status_code == 200
    assert office_client.post(url, {"title": "改回草稿"}).status_code == 403
    assert status(issue) == S.PUBLISHED


# --- editing ------------------------------------------------------------------------


def test_change_form_edits_content_but_never_the_status(office_client, office_user):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    url = reverse("admin:bulletins_issue_change", args=[issue.pk])
    data = change_form_data(office_client.get(url))
    data.update(
        {"title": "新标题", "status": "draft", "published_at": "", "articles-0-body": "<p>新</p>"}
    )
    response = office_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    issue.refresh_from_db()
    assert issue.title == "新标题" and issue.status == S.PUBLISHED and issue.published_at
    assert issue.articles.get().body == "<p>新</p>"
    assert issue.history.count() >= 2


def test_published_issue_keeps_its_required_fields(office_client, office_user):
    issue = IssueFactory()
    services.publish_issue(issue=issue, by=office_user)
    url = reverse("admin:bulletins_issue_change", args=[issue.pk])
    data = change_form_data(office_client.get(url))
    data["printed_on"] = ""
    response = office_client.post(url, data)
    assert response.status_code == 200
    assert "已定时发布或已发布的简报必须有印发日期。" in response.content.decode()
    assert Issue.objects.get(pk=issue.pk).printed_on is not None


def test_duplicate_number_is_refused_in_the_form(office_client):
    IssueFactory(number=4)
    other = IssueFactory(number=5)
    url = reverse("admin:bulletins_issue_change", args=[other.pk])
    data = change_form_data(office_client.get(url))
    data["number"] = "4"
    response = office_client.post(url, data)
    assert "该简报本年度已有同一期号。" in response.content.decode()
    assert Issue.objects.get(pk=other.pk).number == 5


def test_new_issue_starts_from_the_series_defaults(
    office_client, office_user, unit_a, unit_b, today
):
    series = SeriesFactory()
    series.distribution_units.set([unit_a])
    IssueFactory(series=series, year=today.year, number=3)
    IssueFactory(series=series, year=today.year - 1, number=9)  # last year's numbers don't count
    page = office_client.get(f"/admin/bulletins/issue/add/?series={series.pk}")
    form = page.context["adminform"].form
    assert form.initial["year"] == today.year
    assert form.initial["distribution"] == [unit_a.pk]
    assert form.initial["number"] == 4
    assert form.initial["issuing_office"] == series.issuing_office

    data = change_form_data(page)
    data.update(
        {
            "title": "新一期",
            "issue_date": "2026-06-02",
            "printed_on": "2026-06-02",
            "articles-0-title": "文章",
            "articles-0-body": "<p>正文</p>",
            "articles-0-order": "1",
        }
    )
    data.pop("distribution", None)  # cleared in the form: the series' units are used
    response = office_client.post("/admin/bulletins/issue/add/", data)
    assert response.status_code == 302, response.context["errors"]
    issue = Issue.objects.get(title="新一期")
    assert list(issue.distribution.all()) == [unit_a]
    assert issue.created_by == office_user and issue.updated_by == office_user
    assert issue.status == S.DRAFT


def test_search_by_title_and_number(office_client):
    fourth = IssueFactory(number=4, title="全市产改推进会议主要精神")
    twelfth = IssueFactory(number=12, title="技能竞赛")
    IssueFactory(number=4, year=2021, title="另一年")

    def found(term):
        page = office_client.get(CHANGELIST, {"q": term})
        return {i.pk for i in page.context["cl"].result_list}

    assert found("推进会议") == {fourth.pk}
    assert fourth.pk in found("第四期") and twelfth.pk not in found("第四期")
    assert found("第十二期") == {twelfth.pk}
    assert found("2020年第四期") == {fourth.pk}
    assert found("12") == {twelfth.pk}


def test_changelist_filters_and_query_count(office_client, django_assert_max_num_queries):
    for _ in range(30):
        IssueFactory()
    with django_assert_max_num_queries(15):
        page = office_client.get(CHANGELIST, {"status__exact": "draft", "year": "2020"})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 30


# --- the editor under the CSP --------------------------------------------------------


def test_editor_change_form_gets_a_nonce_only_there(office_client):
    issue = IssueFactory()
    page = office_client.get(reverse("admin:bulletins_issue_change", args=[issue.pk]))
    policy = page["Content-Security-Policy"]
    nonce = policy.split("'nonce-")[1].split("'")[0]
    html = page.content.decode()
    assert f'<script type="importmap" nonce="{nonce}">' in html
    assert "script-src 'self' 'nonce-" in policy
    assert "nonce-" not in office_client.get(CHANGELIST)["Content-Security-Policy"]


# --- 签收情况 --------------------------------------------------------------------------


@pytest.fixture
def distributed_issue(office_user, unit_a, unit_b):
    unit_c = UnitFactory(name="连云港港口集团", email="gangkou@example.cn")
    issue = IssueFactory(distribution=[unit_a, unit_b, unit_c])
    services.publish_issue(issue=issue, by=office_user)
    now = timezone.now()
    ReadReceipt.objects.create(
        issue=issue, unit=unit_a, first_viewed_at=now, first_downloaded_at=now, acknowledged_at=now
    )
    ReadReceipt.objects.create(issue=issue, unit=unit_b, first_viewed_at=now)
    return issue, unit_a, unit_b, unit_c


def test_receipts_page_lists_each_unit_and_who_has_not_signed(
    office_client, distributed_issue, django_assert_max_num_queries
):
    issue, unit_a, unit_b, unit_c = distributed_issue
    url = reverse("admin:bulletins_issue_receipts", args=[issue.pk])
    with django_assert_max_num_queries(12):
        page = office_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "抄送单位 3 个，已签收 1 个。" in html
    pending = html.split('id="pending-units"')[1].split("</ul>")[0]
    assert unit_b.name in pending and unit_c.name in pending and unit_a.name not in pending
    assert "未下载" in html and "未阅读" in html
    # The changelist shows the count too.
    assert "1/3 已签收" in office_client.get(CHANGELIST).content.decode()


def test_reminder_button_mails_only_the_units_that_have_not_signed(
    office_client, distributed_issue, django_capture_on_commit_callbacks
):
    issue, unit_a, unit_b, unit_c = distributed_issue
    url = reverse("admin:bulletins_issue_receipts", args=[issue.pk])
    # The button first says who will get the mail, and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        asked = office_client.post(url, {"remind": "1"})
    html = asked.content.decode()
    assert "将向以下 2 个未签收单位的联络员发送催签邮件" in html
    assert unit_b.name in html and unit_c.name in html and unit_a.name not in html
    assert "确认发送（2 个单位）" in html
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(url, {"remind": "1", "confirm": "yes"}, follow=True)
    assert "已向 2 个未签收单位发送催签邮件。" in messages_of(response)
    assert sorted(m.to[0] for m in mail.outbox) == ["gangkou@example.cn", "xinhai@example.cn"]
    assert all(f"/bulletins/{issue.pk}/" in m.body for m in mail.outbox)


def test_remind_action_on_the_changelist(
    office_client, distributed_issue, django_capture_on_commit_callbacks
):
    issue = distributed_issue[0]
    with django_capture_on_commit_callbacks(execute=True):
        asked = post_action(office_client, "remind_units", [issue])
    assert "将向以下 2 个未签收单位的联络员发送催签邮件" in asked.content.decode()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        response = post_action(office_client, "remind_units", [issue], confirm="yes")
    assert "已向 2 个单位发送催签邮件。" in messages_of(response)
    assert len(mail.outbox) == 2


def test_receipts_page_is_for_the_office_only(distributed_issue, other_staff, client_a):
    issue = distributed_issue[0]
    url = reverse("admin:bulletins_issue_receipts", args=[issue.pk])
    staff = Client()
    staff.force_login(other_staff)
    assert staff.get(url).status_code == 403
    assert staff.post(url, {"remind": "1"}).status_code == 403
    assert client_a.post(url, {"remind": "1"}).status_code == 302  # to the admin login
    assert mail.outbox == []


def test_meeting_admin_orders_agenda_items_and_links_issues(office_client, office_user):
    issue = IssueFactory()
    page = office_client.get("/admin/bulletins/meeting/add/")
    data = change_form_data(page)
    data.update(
        {
            "title": "推进会",
            "starts_at_0": "2020-06-01",
            "starts_at_1": "09:00",
            "place": "市行政中心350会议室",
            "chair": "王家全",
            "key_points": "<p>精神</p><script>x</script>",
            "issues": [str(issue.pk)],
            "agenda_items-TOTAL_FORMS": "2",
            "agenda_items-0-order": "2",
            "agenda_items-0-title": "胡建军讲话",
            "agenda_items-0-body": "<p>讲话</p>",
            "agenda_items-1-order": "1",
            "agenda_items-1-title": "宣读批示",
            "agenda_items-1-body": "",
        }
    )
    response = office_client.post("/admin/bulletins/meeting/add/", data)
    assert response.status_code == 302, response.context["errors"]
    from bulletins.models import Meeting

    meeting = Meeting.objects.get(title="推进会")
    assert [a.title for a in meeting.agenda_items.all()] == ["宣读批示", "胡建军讲话"]
    assert list(meeting.issues.all()) == [issue]
    assert meeting.key_points == "<p>精神</p>"


def test_preview_link_points_at_the_reader_page(office_client):
    issue = IssueFactory()
    html = office_client.get(CHANGELIST).content.decode()
    assert f'href="/bulletins/{issue.pk}/"' in html


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The same request first: the idle sign-out's once-a-minute session write (making
    # the issues may take over a minute on a busy machine) is no changelist query.
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_changelist_query_count_does_not_grow_with_issues(office_client, unit_a):
    for _ in range(5):
        IssueFactory(distribution=[unit_a])
    small = _queries(office_client, CHANGELIST)
    for _ in range(45):
        IssueFactory(distribution=[unit_a])
    assert _queries(office_client, CHANGELIST) == small


def test_receipts_page_query_count_does_not_grow_with_units(office_client, office_user):
    units = [UnitFactory() for _ in range(3)]
    issue = IssueFactory(distribution=units)
    services.publish_issue(issue=issue, by=office_user)
    for unit in units:
        ReadReceipt.objects.create(issue=issue, unit=unit, acknowledged_at=timezone.now())
    url = reverse("admin:bulletins_issue_receipts", args=[issue.pk])
    small = _queries(office_client, url)
    more = [UnitFactory() for _ in range(30)]
    issue.distribution.add(*more)
    for unit in more[:20]:
        ReadReceipt.objects.create(issue=issue, unit=unit, first_viewed_at=timezone.now())
    assert _queries(office_client, url) == small


def test_delete_selected_removes_drafts_only_when_all_are_drafts(office_client, office_user):
    drafts = [IssueFactory(), IssueFactory()]
    response = office_client.post(
        CHANGELIST,
        {"action": "delete_selected", "_selected_action": [i.pk for i in drafts], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Issue.objects.filter(pk__in=[i.pk for i in drafts]).exists()
