"""Browser: a unit user signs in and out in Chromium."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_renshe_signs_in_and_sees_the_unit_name(signed_in_page, user_a, live_server):
    page = signed_in_page("renshe")
    assert page.url.rstrip("/") == live_server.url
    assert "市人社局" in page.inner_text("main")
    page.click("text=退出")
    page.wait_for_load_state()
    assert "成员单位登录" in page.inner_text("main")


def test_home_page_fits_a_phone(browser, live_server, db):
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(live_server.url)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 375
