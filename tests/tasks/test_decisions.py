"""议定事项: the office records a meeting's decisions and turns one into a task with its
units and due date in one step; refusals change nothing; the meeting page shows each
decision with its light and progress to those who may see the task; the task shows its
meeting."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks import services
from tasks.models import Assignment, Decision, Plan, Task
from tests.factories import acknowledged, make_meeting, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(today):
    return make_meeting(day=today - dt.timedelta(days=10), title="产改工作推进会")


@pytest.fixture
def decision(meeting, office_user):
    return services.add_decision(
        meeting=meeting, by=office_user, title="面上要坚持全市一盘棋", text="细化分解改革任务。"
    )


def tasked(decision, office_user, default_plan, unit_a, unit_b, today, **kwargs):
    data = {
        "plan": default_plan,
        "due_date": today + dt.timedelta(days=60),
        "lead": unit_a,
        "cooperating": [unit_b],
    } | kwargs
    return services.make_decision_task(decision=decision, by=office_user, **data)


def counts():
    return (Task.objects.count(), Assignment.objects.count(), Decision.objects.count())


def test_decisions_keep_their_order(meeting, office_user):
    first = services.add_decision(meeting=meeting, by=office_user, title="一")
    second = services.add_decision(meeting=meeting, by=office_user, title="二")
    early = services.add_decision(meeting=meeting, by=office_user, title="零", order=0 + 1)
    assert (first.order, second.order) == (1, 2)
    assert [d.title for d in meeting.decisions.all()] == ["一", "零", "二"]
    assert early.created_by == office_user


@pytest.mark.parametrize(("title", "order", "code"), [("  ", None, "title"), ("事项", 0, "order")])
def test_a_bad_decision_is_refused(meeting, office_user, title, order, code):
    with pytest.raises(ValidationError) as info:
        services.add_decision(meeting=meeting, by=office_user, title=title, order=order)
    assert info.value.code == code and not Decision.objects.exists()


@pytest.mark.parametrize("who", ["user_a", "other_staff", "deactivated_user"])
def test_only_the_office_records_decisions(meeting, who, request):
    with pytest.raises(PermissionDenied):
        services.add_decision(meeting=meeting, by=request.getfixturevalue(who), title="事项")
    assert not Decision.objects.exists()


def test_a_decision_becomes_a_task_in_one_step(
    decision, office_user, plan, unit_a, unit_b, meeting, today
):
    task = tasked(decision, office_user, plan, unit_a, unit_b, today, cooperating=[unit_a, unit_b])
    decision.refresh_from_db()
    assert decision.task == task and task.decision == decision
    assert (task.title, task.requirement) == ("面上要坚持全市一盘棋", "细化分解改革任务。")
    assert task.source_meeting == meeting and task.start_date == today - dt.timedelta(days=10)
    assert task.number == "1" and task.plan == plan
    roles = sorted(task.assignments.values_list("unit__name", "role"))
    assert roles == [("市人社局", "lead"), ("江苏新海石化有限公司", "cooperate")]
    assert not services.can_make_decision_task(decision, office_user)


def test_the_next_free_number_is_taken(decision, office_user, plan, unit_a, unit_b, today):
    Task.objects.create(plan=plan, number="1", title="已有", due_date=today)
    assert tasked(decision, office_user, plan, unit_a, unit_b, today).number == "2"


def _refused(code, call):
    before = counts()
    if code is None:
        with pytest.raises(PermissionDenied):
            call()
    else:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.code == code
    assert counts() == before


def test_refusals_change_nothing(decision, office_user, user_a, plan, unit_a, unit_b, today):
    make = lambda **kw: tasked(decision, office_user, plan, unit_a, unit_b, today, **kw)  # noqa: E731
    Task.objects.create(plan=plan, number="7", title="已有", due_date=today)
    _refused("number", lambda: make(number="7"))
    _refused("due_date", lambda: make(due_date=today - dt.timedelta(days=11)))
    _refused("due_date", lambda: make(due_date=None))
    _refused("lead", lambda: make(lead=None))
    _refused(None, lambda: services.make_decision_task(decision=decision, by=user_a, plan=plan,
             due_date=today, lead=unit_a))  # fmt: skip
    closed = Plan.objects.create(year=2019, title="已结束", status=Plan.Status.CLOSED)
    _refused("plan_closed", lambda: make(plan=closed))
    make()
    _refused("already_tasked", lambda: make(number="9"))
    decision.refresh_from_db()
    assert decision.task.number == "1"


# --- pages ----------------------------------------------------------------------------


@pytest.fixture
def decided(decision, office_user, plan, unit_a, unit_b, user_a, today):
    """The decision made a task; unit A reported 60 % on its lead assignment."""
    task = tasked(decision, office_user, plan, unit_a, unit_b, today)
    a = acknowledged(task.assignments.get(unit=unit_a), user_a)
    report = services.submit_report(
        assignment=a, by=user_a, period=today.strftime("%Y-%m"), text="推进中", percent=60
    )
    services.accept_report(report=report, by=office_user, version=report.version)
    return task


def test_the_meeting_page_shows_each_decision_with_light_and_progress(
    decided, meeting, office_client, client_a, client_b, anon_client
):
    url = reverse("bulletins:meeting_detail", args=[meeting.pk])
    office = office_client.get(url).content.decode()
    assert "面上要坚持全市一盘棋" in office and "进度 30%" in office  # mean of 60 % and 0 %
    assert "人社局" in office and "新海石化" in office and "登记与管理议定事项" in office
    unit_a = client_a.get(url).content.decode()
    assert "进度 60%" in unit_a and "新海石化" not in unit_a  # its own assignment only
    unit_b = client_b.get(url).content.decode()
    assert "面上要坚持全市一盘棋" in unit_b and "人社局" not in unit_b
    public = anon_client.get(url).content.decode()
    assert "面上要坚持全市一盘棋" in public and "已转为督办任务" in public
    assert "light--" not in public and "%" not in public.split("decisions-title")[1]


def test_the_office_goes_from_a_decision_to_its_tasks_plan(
    decided, meeting, office_client, client_a
):
    url = reverse("bulletins:meeting_detail", args=[meeting.pk])
    plan_url = reverse("tasks:plan_detail", args=[decided.plan_id])
    page = office_client.get(url).content.decode()
    panel = page[page.index('id="decisions-title"') :]
    assert f'<a href="{plan_url}">{decided.number} {decided.title}</a>' in panel
    assert plan_url not in client_a.get(url).content.decode()  # the plan page is the office's


def test_the_task_shows_the_meeting_it_came_from(decided, meeting, client_a):
    a = decided.assignments.get(unit__name="市人社局")
    page = client_a.get(reverse("tasks:assignment_detail", args=[a.pk])).content.decode()
    assert "来源会议：" in page and "产改工作推进会" in page


def test_the_plan_page_shows_the_meeting_each_task_came_from(
    decided, meeting, office_client, plan, office_user, today, unit_a, unit_b
):
    make_task(plan, "9.9", title="日常任务")
    url = reverse("tasks:plan_detail", args=[plan.pk])
    # (a first request: on PostgreSQL it keeps the user's permissions for the next)
    office_client.get(url)
    with CaptureQueriesContext(connection) as one_meeting_task:
        page = office_client.get(url).content.decode()
    meeting_url = reverse("bulletins:meeting_detail", args=[meeting.pk])
    row = page.split(decided.title)[1].split("</tr>")[0]
    assert "来源会议：" in row and f'href="{meeting_url}"' in row and "产改工作推进会" in row
    plain = page.split("日常任务")[1].split("</tr>")[0]
    assert "来源会议" not in plain  # a task not made from a decision names no meeting
    # A second meeting's task costs no query more (the meeting comes with its task).
    other = make_meeting(day=today - dt.timedelta(days=5), title="季度调度会")
    second = services.add_decision(meeting=other, by=office_user, title="抓好技能培训")
    tasked(second, office_user, plan, unit_a, unit_b, today)
    with CaptureQueriesContext(connection) as two_meeting_tasks:
        page = office_client.get(url).content.decode()
    assert "季度调度会" in page
    assert len(two_meeting_tasks) == len(one_meeting_task)


def test_the_office_makes_a_task_through_the_form(
    decision, meeting, office_client, plan, unit_a, unit_b, today
):
    url = reverse("tasks:decision_task", args=[decision.pk])
    data = {
        "plan": plan.pk,
        "number": "",
        "title": "细化分解任务",
        "due_date": "2026-13-01",
        "weight": "2",
        "lead": unit_a.pk,
        "cooperating": [unit_b.pk],
    }
    page = office_client.post(url, data)
    assert page.status_code == 200 and "请输入正确的日期" in page.content.decode()
    assert "细化分解任务" in page.content.decode()  # what was typed stays
    assert not Task.objects.exists()
    data["due_date"] = (today + dt.timedelta(days=30)).isoformat()
    response = office_client.post(url, data)
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.title == "细化分解任务" and task.weight == 2 and task.decision == decision
    listing = office_client.get(reverse("tasks:decision_list", args=[meeting.pk]))
    assert "细化分解任务" in listing.content.decode()
    again = office_client.post(url, data)
    assert again.status_code == 302 and Task.objects.count() == 1


def test_the_office_adds_a_decision_through_the_form(meeting, office_client):
    url = reverse("tasks:decision_list", args=[meeting.pk])
    page = office_client.post(url, {"title": "", "text": "保留的内容"})
    assert page.status_code == 200 and "保留的内容" in page.content.decode()
    assert not Decision.objects.exists()
    assert office_client.post(url, {"title": "点上要助力企业主动推"}).status_code == 302
    assert Decision.objects.get().title == "点上要助力企业主动推"


def test_the_meeting_page_costs_the_same_for_one_decision_or_three(
    meeting, office_user, office_client, plan, unit_a, unit_b, today
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("bulletins:meeting_detail", args=[meeting.pk])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert office_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    for n in range(3):
        d = services.add_decision(meeting=meeting, by=office_user, title=f"事项{n}")
        tasked(d, office_user, plan, unit_a, unit_b, today, number=f"9.{n}")
        if n == 0:
            queries()  # (on PostgreSQL it keeps the user's permissions for the next)
            one = queries()
    assert queries() == one


def test_a_decision_is_corrected_and_one_not_yet_a_task_deleted(
    decision, meeting, office_user, office_client, plan, unit_a, unit_b, today
):
    services.update_decision(decision=decision, by=office_user, title="面上要同发力", order=5)
    decision.refresh_from_db()
    assert (decision.title, decision.order, decision.text) == ("面上要同发力", 5, "")
    spare = services.add_decision(meeting=meeting, by=office_user, title="误录")
    response = office_client.post(reverse("tasks:decision_edit", args=[spare.pk]), {"delete": "1"})
    assert response.status_code == 302 and not Decision.objects.filter(pk=spare.pk).exists()
    tasked(decision, office_user, plan, unit_a, unit_b, today)
    _refused("already_tasked", lambda: services.delete_decision(decision=decision, by=office_user))
    response = office_client.post(
        reverse("tasks:decision_edit", args=[decision.pk]), {"delete": "1"}
    )
    assert response.status_code == 302 and Decision.objects.filter(pk=decision.pk).exists()
    page = office_client.post(reverse("tasks:decision_edit", args=[decision.pk]), {"title": ""})
    assert page.status_code == 200 and "这个字段是必填项" in page.content.decode()
    assert Decision.objects.get(pk=decision.pk).title == "面上要同发力"


@pytest.mark.parametrize("who", ["user_a", "other_staff"])
def test_only_the_office_corrects_or_deletes(decision, who, request):
    user = request.getfixturevalue(who)
    _refused(None, lambda: services.update_decision(decision=decision, by=user, title="改"))
    _refused(None, lambda: services.delete_decision(decision=decision, by=user))
    assert Decision.objects.get().title == "面上要坚持全市一盘棋"
