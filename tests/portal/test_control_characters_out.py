"""Rows that already hold control characters (written before portal/text.py, or around
the models) never break what the portal writes out: feed, xlsx, .ics, PDF, ZIP, search."""

import io
import re
import zipfile

import pytest
from defusedxml.ElementTree import fromstring
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from bulletins.models import Attachment
from tasks import services
from tasks.models import Assignment, Plan
from tests.factories import acknowledged, make_attachment, make_issue, make_task, pdf
from tests.office_files import FIXTURES

from .test_text import has_control, write_raw

pytestmark = pytest.mark.django_db


# Everything the issue names but NUL, which PostgreSQL cannot store in text at all.
DIRTY = "甲\x0b乙\x01丙\x1f丁\x7f戊\x85己\u2028庚"


def test_feed_with_a_pasted_summary_is_valid_xml(anon_client):
    issue = make_issue(title="公开一期")
    summary = (FIXTURES / "feed-summary-vt.txt").read_text(encoding="utf-8")
    assert "\x0b" in summary
    write_raw("bulletins_issue", "summary", issue.pk, summary)
    write_raw("bulletins_issue", "title", issue.pk, f"标题{DIRTY}")
    response = anon_client.get(reverse("bulletins:feed"))
    assert response.status_code == 200
    feed = fromstring(response.content)
    text = "".join(feed.itertext())
    assert "第一行" in text and "第二行" in text
    assert not has_control(text)


def test_feed_summary_saved_through_the_model_keeps_its_line_break(anon_client):
    summary = (FIXTURES / "feed-summary-vt.txt").read_text(encoding="utf-8")
    issue = make_issue(title="公开一期", summary=summary)
    issue.refresh_from_db()
    assert "\x0b" not in issue.summary and "第一行\n第二行" in issue.summary
    assert anon_client.get(reverse("bulletins:feed")).status_code == 200


@pytest.fixture
def dirty_report(unit_a, user_a):
    plan = Plan.objects.create(year=2026, title="2026年任务清单", status=Plan.Status.ACTIVE)
    task = make_task(plan, "1.1")
    assignment = Assignment.objects.create(task=task, unit=unit_a)
    acknowledged(assignment, user_a)
    report = services.submit_report(
        assignment=assignment, by=user_a, period="2026-06", text="进展", percent=10, files=[pdf()]
    )
    text = (FIXTURES / "report-text-vt.txt").read_text(encoding="utf-8")
    assert "\x0b" in text
    write_raw("tasks_progressreport", "text", report.pk, text)
    write_raw("tasks_task", "title", task.pk, f"任务{DIRTY}")
    write_raw("tasks_task", "requirement", task.pk, f"要求{DIRTY}")
    return report


@pytest.mark.parametrize("who", ["office_client", "client_a"])
def test_export_opens_in_openpyxl_for_everyone(request, dirty_report, who):
    client = request.getfixturevalue(who)
    response = client.get(reverse("tasks:export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert any("第一段" in c or "已完成" in c for c in cells)
    assert not any(has_control(c) for c in cells)


def test_calendar_has_no_control_bytes(dirty_report, client_a, anon_client):
    response = client_a.post(reverse("tasks:calendar"), {"action": "renew"})
    url = re.search(r"(/tasks/calendar/[\w-]+\.ics)", response.content.decode()).group(1)
    body = anon_client.get(url).content
    text = body.decode("utf-8")
    assert "任务" in text
    # RFC 5545 §3.3.11: no CONTROL in TEXT; CR LF only as line ends.
    assert not has_control(text.replace("\r\n", ""))
    assert "\n" not in text.replace("\r\n", "")


def test_pdf_and_year_zip_with_dirty_titles(office_client, office_user):
    issue = make_issue(title="干净标题", year=2020)
    attachment = make_attachment(issue, name="附件.pdf")
    write_raw("bulletins_issue", "title", issue.pk, f"标题{DIRTY}")
    write_raw("bulletins_article", "title", issue.articles.first().pk, f"文章{DIRTY}")
    write_raw("bulletins_article", "body", issue.articles.first().pk, f"<p>正文{DIRTY}</p>")
    write_raw("bulletins_attachment", "original_name", attachment.pk, f"附件{DIRTY}.pdf")
    response = office_client.get(reverse("bulletins:issue_pdf", args=[issue.pk]))
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(b"".join(response))).pages)
    assert "正文" in text and not has_control(text)
    response = office_client.get(reverse("bulletins:year_zip", args=[2020]))
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert names and not any(has_control(n) for n in names)
    assert Attachment.objects.get(pk=attachment.pk).original_name.startswith("附件")


def test_pages_and_search_snippets_with_dirty_rows(office_client, dirty_report):
    issue = make_issue(title="检索一期")
    write_raw("bulletins_issue", "summary", issue.pk, f"检索摘要{DIRTY}")
    call_command("rebuild_search_index", "--no-progress")
    response = office_client.get(reverse("search:search"), {"q": "检索"})
    assert response.status_code == 200
    assert not has_control(response.content.decode())
    for url in (
        reverse("bulletins:issue_detail", args=[issue.pk]),
        reverse("tasks:assignment_detail", args=[dirty_report.assignment_id]),
    ):
        assert office_client.get(url).status_code == 200
