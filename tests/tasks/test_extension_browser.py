"""Browser (Chromium): renshe asks to move an overdue assignment's date with a file,
the light stays red while it waits, the office grants another date, renshe sees it."""

import datetime as dt

import pytest

from tasks.models import Assignment, ExtensionRequest
from tests.factories import PDF, acknowledged, make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def overdue(plan, unit_a, user_a, office_user, today):
    task = make_task(plan, "6.1", due=today - dt.timedelta(days=4), title="开展安全生产专项整治")
    return acknowledged(Assignment.objects.create(task=task, unit=unit_a), user_a)


def test_a_unit_asks_for_an_extension_and_the_office_approves(
    signed_in_page, live_server, overdue, today
):
    asked, granted = today + dt.timedelta(days=30), today + dt.timedelta(days=20)
    renshe = signed_in_page("renshe")
    renshe.goto(f"{live_server.url}/tasks/assignments/{overdue.pk}/")
    renshe.fill("#id_due_date", asked.isoformat())
    renshe.fill("#id_reason", "装置检修，整治推迟。")
    renshe.set_input_files(
        "#id_evidence",
        files=[{"name": "检修通知.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    renshe.click("button:has-text('提交延期申请')")
    main = renshe.inner_text("main")
    assert "延期申请已提交" in main and "待审批" in main and "检修通知.pdf" in main
    assert "逾期" in main  # the light keeps the old date while the request waits
    assert renshe.locator("button:has-text('提交延期申请')").count() == 0  # one at a time

    office = signed_in_page("office")
    office.goto(f"{live_server.url}/tasks/extensions/?status=pending")
    office.click("text=开展安全生产专项整治")
    office.check("input[value=approve]")
    office.fill("#id_due_date", granted.isoformat())
    office.fill("#id_comment", "同意延期二十天。")
    office.click("button:has-text('提交审批')")
    assert "已同意延期" in office.inner_text("main")

    renshe.goto(f"{live_server.url}/tasks/assignments/{overdue.pk}/")
    main = renshe.inner_text("main")
    assert granted.isoformat() in main and "已延期" in main and "同意延期二十天。" in main
    assert "逾期" not in main
    ext = ExtensionRequest.objects.get()
    assert (ext.status, ext.approved_due_date, ext.requested_due_date) == (
        "approved",
        granted,
        asked,
    )


def test_extension_pages_fit_a_phone(signed_in_page, live_server, overdue, user_a, today):
    from tasks import services

    ext = services.request_extension(
        assignment=overdue, by=user_a, due_date=today + dt.timedelta(days=9), reason="检修"
    )
    for who in ("renshe", "office"):
        page = signed_in_page(who)
        page.set_viewport_size({"width": 375, "height": 740})
        for path in ["/tasks/extensions/", f"/tasks/extensions/{ext.pk}/"]:
            page.goto(live_server.url + path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, (who, path)
