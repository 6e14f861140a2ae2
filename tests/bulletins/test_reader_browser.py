"""Browser: the issue page on a 375 px phone, and 签收 in Chromium."""

import pytest

from bulletins.models import Article, ReadReceipt
from tests.factories import INTERNAL, PUBLIC, make_attachment, make_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_PARAGRAPH = "要以想全局的站位高度推进产改工作，进一步增强思想自觉、行动自觉。" * 12


def _long_issue(visibility):
    issue = make_issue(
        "published",
        visibility,
        number=4,
        total_number=135,
        title="全市产业工人队伍建设改革试点工作部署推进会议主要精神",
        articles=0,
        distribution_line="各直属单位、集团各部门、各县区产改联席会、市产改联席会各成员单位",
    )
    Article.objects.create(
        issue=issue,
        title="全市产业工人队伍建设改革试点工作部署推进会议主要精神",
        body=(
            "<h2>一、徐家保副市长宣读了项书记批示，传达了省试点工作会议精神。</h2>"
            f"<p>{LONG_PARAGRAPH}</p><h3>（一）回顾前期我市产改工作阶段工作成效</h3>"
            "<p>https://example.cn/a/very/long/address/without/any/break/points/at/all/0123456789</p>"
            "<table><tr><td>单位</td><td>任务</td><td>完成时限</td><td>牵头</td><td>配合</td>"
            "<td>备注备注备注备注备注备注备注备注</td></tr></table>"
        ),
    )
    make_attachment(issue, name="一个很长很长的附件名称用来检查手机上的换行情况会不会撑破页面.pdf")
    return issue


def _scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_issue_page_has_no_horizontal_scroll_on_a_phone(browser, live_server):
    issue = _long_issue(PUBLIC)
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/bulletins/{issue.pk}/")
    assert "第四期" in page.inner_text(".doc-masthead")
    assert _scroll_width(page) <= 375
    page.goto(f"{live_server.url}/bulletins/")
    assert _scroll_width(page) <= 375
    context.close()


def test_unit_user_acknowledges_on_a_phone(signed_in_page, user_a, live_server):
    issue = _long_issue(INTERNAL)
    page = signed_in_page("renshe")
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/bulletins/{issue.pk}/")
    assert "内部资料" in page.inner_text(".doc")
    assert _scroll_width(page) <= 375
    page.click(".doc-receipt button[type=submit]")
    page.wait_for_load_state()
    assert "已签收（" in page.inner_text(".doc-receipt")
    assert ReadReceipt.objects.get(issue=issue, unit=user_a.unit).acknowledged_by == user_a
