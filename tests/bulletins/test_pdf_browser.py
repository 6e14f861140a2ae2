"""Browser: the PDF downloads in Chromium under its Chinese file name, and the print matches it."""

import pytest

from bulletins.models import Visibility

from .pdf_checks import assert_in_order, text_of
from .reference import SERIES, TITLE, make_reference_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILENAME = "市工投集团产业工人队伍建设改革简报2020年第四期.pdf"


def test_pdf_downloads_with_its_chinese_name(signed_in_page, live_server, user_a):
    issue = make_reference_issue(visibility=Visibility.INTERNAL)
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
