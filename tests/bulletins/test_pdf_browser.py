"""Browser: the PDF downloads in Chromium under its Chinese file name, and the print matches it."""

import pytest

from bulletins.models import Visibility
from bulletins.pdf import issue_pdf

from .pdf_checks import assert_in_order, text_of
from .reference import SERIES, TITLE, make_reference_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILENAME = "市工投集团产业工人队伍建设改革简报2020年第四期.pdf"


def test_pdf_downloads_with_its_chinese_name(signed_in_page, live_server, user_a):
    issue = make_reference_issue(visibility=Visibility.INTERNAL)
    # Typeset once before the click: the 30-page render takes over 15 s (the page
    # timeout) on a busy machine, and this test is about the download, not the
    # render (tests/bulletins/test_pdf_views.py covers a first download).
    issue_pdf(issue).file.close()
    page = signed_in_page("renshe")
    page.goto(f"{live_server.url}/bulletins/{issue.pk}/")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 PDF").click()
    download = info.value
    assert download.suggested_filename == FILENAME
    with open(download.path(), "rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF-")
    assert_in_order(text_of(data), SERIES, "第四期", TITLE, "抄送")


def test_year_archive_offers_the_zip(signed_in_page, live_server, user_a):
    make_reference_issue(visibility=Visibility.INTERNAL)
    page = signed_in_page("renshe")
    page.goto(f"{live_server.url}/bulletins/archive/2020/")
    with page.expect_download() as info:
        page.get_by_role("link", name="打包下载2020年全部简报（ZIP）").click()
    assert info.value.suggested_filename == "2020年简报.zip"


def test_browser_print_uses_the_pdf_measures(browser, live_server):
    """Printed from the issue page, the sheet keeps the PDF's type sizes (the
    phone rules must not apply to the narrow A4 print area)."""
    issue = make_reference_issue(visibility=Visibility.PUBLIC)
    # The width of the A4 type area, as when Chromium lays out the printed pages.
    context = browser.new_context(locale="zh-CN", viewport={"width": 590, "height": 850})
    page = context.new_page()
    page.goto(f"{live_server.url}/bulletins/{issue.pk}/")
    page.emulate_media(media="print")
    sizes = page.evaluate(
        """() => Object.fromEntries(
            ['.doc', '.doc-masthead__meta', '.doc-masthead__org', '.doc-article__title',
             '.doc-colophon'].map(s => [s, getComputedStyle(document.querySelector(s)).fontSize]))"""
    )
    pt = {k: round(float(v[:-2]) * 72 / 96, 1) for k, v in sizes.items()}
    assert pt == {
        ".doc": 16.0,
        ".doc-masthead__meta": 16.0,
        ".doc-masthead__org": 26.0,
        ".doc-article__title": 22.0,
        ".doc-colophon": 14.0,
    }
    assert not page.locator(".doc-toolbar").is_visible()
    printed = page.pdf(prefer_css_page_size=True)
    assert printed.startswith(b"%PDF-")
    context.close()
