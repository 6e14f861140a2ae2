"""Chromium, keyboard only: a unit signs in, finds an issue, reads it, downloads the PDF
and signs for it (签收) with Tab and Enter, every stop visibly focused."""

import pytest

from bulletins.pdf import issue_pdf
from tests.factories import INTERNAL, PASSWORD, make_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What has focus, and whether the focus is drawn (outline or ring).
FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const drawn = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  return {tag: e.tagName, id: e.id, text: (e.innerText || e.value || '').trim(), drawn};
}"""


def tab_to(page, wanted, limit=80):
    """Press Tab until ``wanted(focused)`` holds (it may hold already: autofocus); every
    stop on the way must show its focus (past the last one, focus leaves the page)."""
    focused = page.evaluate(FOCUSED)
    if wanted(focused):
        return focused
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["drawn"] or focused["tag"] == "BODY", f"focus not visible on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"never reached by Tab (last: {focused})")


def press_enter_and_wait(page):
    """Enter on a link or a form's last field, and the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_unit_reads_downloads_and_signs_with_the_keyboard_only(
    browser, live_server, user_a, unit_a
):
    user_a.set_password(PASSWORD)
    user_a.save()
    issue = make_issue(
        "published", INTERNAL, title="键盘读者的一期", body="<p>会议要求各单位抓好落实。</p>"
    )
    issue.distribution.set([unit_a])
    issue_pdf(issue).file.close()  # typeset before: this test is about the keys

    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(live_server.url)

    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "登录")
    press_enter_and_wait(page)
    tab_to(page, lambda f: f["id"] == "id_username")
    page.keyboard.type("renshe")
    tab_to(page, lambda f: f["id"] == "id_password")
    page.keyboard.type(PASSWORD)
    press_enter_and_wait(page)
    assert "人社局" in page.inner_text("header")  # signed in

    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "简报")
    press_enter_and_wait(page)
    tab_to(page, lambda f: f["tag"] == "A" and "键盘读者的一期" in f["text"])
    press_enter_and_wait(page)
    assert page.url.rstrip("/").endswith(f"/bulletins/{issue.pk}")
    assert "会议要求各单位抓好落实。" in page.inner_text("main")

    tab_to(page, lambda f: f["tag"] == "A" and f["text"] == "下载 PDF")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    with open(info.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"

    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "签收")
    press_enter_and_wait(page)
    assert "已签收" in page.inner_text("main")
    assert issue.receipts.get(unit=unit_a).acknowledged_at is not None
    context.close()
