"""The idle warning in Chromium: shown a minute before the sign-out, "继续使用" keeps the
session, and the page fits a phone."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_warning_shows_before_the_sign_out_and_keeps_the_session(
    signed_in_page, user_a, settings
):
    settings.SESSION_IDLE_TIMEOUT = 62  # the warning comes after 2 seconds
    page = signed_in_page("renshe")
    page.set_viewport_size({"width": 375, "height": 700})
    banner = page.locator(".idle-warning")
    assert banner.is_hidden()
    banner.wait_for(state="visible", timeout=10_000)
    assert "将在一分钟后自动退出" in banner.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    with page.expect_response(lambda r: "/accounts/keepalive/" in r.url) as answer:
        banner.locator("button").click()
    assert answer.value.status == 204
    assert banner.is_hidden()
