"""Chromium: the admin's picker and rich-text editor speak Chinese."""

import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_issue_form_picker_and_editor_toolbar_are_chinese(
    signed_in_page, office_user, unit_a, live_server
):
    page = signed_in_page("office")
    page.goto(f"{live_server.url}/admin/bulletins/issue/add/")
    page.locator(".prose-menubar__button[title='加粗']").first.wait_for()
    titles = page.eval_on_selector_all(
        ".prose-menubar__button", "els => els.map(e => e.getAttribute('title'))"
    )
    assert titles and all(CJK.search(t) for t in titles), titles
    labels = page.eval_on_selector_all(
        ".prose-menubar__button[aria-label]", "els => els.map(e => e.getAttribute('aria-label'))"
    )
    assert labels and all(CJK.search(t) for t in labels), labels
    options = page.eval_on_selector_all(
        ".prose-menubar__option", "els => els.map(e => e.textContent)"
    )
    assert "二级标题" in options and not any("Heading" in o for o in options)
    # The block-type menu's drop-down mark is drawn, not a character fonts lack (U+23F7).
    mark = page.evaluate(
        "getComputedStyle(document.querySelector('.prose-menubar__selected'), '::after').content"
    )
    assert "\u23f7" not in mark
    # The editing area carries the name of its field.
    name = page.evaluate(
        "(() => { const a = document.querySelector('.prose-editor [contenteditable=true]');"
        " return document.getElementById(a.getAttribute('aria-labelledby')).textContent; })()"
    )
    assert "正文" in name

    picker = page.inner_text(".field-distribution")
    assert "选中要添加的抄送单位" in picker and "全部选择抄送单位" in picker
    assert "全部移除抄送单位" in picker
    for english in ("Choose", "Remove all", "arrow button"):
        assert english not in picker


def test_yes_no_icons_are_named_in_chinese(signed_in_page, office_user, user_a, live_server):
    page = signed_in_page("office")
    page.goto(f"{live_server.url}/admin/accounts/user/")
    page.locator('img[src*="icon-yes"][alt="是"]').first.wait_for()
    alts = page.eval_on_selector_all('img[src*="/admin/img/icon-"]', "els => els.map(e => e.alt)")
    assert alts and set(alts) <= {"是", "否", "未知"}, alts
