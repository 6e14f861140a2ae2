"""The audit page: filters by time, account, unit, action, object and result; the .xlsx
export (itself audited); and a phone-width check in Chromium."""

import datetime as dt
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from portal.audit.models import AuditEntry
from portal.audit.services import record

pytestmark = pytest.mark.django_db
URL = "/audit/"


def _at(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def entries(user_a, user_b, office_user):
    AuditEntry.objects.create(
        at=_at(2026, 5, 1, 9), actor=user_a, actor_name="renshe", unit=user_a.unit,
        unit_name="市人社局", action="download.issue_pdf", result="done",
        object_type="bulletins.issue", object_id="41", object_label="五月简报",
    )  # fmt: skip
    AuditEntry.objects.create(
        at=_at(2026, 6, 10, 15), actor=user_b, actor_name="xinhai", unit=user_b.unit,
        unit_name="江苏新海石化有限公司", action="task.close", result="refused",
        reason="只有产改办可以执行此操作。", object_type="tasks.assignment", object_id="7",
        object_label="=HYPERLINK(\"http://evil\") · 新海石化",
    )  # fmt: skip
    AuditEntry.objects.create(
        at=_at(2026, 6, 12, 8), actor=office_user, actor_name="office",
        action="issue.publish", result="done", object_type="bulletins.issue",
        object_id="42", object_label="六月简报", address="10.2.3.4",
    )  # fmt: skip


def _labels(response):
    """The entries listed, without those the personas left when their accounts were made and signed in."""
    return [
        e.object_label
        for e in response.context["page"]
        if not e.action.startswith(("account.", "auth."))
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["六月简报", '=HYPERLINK("http://evil") · 新海石化', "五月简报"]),
        ("since=2026-06-01", ["六月简报", '=HYPERLINK("http://evil") · 新海石化']),
        ("until=2026-06-10", ['=HYPERLINK("http://evil") · 新海石化', "五月简报"]),
        ("account=rensh", ["五月简报"]),
        ("action=issue.publish", ["六月简报"]),
        ("object=五月", ["五月简报"]),
        ("object=42", ["六月简报"]),
        ("result=refused", ['=HYPERLINK("http://evil") · 新海石化']),
        ("action=no-such-action", []),  # an invalid filter narrows to nothing
        ("since=not-a-date", []),
    ],
)
def test_filters(auditor_client, entries, query, expected):
    response = auditor_client.get(f"{URL}?{query}")
    assert response.status_code == 200
    assert _labels(response) == expected


def test_filter_by_unit(auditor_client, entries, unit_a):
    assert _labels(auditor_client.get(f"{URL}?unit={unit_a.pk}")) == ["五月简报"]


def test_the_page_shows_each_field(auditor_client, entries):
    page = auditor_client.get(URL).content.decode()
    for text in ["2026-06-12 08:00:00", "office", "10.2.3.4", "发布简报", "#42", "拒绝",
                 "只有产改办可以执行此操作。", "江苏新海石化有限公司"]:  # fmt: skip
        assert text in page


def test_export_writes_the_filtered_rows_and_is_itself_audited(auditor_client, auditor, entries):
    response = auditor_client.get(
        "/audit/export.xlsx?since=2026-06-01&until=2026-06-30", REMOTE_ADDR="10.7.7.7"
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "账号", "单位", "来源地址", "操作")
    assert [r[8] for r in rows[1:]] == ["六月简报", '=HYPERLINK("http://evil") · 新海石化']
    evil = sheet.cell(row=3, column=9)
    assert evil.data_type == "s"  # text, not a formula
    assert rows[2][9] == "拒绝" and rows[2][10] == "只有产改办可以执行此操作。"
    (export,) = AuditEntry.objects.filter(action="audit.export")
    assert (export.actor, export.address) == (auditor, "10.7.7.7")
    assert export.detail == "2 条；since=2026-06-01&until=2026-06-30"


def test_an_export_over_the_limit_is_refused_and_recorded(auditor_client, entries, monkeypatch):
    monkeypatch.setattr("portal.audit.views.MAX_ROWS", 2)
    response = auditor_client.get("/audit/export.xlsx", follow=True)
    assert "超过一次导出的上限 2 条" in response.content.decode()
    (refused,) = AuditEntry.objects.filter(action="audit.export")
    assert refused.result == "refused" and "上限 2 条" in refused.reason


def test_pages_past_the_end_answer_404(auditor_client, entries):
    assert auditor_client.get(f"{URL}?page=9").status_code == 404


def test_the_list_costs_a_fixed_number_of_queries(
    auditor_client, entries, django_assert_max_num_queries
):
    for n in range(30):
        record("issue.publish", label=f"第{n}期")
    with django_assert_max_num_queries(12):
        assert auditor_client.get(URL).status_code == 200


@pytest.mark.browser
def test_the_page_fits_a_phone(browser, live_server, auditor, entries):
    from tests.factories import PASSWORD

    auditor.set_password(PASSWORD)
    auditor.save()
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "auditor")
    page.fill("#id_password", PASSWORD)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}{URL}")
    assert page.locator("h1").inner_text() == "审计日志"
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # Each entry is a card: the account label shows beside its value.
    cell = page.locator("td[data-label='账号']").first
    assert "账号" in page.evaluate(
        "e => getComputedStyle(e, '::before').content", cell.element_handle()
    )
    page.locator("summary").click()
    page.fill("#id_account", "xinhai")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("tbody tr").count() == 1
    context.close()
