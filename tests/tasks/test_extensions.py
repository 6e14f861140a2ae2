"""延期申请: a unit asks, the office approves (possibly with another date) or declines;
the light keeps the old date until approval; one open request; the setting's limit;
refusals change nothing; rates, the overview and the .ics follow the approved date."""

import datetime as dt
import os
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tasks import selectors, services
from tasks.models import Assignment, ExtensionRequest, Light
from tests.factories import acknowledged, make_task, pdf
from tests.tasks.overview_page import shown_total

E = ExtensionRequest.Status
pytestmark = pytest.mark.django_db


def snapshot(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def refused(code, call, *objs):
    """``call()`` raises ``code`` (or PermissionDenied when code is None); the rows
    ``objs`` and the count of requests stay as they were."""
    before = [snapshot(o) for o in objs]
    count = ExtensionRequest.objects.count()
    if code is None:
        with pytest.raises(PermissionDenied):
            call()
    else:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.code == code
    assert [snapshot(o) for o in objs] == before
    assert ExtensionRequest.objects.count() == count


@pytest.fixture
def overdue_a(plan, unit_a, user_a, today):
    """Unit A's acknowledged assignment, due five days ago (red)."""
    task = make_task(plan, "3.1", due=today - dt.timedelta(days=5))
    a = Assignment.objects.create(task=task, unit=unit_a)
    return acknowledged(a, user_a)


def ask(assignment, user, days=30, **kwargs):
    data = {
        "due_date": timezone.localdate() + dt.timedelta(days=days),
        "reason": "受检修停产影响，培训推迟",
    } | kwargs
    return services.request_extension(assignment=assignment, by=user, **data)


def approve(r, user, **kwargs):
    return services.approve_extension(request=r, by=user, **({"version": r.version} | kwargs))


def decline(r, user, **kwargs):
    return services.decline_extension(request=r, by=user, **({"version": r.version} | kwargs))


def test_request_then_approve_moves_the_due_date_and_keeps_both(
    overdue_a, user_a, office_user, today, django_capture_on_commit_callbacks
):
    original = overdue_a.task.due_date
    r = ask(overdue_a, user_a, days=20, evidence=pdf("停产通知.pdf"))
    overdue_a.refresh_from_db()
    # While the request waits, the old date and its light stand.
    assert r.status == E.PENDING and r.original_due_date == original
    assert overdue_a.due_date == original and overdue_a.light_on(today) == Light.RED
    assert Assignment.objects.with_light(today).get(pk=overdue_a.pk).light == Light.RED
    assert r.evidence_name == "停产通知.pdf" and r.evidence.read().startswith(b"%PDF")

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_extension(request=r, by=office_user, version=r.version, comment="同意")
    r.refresh_from_db()
    overdue_a.refresh_from_db()
    new = today + dt.timedelta(days=20)
    assert r.status == E.APPROVED and r.approved_due_date == new
    assert (r.original_due_date, r.decided_by, r.decision_comment) == (
        original,
        office_user,
        "同意",
    )
    assert overdue_a.due_date == new and overdue_a.task.due_date == original
    assert overdue_a.light_on(today) != Light.RED
    assert Assignment.objects.with_light(today).get(pk=overdue_a.pk).light != Light.RED
    assert not Assignment.objects.overdue(today).filter(pk=overdue_a.pk).exists()
    # The assignment's own history holds the old and the new date.
    dates = [h.extended_due_date for h in overdue_a.history.order_by("history_date")]
    assert dates[-2:] == [None, new]
    assert mail.outbox[-1].to == ["renshe@example.cn"] and new.isoformat() in mail.outbox[-1].body


def test_the_office_may_grant_another_date(overdue_a, user_a, office_user, today):
    r = ask(overdue_a, user_a, days=60)
    services.approve_extension(
        request=r, by=office_user, version=r.version, due_date=today + dt.timedelta(days=10)
    )
    overdue_a.refresh_from_db()
    r.refresh_from_db()
    assert overdue_a.due_date == today + dt.timedelta(days=10) == r.approved_due_date
    assert r.requested_due_date == today + dt.timedelta(days=60)


def test_decline_needs_a_reason_and_keeps_the_date(
    overdue_a, user_a, office_user, django_capture_on_commit_callbacks
):
    r = ask(overdue_a, user_a)
    refused("comment_required", lambda: decline(r, office_user, comment="  "), r, overdue_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_extension(
            request=r, by=office_user, version=r.version, comment="请按原时限"
        )
    r.refresh_from_db()
    overdue_a.refresh_from_db()
    assert r.status == E.DECLINED and r.decided_by == office_user and r.decided_at
    assert overdue_a.extended_due_date is None
    assert "请按原时限" in mail.outbox[-1].body
    # Declined: the unit may ask again.
    assert services.can_request_extension(overdue_a, user_a)


def test_one_open_request_per_assignment(overdue_a, user_a):
    ask(overdue_a, user_a)
    assert not services.can_request_extension(overdue_a, user_a)
    refused("pending_exists", lambda: ask(overdue_a, user_a), overdue_a)


@override_settings(TASKS_EXTENSIONS_PER_ASSIGNMENT=1)
def test_the_number_of_extensions_is_a_setting(overdue_a, user_a, office_user):
    r = ask(overdue_a, user_a, days=10)
    services.approve_extension(request=r, by=office_user, version=r.version)
    overdue_a.refresh_from_db()
    assert not services.can_request_extension(overdue_a, user_a)
    refused("limit", lambda: ask(overdue_a, user_a, days=40), overdue_a)
    with override_settings(TASKS_EXTENSIONS_PER_ASSIGNMENT=2):
        second = ask(overdue_a, user_a, days=40)
    assert second.original_due_date == overdue_a.due_date  # starts from the approved date


def test_closed_assignment_cannot_be_extended(assignment_a, user_a, office_user):
    acknowledged(assignment_a, user_a)
    report = services.submit_report(
        assignment=assignment_a,
        by=user_a,
        period="2026-06",
        text="完成",
        percent=100,
        requests_completion=True,
    )
    services.accept_report(report=report, by=office_user, version=report.version, close=True)
    refused("closed", lambda: ask(assignment_a, user_a), assignment_a)


def test_a_request_waiting_when_the_assignment_closes_cannot_be_approved(
    assignment_a, user_a, office_user
):
    acknowledged(assignment_a, user_a)
    r = ask(assignment_a, user_a, days=60)
    report = services.submit_report(
        assignment=assignment_a, by=user_a, period="2026-06", text="完成", percent=100,
        requests_completion=True,
    )  # fmt: skip
    services.accept_report(report=report, by=office_user, version=report.version, close=True)
    refused("closed", lambda: approve(r, office_user), r, assignment_a)


@pytest.mark.parametrize(
    ("days", "code"),
    [(-10, "due_date"), (0, "due_date"), (None, "due_date")],
    ids=["before-the-due-date", "the-due-date-itself", "no-date"],
)
def test_the_new_date_must_be_later(assignment_a, user_a, days, code):
    due = assignment_a.task.due_date
    day = None if days is None else due + dt.timedelta(days=days)
    refused(code, lambda: ask(assignment_a, user_a, due_date=day), assignment_a)


def test_the_new_date_may_not_be_in_the_past(overdue_a, user_a, today):
    day = today - dt.timedelta(days=1)  # later than the due date, but gone
    refused("due_date", lambda: ask(overdue_a, user_a, due_date=day), overdue_a)


def test_a_reason_is_required(assignment_a, user_a):
    refused("reason", lambda: ask(assignment_a, user_a, reason="   "), assignment_a)


def stored_files(settings) -> set[str]:
    root = settings.PRIVATE_MEDIA_ROOT
    return {os.path.join(d, f) for d, _, files in os.walk(root) for f in files}


def test_a_refused_file_leaves_no_row_and_no_file(assignment_a, user_a, settings):
    fake = SimpleUploadedFile("通知.pdf", b"<html>not a pdf</html>", "application/pdf")
    before = stored_files(settings)
    refused("mismatch", lambda: ask(assignment_a, user_a, evidence=fake), assignment_a)
    assert stored_files(settings) == before


def test_a_refusal_after_the_file_was_stored_removes_it(overdue_a, user_a, settings):
    ask(overdue_a, user_a)
    before = stored_files(settings)
    refused("pending_exists", lambda: ask(overdue_a, user_a, evidence=pdf()), overdue_a)
    assert stored_files(settings) == before


@pytest.mark.parametrize("who", ["user_b", "office_user", "other_staff", "deactivated_user"])
def test_only_the_unit_asks(assignment_a, who, request):
    user = request.getfixturevalue(who)
    refused(None, lambda: ask(assignment_a, user), assignment_a)
    assert not services.can_request_extension(assignment_a, user)


@pytest.mark.parametrize("who", ["user_a", "user_b", "other_staff"])
def test_only_the_office_decides(overdue_a, user_a, who, request):
    r = ask(overdue_a, user_a)
    user = request.getfixturevalue(who)
    assert not services.can_decide_extension(r, user)
    refused(None, lambda: approve(r, user), r, overdue_a)
    refused(None, lambda: decline(r, user, comment="不同意"), r, overdue_a)


def test_decided_twice_and_stale_versions_are_refused(overdue_a, user_a, office_user):
    r = ask(overdue_a, user_a)
    stale = r.version
    services.approve_extension(request=r, by=office_user, version=r.version)
    r.refresh_from_db()
    refused("conflict", lambda: approve(r, office_user, version=stale), r, overdue_a)
    refused("decided", lambda: decline(r, office_user, comment="撤销"), r, overdue_a)


def test_the_granted_date_must_be_later_than_the_current_one(overdue_a, user_a, office_user):
    r = ask(overdue_a, user_a)
    day = overdue_a.task.due_date
    refused("due_date", lambda: approve(r, office_user, due_date=day), r, overdue_a)


# --- rates, overview and calendar ---------------------------------------------------


def _close(assignment, user, office_user):
    report = services.submit_report(
        assignment=assignment, by=user, period="2026-06", text="完成", percent=100,
        requests_completion=True,
    )  # fmt: skip
    services.accept_report(report=report, by=office_user, version=report.version, close=True)


def test_rates_tell_on_time_from_on_time_after_an_extension(
    plan, unit_a, user_a, office_user, today
):
    late = Assignment.objects.create(
        task=make_task(plan, "4.1", due=today - dt.timedelta(days=3)), unit=unit_a
    )
    prompt = Assignment.objects.create(
        task=make_task(plan, "4.2", due=today + dt.timedelta(days=3)), unit=unit_a
    )
    for a in (late, prompt):
        acknowledged(a, user_a)
    r = ask(late, user_a, days=5)
    services.approve_extension(request=r, by=office_user, version=r.version)
    _close(late, user_a, office_user)
    _close(prompt, user_a, office_user)

    totals = selectors.totals(Assignment.objects.with_light(today), today)
    assert (totals["closed"], totals["on_time"], totals["on_time_extended"]) == (2, 1, 1)
    assert totals["extended"] == 1
    assert totals["on_time_rate"] == 50 and totals["on_time_with_extensions_rate"] == 100


def test_overview_counts_extended_assignments(overdue_a, user_a, office_user, office_client, today):
    r = ask(overdue_a, user_a, days=12)
    services.approve_extension(request=r, by=office_user, version=r.version)
    page = office_client.get(reverse("tasks:overview")).content.decode()
    assert re.search(r"已延期</a><strong>1</strong>", page)
    assert (today + dt.timedelta(days=12)).isoformat() in page
    filtered = office_client.get(reverse("tasks:overview"), {"extended": "yes"})
    assert shown_total(filtered.content.decode()) == 1


def test_ics_follows_the_approved_date(overdue_a, user_a, office_user, client_a, today):
    r = ask(overdue_a, user_a, days=25)
    response = client_a.post(reverse("tasks:calendar"), {"action": "renew"})
    url = re.search(r"(/tasks/calendar/[\w-]+\.ics)", response.content.decode()).group(1)

    def due_dates():
        cal = Calendar.from_ical(client_a.get(url).content)
        return [e.decoded("dtstart") for e in cal.walk("VEVENT") if "3.1" in str(e["summary"])]

    assert due_dates() == [overdue_a.task.due_date]  # waiting: the old date
    services.approve_extension(request=r, by=office_user, version=r.version)
    assert due_dates() == [today + dt.timedelta(days=25)]


# --- the pages keep what was typed ---------------------------------------------------


@pytest.mark.parametrize(
    ("due", "message"),
    [("2026-13-01", "请输入正确的日期"), ("2026-06-12", "不能早于今天"), ("", "这个字段是必填项")],
    ids=["not-a-date", "in-the-past", "missing"],
)
def test_a_refused_request_keeps_what_was_typed(overdue_a, client_a, due, message):
    url = reverse("tasks:extension_create", args=[overdue_a.pk])
    page = client_a.post(url, {"due_date": due, "reason": "检修推迟，理由保留"})
    html = page.content.decode()
    assert page.status_code == 200 and message in html and "检修推迟，理由保留" in html
    assert not ExtensionRequest.objects.exists()


def test_a_refused_file_is_named_and_nothing_is_kept(overdue_a, client_a, today):
    fake = SimpleUploadedFile("通知.pdf", b"<html></html>", "application/pdf")
    data = {
        "due_date": (today + dt.timedelta(days=9)).isoformat(),
        "reason": "检修",
        "evidence": fake,
    }
    page = client_a.post(reverse("tasks:extension_create", args=[overdue_a.pk]), data)
    html = page.content.decode()
    assert page.status_code == 200 and "通知.pdf" in html and "不符" in html
    assert not ExtensionRequest.objects.exists()


def test_a_refused_decision_keeps_the_comment(overdue_a, user_a, office_client):
    r = ask(overdue_a, user_a)
    url = reverse("tasks:extension_detail", args=[r.pk])
    page = office_client.post(url, {"decision": "decline", "comment": "", "version": r.version})
    assert page.status_code == 200 and "不同意延期时请填写理由" in page.content.decode()
    page = office_client.post(
        url,
        {
            "decision": "approve",
            "due_date": "2020-01-01",
            "comment": "意见保留",
            "version": r.version,
        },
    )
    html = page.content.decode()
    assert page.status_code == 200 and "意见保留" in html and "应晚于当前完成时限" in html
    r.refresh_from_db()
    assert r.status == E.PENDING


def test_the_assessment_names_what_was_on_time_only_by_an_extension(
    plan, unit_a, user_a, office_user, office_client, today
):
    late = Assignment.objects.create(
        task=make_task(plan, "4.1", due=today - dt.timedelta(days=3)), unit=unit_a
    )
    acknowledged(late, user_a)
    r = ask(late, user_a, days=5)
    services.approve_extension(request=r, by=office_user, version=r.version)
    _close(late, user_a, office_user)
    rates = selectors.unit_rates(plan=plan, unit=unit_a)
    assert (rates["on_time"], rates["on_time_extended"]) == (0, 1)
    assert rates["tasks"] == 60  # the score counts it as closed, not as on time
    page = office_client.get(reverse("tasks:assessment_list", args=[plan.pk])).content.decode()
    assert "延期后按时 100%" in page


def test_the_unit_withdraws_a_waiting_request_and_may_ask_again(overdue_a, user_a, office_user):
    r = ask(overdue_a, user_a)
    assert services.can_withdraw_extension(r, user_a)
    assert not services.can_withdraw_extension(r, office_user)
    refused(None, lambda: services.withdraw_extension(request=r, by=office_user, version=None), r)
    services.withdraw_extension(request=r, by=user_a, version=r.version)
    r.refresh_from_db()
    overdue_a.refresh_from_db()
    assert r.status == E.WITHDRAWN and r.withdrawn_at and r.decided_by is None
    assert overdue_a.extended_due_date is None
    assert services.can_request_extension(overdue_a, user_a)
    refused("decided", lambda: services.withdraw_extension(request=r, by=user_a, version=None), r)
    refused("decided", lambda: approve(r, office_user), r, overdue_a)
    ask(overdue_a, user_a, days=50)  # a new request may wait now


def test_the_list_reads_on_a_phone_and_marks_the_status(overdue_a, user_a, office_user, client_a):
    """Each stacked cell names what it is (a phone shows no header row); the status is a
    coloured badge; a granted date other than the one asked is named as in the panel."""
    granted = timezone.localdate() + dt.timedelta(days=20)
    approve(ask(overdue_a, user_a), office_user, due_date=granted)
    page = client_a.get(reverse("tasks:extension_list")).content.decode()
    row = page.split("<tbody>")[1].split("</tr>")[0]
    cells = re.findall(r"<td([^>]*)>", row)
    assert cells and all("data-label=" in c for c in cells[:1] + cells[2:]), cells
    assert 'data-label="申请时间"' in row
    assert '<span class="badge badge--green">已同意</span>' in row
    assert f"批准延期至 {granted:%Y-%m-%d}" in row
    detail = client_a.get(
        reverse("tasks:extension_detail", args=[overdue_a.extension_requests.get().pk])
    )
    assert '<span class="badge badge--green">已同意</span>' in detail.content.decode()


def test_the_office_decides_in_a_fieldset_named_by_its_legend(overdue_a, user_a, office_client):
    """The 同意/不同意 choice is a group a screen reader names (审批), set apart from the reason."""
    r = ask(overdue_a, user_a)
    page = office_client.get(reverse("tasks:extension_detail", args=[r.pk])).content.decode()
    group = re.search(r'<fieldset class="checks"><legend>审批</legend>(.*?)</fieldset>', page, re.S)
    assert group and "同意延期" in group.group(1) and "不同意" in group.group(1)
    assert '<span class="badge badge--yellow">待审批</span>' in page
