"""Chromium at 375 px: the office's admin lists stay usable on a phone."""

import pytest

from tests.factories import PUBLIC, make_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_issue_list_scrolls_sideways_and_keeps_titles_readable(
    browser, live_server, office_user, django_user_model
):
    from tests.factories import PASSWORD

    make_issue("published", PUBLIC, title="集团召开产改工作季度督查通报会暨技能人才培养推进会")
    office_user.set_password(PASSWORD)
    office_user.save()
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/admin/bulletins/issue/")
    page.fill("#id_username", "office")
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    sizes = page.evaluate(
        """() => ({
          page: document.documentElement.scrollWidth,
          title: document.querySelector('#result_list td.field-title').getBoundingClientRect().width,
          box: getComputedStyle(document.querySelector('#changelist .results')).overflowX,
        })"""
    )
    context.close()
    assert sizes["page"] <= 375  # the page itself does not scroll sideways
    assert sizes["box"] == "auto"  # the table does, inside its box
    assert sizes["title"] >= 150  # about ten characters a line, not two
