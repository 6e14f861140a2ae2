"""Browser (Chromium): the office records a meeting's decision and turns it into a task
of a plan in one step; the meeting page shows its light; the unit sees its meeting."""

import datetime as dt

import pytest

from bulletins.models import Visibility
from tasks.models import Task
from tests.factories import make_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_decision_becomes_a_task(signed_in_page, live_server, plan, unit_a, unit_b, user_a,
                                   office_user, today):  # fmt: skip
    meeting = make_meeting(
        Visibility.INTERNAL, title="产改工作调度会", day=today - dt.timedelta(days=2)
    )
    office = signed_in_page("office")
    office.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    office.click("text=登记与管理议定事项")
    office.fill("#id_title", "线上要推动县区齐步走、不掉队")
    office.fill("#id_text", "选取重点领域开展试点。")
    office.click("button:has-text('添加')")
    assert "已添加议定事项" in office.inner_text("main")
    office.click("a:has-text('转为督办任务')")
    assert office.input_value("#id_title") == "线上要推动县区齐步走、不掉队"
    office.select_option("#id_plan", str(plan.pk))
    office.fill("#id_number", "8.1")
    office.fill("#id_due_date", (today + dt.timedelta(days=45)).isoformat())
    office.select_option("#id_lead", str(unit_a.pk))
    office.check(f"input[name=cooperating][value='{unit_b.pk}']")
    office.click("button:has-text('生成任务并分派')")
    assert "已转为督办任务" in office.inner_text("main")

    office.goto(f"{live_server.url}/meetings/{meeting.pk}/")
    panel = office.inner_text("#decisions-title >> xpath=..")
    assert "8.1 线上要推动县区齐步走、不掉队" in panel and "进度 0%" in panel
    assert "人社局" in panel and "新海石化" in panel

    task = Task.objects.get(number="8.1")
    assert task.source_meeting == meeting and task.assignments.count() == 2
    renshe = signed_in_page("renshe")
    renshe.goto(f"{live_server.url}/tasks/")
    renshe.click("text=线上要推动县区齐步走、不掉队")
    main = renshe.inner_text("main")
    assert "来源会议：产改工作调度会" in main


def test_decision_pages_fit_a_phone(signed_in_page, live_server, office_user, today):
    from tasks import services

    meeting = make_meeting(Visibility.INTERNAL, day=today)
    decision = services.add_decision(meeting=meeting, by=office_user, title="面上要细化分解任务")
    page = signed_in_page("office")
    page.set_viewport_size({"width": 375, "height": 740})
    for path in [
        f"/meetings/{meeting.pk}/",
        f"/tasks/meetings/{meeting.pk}/decisions/",
        f"/tasks/decisions/{decision.pk}/task/",
    ]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
