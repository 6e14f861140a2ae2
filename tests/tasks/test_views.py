"""Pages: what a unit and the office see, extra POST fields ignored, filters only
narrow, conflicts shown on the bound form, CSRF, downloads, constant query counts."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tasks.models import Assignment, Problem, ProgressReport, Reminder, Task
from tests.factories import acknowledged, make_task, pdf

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


# --- what a unit sees ---------------------------------------------------------------


def test_unit_list_shows_own_assignments_with_lights(assignment_a, assignment_b, client_a):
    Task.objects.filter(pk=assignment_a.task_id).update(
        due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    page = text(client_a.get(reverse("tasks:assignment_list")))
    assert "任务1.1" in page and "light--red" in page
    assert reverse("tasks:assignment_detail", args=[assignment_a.pk]) in page
    assert reverse("tasks:assignment_detail", args=[assignment_b.pk]) not in page


def test_filter_for_another_unit_narrows_to_nothing(
    assignment_a, assignment_b, unit_b, client_a, office_client
):
    page = text(client_a.get(reverse("tasks:assignment_list"), {"unit": unit_b.pk}))
    assert reverse("tasks:assignment_detail", args=[assignment_a.pk]) not in page
    assert reverse("tasks:assignment_detail", args=[assignment_b.pk]) not in page
    assert "筛选条件无效" in page
    page = text(office_client.get(reverse("tasks:overview"), {"unit": unit_b.pk}))
    assert reverse("tasks:assignment_detail", args=[assignment_b.pk]) in page
    assert reverse("tasks:assignment_detail", args=[assignment_a.pk]) not in page


def test_sorting_by_due_date(plan, unit_a, client_a):
    today = timezone.localdate()
    late = Assignment.objects.create(
        task=make_task(plan, "1", due=today + datetime.timedelta(90)), unit=unit_a
    )
    soon = Assignment.objects.create(
        task=make_task(plan, "2", due=today + datetime.timedelta(5)), unit=unit_a
    )
    for order, first, second in [("due", soon, late), ("-due", late, soon)]:
        page = text(client_a.get(reverse("tasks:assignment_list"), {"ordering": order}))
        a = page.index(reverse("tasks:assignment_detail", args=[first.pk]))
        b = page.index(reverse("tasks:assignment_detail", args=[second.pk]))
        assert a < b, order


def test_out_of_range_page_is_404(client_a, assignment_a):
    assert client_a.get(reverse("tasks:assignment_list"), {"page": 99}).status_code == 404
    assert client_a.get(reverse("tasks:assignment_list"), {"page": "x"}).status_code == 404


@pytest.mark.parametrize("number", ["0", "-1", str(2**31 + 1), "9" * 20])
def test_a_page_number_past_any_list_is_404_on_every_list(
    client_a, office_client, assignment_a, number
):
    # An offset past the database's integers made SQLite raise (a 500) on the kept SQL.
    assert client_a.get(reverse("tasks:assignment_list"), {"page": number}).status_code == 404
    assert client_a.get("/bulletins/", {"page": number}).status_code == 404
    assert client_a.get("/search/", {"q": "任务", "page": number}).status_code == 404
    assert office_client.get(reverse("tasks:overview"), {"page": number}).status_code == 404


def test_pages_are_private(client_a, assignment_a):
    response = client_a.get(reverse("tasks:assignment_list"))
    assert "private" in response["Cache-Control"]


# --- writes ignore extra fields -------------------------------------------------------


def test_report_post_with_status_and_unit_extras_changes_nothing_else(
    assignment_a, user_a, client_a, unit_b
):
    acknowledged(assignment_a, user_a)
    response = client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]),
        {
            "period": "2026-06",
            "percent": "30",
            "text": "正常报送",
            "status": "closed",
            "unit": unit_b.pk,
            "review_status": "accepted",
            "assignment": 999,
            "progress": 100,
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert report.assignment_id == assignment_a.pk and report.review_status == "pending"
    assignment_a.refresh_from_db()
    assert assignment_a.status == "in_progress" and assignment_a.unit_id != unit_b.pk
    assert assignment_a.progress == 0


def test_acknowledge_with_status_extra(assignment_a, client_a):
    client_a.post(
        reverse("tasks:assignment_acknowledge", args=[assignment_a.pk]), {"status": "closed"}
    )
    assignment_a.refresh_from_db()
    assert assignment_a.status == "acknowledged"


def test_problem_post_with_unit_extra_stays_in_own_unit(client_a, unit_a, unit_b, assignment_b):
    client_a.post(
        reverse("tasks:problem_list"),
        {
            "title": "问题",
            "text": "说明",
            "unit": unit_b.pk,
            "status": "answered",
            "task": assignment_b.task_id,
        },
    )
    # Another unit's task is not a valid choice: nothing is saved.
    assert not Problem.objects.exists()
    client_a.post(
        reverse("tasks:problem_list"),
        {"title": "问题", "text": "说明", "unit": unit_b.pk, "status": "answered", "reply": "x"},
    )
    problem = Problem.objects.get()
    assert problem.unit_id == unit_a.pk and problem.status == "open" and problem.reply == ""


def test_review_post_cannot_set_other_fields(report_a, office_client):
    office_client.post(
        reverse("tasks:report_review", args=[report_a.pk]),
        {"decision": "accept", "version": report_a.version, "percent": 100, "text": "改写"},
    )
    report_a.refresh_from_db()
    assert report_a.review_status == "accepted" and report_a.text == "人社局进展"


# --- conflicts on bound forms --------------------------------------------------------


def test_conflicting_review_keeps_the_second_reviewers_input(
    report_a, office_client, other_staff, office_group
):
    other_staff.groups.add(office_group)
    second = Client()
    second.force_login(other_staff)
    url = reverse("tasks:report_review", args=[report_a.pk])
    version = re.search(r'name="version" value="(\d+)"', text(second.get(url))).group(1)
    office_client.post(url, {"decision": "accept", "version": version})
    response = second.post(
        url, {"decision": "return", "comment": "我的退回意见", "version": version}
    )
    page = text(response)
    assert response.status_code == 200
    assert "已被他人修改" in page and "我的退回意见" in page
    report_a.refresh_from_db()
    assert report_a.review_status == "accepted"


def test_unit_edit_during_review_shows_conflict_and_keeps_text(report_a, client_a, office_user):
    from tasks import services

    url = reverse("tasks:report_edit", args=[report_a.pk])
    version = re.search(r'name="version" value="(\d+)"', text(client_a.get(url))).group(1)
    services.accept_report(report=report_a, by=office_user, version=None)
    response = client_a.post(
        url, {"period": "2026-06", "percent": "55", "text": "我刚写的修改", "version": version}
    )
    page = text(response)
    assert response.status_code == 200 and "我刚写的修改" in page
    assert "已被他人修改" in page
    report_a.refresh_from_db()
    assert report_a.text == "人社局进展"


# --- the office's pages ---------------------------------------------------------------


def test_overview_has_rates_charts_and_links(report_a, assignment_b, office_client):
    page = text(office_client.get(reverse("tasks:overview")))
    assert "<svg" in page and "完成率" in page and "按时完成率" in page
    assert "市人社局" in page and "江苏新海石化有限公司" in page
    assert reverse("tasks:assignment_detail", args=[assignment_b.pk]) in page
    # The charts need no script (the site's one script is the idle warning's).
    page = page.replace('<script src="/static/js/idle.js" defer></script>', "")
    assert "cdn" not in page.lower() and "<script" not in page


def test_overview_escapes_what_units_and_tasks_are_named(assignment_b, office_client):
    """The rows, tables and charts are written in Python: names are escaped there, long
    names are cut in the chart, an extended due date shows its badge."""
    unit = assignment_b.unit
    unit.name, unit.short_name = "<b>很长很长的单位名称超过十二个字</b>", ""
    unit.save()
    Task.objects.filter(pk=assignment_b.task_id).update(title="<i>任务</i>", category="A&B")
    Assignment.objects.filter(pk=assignment_b.pk).update(
        extended_due_date=datetime.date(2030, 1, 2)
    )
    page = text(office_client.get(reverse("tasks:overview") + "?plan="))
    assert "<b>" not in page and "<i>" not in page
    assert "&lt;b&gt;很长很长的单位名称超过十二个字&lt;/b&gt;（" in page  # the row
    chart_label = 'text-anchor="end">&lt;b&gt;很长很长的单'
    assert chart_label in page and chart_label + "位名称" not in page  # cut in the chart
    assert ">A&amp;B</a>" in page and "&lt;i&gt;任务&lt;/i&gt;</a>" in page
    assert '2030-01-02 <span class="badge">已延期</span>' in page


def test_remind_page_sends_notice_unit_sees_and_marks_read(
    assignment_a, office_client, client_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(
            reverse("tasks:remind"), {"assignments": [assignment_a.pk], "message": "请周五前报送"}
        )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["renshe@example.cn"]]
    page = text(client_a.get(reverse("tasks:assignment_list")))
    assert "请周五前报送" in page
    reminder = Reminder.objects.get()
    client_a.post(reverse("tasks:reminder_read", args=[reminder.pk]))
    assert "请周五前报送" not in text(client_a.get(reverse("tasks:assignment_list")))


def test_problem_reply_reaches_the_unit(problem_a, office_client, client_a):
    office_client.post(
        reverse("tasks:problem_detail", args=[problem_a.pk]),
        {"reply": "已协调财政局", "version": problem_a.version},
    )
    assert "已协调财政局" in text(
        client_a.get(reverse("tasks:problem_detail", args=[problem_a.pk]))
    )


def test_plan_assign_many_at_once(plan, task, unit_a, unit_b, office_client):
    t2 = make_task(plan, "2.2")
    office_client.post(
        reverse("tasks:plan_assign", args=[plan.pk]),
        {"tasks": [task.pk, t2.pk], "units": [unit_a.pk, unit_b.pk], "role": "cooperate"},
    )
    assert Assignment.objects.filter(role="cooperate").count() == 4


def test_home_panel(assignment_a, client_a):
    page = text(client_a.get("/"))
    # The nav links to the unit's tasks on every page; the panel's own button is what counts.
    assert "改革任务" in page and "查看我的任务" in page


# --- files and CSRF -------------------------------------------------------------------


def test_evidence_download_headers_and_content(report_a, client_a, client_b):
    evidence = report_a.evidence.get()
    url = reverse("tasks:evidence_download", args=[evidence.pk])
    response = client_a.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_b.get(url).status_code == 404


def test_upload_through_the_page_refuses_html_as_pdf(assignment_a, user_a, client_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    acknowledged(assignment_a, user_a)
    response = client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]),
        {
            "period": "2026-06",
            "percent": "10",
            "text": "保留这段文字",
            "files": [pdf(), SimpleUploadedFile("evil.pdf", b"<html>")],
        },
    )
    page = text(response)
    assert response.status_code == 200 and "evil.pdf" in page and "保留这段文字" in page
    assert not ProgressReport.objects.exists()


def test_csrf_is_enforced(assignment_a, user_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_a)
    url = reverse("tasks:assignment_acknowledge", args=[assignment_a.pk])
    assert client.post(url).status_code == 403
    assignment_a.refresh_from_db()
    assert assignment_a.status == "pending"
    page = text(client.get(reverse("tasks:assignment_detail", args=[assignment_a.pk])))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assignment_a.refresh_from_db()
    assert assignment_a.status == "acknowledged"


# --- query counts do not grow with the data ------------------------------------------------


def populate(plan, units, n, prefix):
    today = timezone.localdate()
    categories = ["思想引领", "素质提升", "权益维护"]
    tasks = Task.objects.bulk_create(
        Task(
            plan=plan,
            number=f"{prefix}{i}",
            title=f"任务{i}",
            category=categories[i % 3],
            due_date=today + datetime.timedelta(days=i % 40 - 10),
        )
        for i in range(n)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(task=t, unit=units[i % len(units)]) for i, t in enumerate(tasks)
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            assignment=a, period=today.strftime("%Y-%m"), text="x", submitted_at=timezone.now()
        )
        for a in assignments[::3]
    )


@pytest.mark.parametrize(
    "url_name,who", [("tasks:assignment_list", "client_a"), ("tasks:overview", "office_client")]
)
def test_query_count_is_the_same_with_60_and_500(url_name, who, plan, unit_a, unit_b, request):
    """(A unit's list of one page reads one statement fewer: tests/tasks/test_list_rows.py.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = request.getfixturevalue(who)
    units = [unit_a, unit_b] if who == "office_client" else [unit_a]
    counts = []
    for prefix, n in (("a", 60), ("b", 440)):  # 60 assignments (two pages), then 500 in all
        populate(plan, units, n, prefix)
        client.get(reverse(url_name))  # warm per-session caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(url_name))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert Assignment.objects.count() == 500
    assert counts[0] == counts[1], counts


def test_review_without_a_version_is_refused(report_a, office_client):
    response = office_client.post(
        reverse("tasks:report_review", args=[report_a.pk]), {"decision": "accept"}
    )
    assert response.status_code == 200
    report_a.refresh_from_db()
    assert report_a.review_status == "pending"


def test_office_list_does_not_show_units_unread_notices(reminder_a, office_client, client_a):
    assert "标为已读" in text(client_a.get(reverse("tasks:assignment_list")))
    assert "标为已读" not in text(office_client.get(reverse("tasks:assignment_list")))
