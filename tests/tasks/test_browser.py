"""Browser (Chromium): renshe reports with a file, the office returns it with a comment,
renshe reads the comment and resubmits, the office accepts."""

import pytest

from tasks.models import Assignment, ProgressReport
from tests.factories import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_returned_resubmitted_and_accepted(
    signed_in_page, live_server, assignment_a, user_a, office_user
):
    renshe = signed_in_page("renshe")
    renshe.goto(f"{live_server.url}/tasks/")
    renshe.click("text=任务1.1")
    renshe.click("button:has-text('签收')")
    assert "已签收" in renshe.inner_text("main")
    renshe.fill("#id_period", "2026-06")
    renshe.fill("#id_percent", "40")
    renshe.fill("#id_text", "已制定培训方案，开展培训3场。")
    renshe.set_input_files(
        "#id_files",
        files=[{"name": "培训签到表.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    renshe.click("button:has-text('提交报送')")
    main = renshe.inner_text("main")
    assert "进展已报送" in main and "培训签到表.pdf" in main

    office = signed_in_page("office")
    office.goto(f"{live_server.url}/tasks/review/")
    office.click("a:has-text('审核') >> nth=-1")
    office.check("input[value=return]")
    office.fill("#id_comment", "请补充培训人次和签到表。")
    office.click("button:has-text('提交审核')")
    assert "已退回" in office.inner_text("main")

    renshe.goto(f"{live_server.url}/tasks/assignments/{assignment_a.pk}/")
    assert "退回意见：请补充培训人次和签到表。" in renshe.inner_text("main")
    renshe.click("text=修改后重新报送")
    renshe.fill("#id_text", "开展培训3场，培训职工260人次，签到表见附件。")
    renshe.click("button:has-text('重新报送')")
    assert "已重新报送" in renshe.inner_text("main")

    office.goto(f"{live_server.url}/tasks/review/")
    office.click("a:has-text('审核') >> nth=-1")
    office.check("input[value=accept]")
    office.click("button:has-text('提交审核')")
    assert "已通过" in office.inner_text("main")

    report = ProgressReport.objects.get()
    assert report.review_status == "accepted" and "260人次" in report.text
    assert report.evidence.get().original_name == "培训签到表.pdf"
    assert Assignment.objects.get(pk=assignment_a.pk).progress == 40


def test_unit_pages_fit_a_phone(browser, live_server, signed_in_page, report_a, problem_a):
    page = signed_in_page("renshe")
    page.set_viewport_size({"width": 375, "height": 740})
    for path in [
        "/tasks/",
        f"/tasks/assignments/{report_a.assignment_id}/",
        f"/tasks/reports/{report_a.pk}/edit/",
        "/tasks/problems/",
        f"/tasks/problems/{problem_a.pk}/",
        "/tasks/calendar/",
    ]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
