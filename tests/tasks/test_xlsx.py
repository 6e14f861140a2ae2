"""Task lists in and out of .xlsx: round trip, whole-sheet rejection naming each bad
row, formula injection, zip bombs refused before openpyxl parses anything."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tasks import services, xlsx
from tasks.models import Assignment, Milestone, Plan, Task
from tests.factories import make_task

pytestmark = pytest.mark.django_db


def sheet_file(rows, name="清单.xlsx", header=xlsx.TASK_COLUMNS):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def test_round_trip_export_then_import_into_an_empty_plan(
    plan, unit_a, unit_b, office_client, office_user
):
    t1 = make_task(plan, "1.1", title="主题宣讲", start=datetime.date(2026, 3, 1))
    t1.milestones.create(title="制定方案", due_date=datetime.date(2026, 4, 30))
    t2 = make_task(plan, "2.10", category="素质提升", title='=HYPERLINK("http://x")')
    Task.objects.filter(pk=t2.pk).update(weight="2.5")
    Assignment.objects.create(task=t1, unit=unit_a, role="lead")
    Assignment.objects.create(task=t1, unit=unit_b, role="cooperate")
    Assignment.objects.create(task=t2, unit=unit_b, role="lead")

    response = office_client.get(reverse("tasks:export") + f"?plan={plan.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    content = b"".join(response.streaming_content) if response.streaming else response.content

    empty = Plan.objects.create(year=2027, title="空清单")
    services.import_plan(plan=empty, file=SimpleUploadedFile("导出.xlsx", content), by=office_user)

    def shape(p):
        return (
            sorted(
                p.tasks.values_list(
                    "number", "category", "title", "requirement", "start_date", "due_date", "weight"
                )
            ),
            sorted(
                Assignment.objects.filter(task__plan=p).values_list(
                    "task__number", "unit__name", "role"
                )
            ),
            sorted(
                Milestone.objects.filter(task__plan=p).values_list(
                    "task__number", "title", "due_date"
                )
            ),
        )

    assert shape(empty) == shape(plan)


def test_formula_text_is_exported_as_text(plan, unit_a, office_client):
    for i, evil in enumerate(["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "\rx"]):
        t = make_task(plan, f"9.{i}", title=evil)
        Assignment.objects.create(task=t, unit=unit_a)
    response = office_client.get(reverse("tasks:export"))
    wb = load_workbook(io.BytesIO(response.content))
    cells = [c for c in wb["任务清单"]["C"][1:]]
    assert {c.value for c in cells} >= {"=1+1", "+cmd|' /C calc'!A0", "@SUM(A1)"}
    assert all(c.data_type == "s" for c in cells), [(c.value, c.data_type) for c in cells]


def test_sheet_with_two_bad_rows_is_rejected_whole(plan, unit_a, office_user):
    rows = [
        ["1.1", "思想引领", "好任务", "", "2026-01-01", "2026-12-31", 1, "市人社局", "", ""],
        ["1.2", "思想引领", "", "", "", "2026-13-45", 1, "市人社局", "", ""],  # row 3
        ["1.3", "素质提升", "任务三", "", "", "2026-12-31", 1, "不存在的单位", "", ""],  # row 4
        ["1.4", "素质提升", "任务四", "", "", "2026-12-31", 1, "人社局", "", "2026-06-30 中期检查"],
    ]
    with pytest.raises(ValidationError) as info:
        services.import_plan(plan=plan, file=sheet_file(rows), by=office_user)
    messages = info.value.messages
    assert len(messages) == 2
    assert (
        messages[0].startswith("第3行")
        and "缺少任务名称" in messages[0]
        and "完成时限" in messages[0]
    )
    assert messages[1].startswith("第4行") and "不存在的单位" in messages[1]
    assert not Task.objects.exists() and not Assignment.objects.exists()


def test_good_sheet_imports_everything(plan, unit_a, unit_b, office_user):
    rows = [
        [
            "1.1",
            "思想引领",
            "任务一",
            "要求",
            datetime.date(2026, 1, 1),
            "2026年12月31日",
            2,
            "人社局",
            "新海石化",
            "2026-06-30 中期检查；2026-09-30 总结",
        ],
    ]
    made = services.import_plan(plan=plan, file=sheet_file(rows), by=office_user)
    assert [t.number for t in made] == ["1.1"]
    t = made[0]
    assert t.due_date == datetime.date(2026, 12, 31) and t.weight == 2
    assert list(t.milestones.values_list("title", flat=True)) == ["中期检查", "总结"]
    assert sorted(t.assignments.values_list("unit__name", "role")) == [
        ("市人社局", "lead"),
        ("江苏新海石化有限公司", "cooperate"),
    ]


def test_duplicate_and_existing_numbers_are_named(plan, unit_a, office_user):
    make_task(plan, "1.1")
    rows = [
        ["1.1", "", "重复已有", "", "", "2026-12-31", 1, "", "", ""],
        ["2.1", "", "甲", "", "", "2026-12-31", 1, "", "", ""],
        ["2.1", "", "乙", "", "", "2026-12-31", 1, "", "", ""],
    ]
    with pytest.raises(ValidationError) as info:
        services.import_plan(plan=plan, file=sheet_file(rows), by=office_user)
    assert [m[:3] for m in info.value.messages] == ["第2行", "第4行"]


def test_wrong_header_refused(plan, office_user):
    with pytest.raises(ValidationError) as info:
        services.import_plan(plan=plan, file=sheet_file([], header=["a", "b"]), by=office_user)
    assert info.value.code == "header"


def test_zip_bomb_refused_before_openpyxl_opens_it(plan, office_user, monkeypatch):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", b"<" + b" " * 20_000_000 + b">")
    opened = []
    monkeypatch.setattr(xlsx, "load_workbook", lambda *a, **k: opened.append(1))
    with pytest.raises(ValidationError) as info:
        services.import_plan(
            plan=plan, file=SimpleUploadedFile("bomb.xlsx", buf.getvalue()), by=office_user
        )
    assert info.value.code == "zip_ratio" and opened == []


def test_broken_workbook_is_a_clear_message_not_a_500(plan, office_client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", b"<not xml")
    response = office_client.post(
        reverse("tasks:plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("坏.xlsx", buf.getvalue())},
    )
    assert response.status_code == 200
    assert "无法读取表格文件" in response.content.decode()


def test_import_page_shows_each_bad_row(plan, unit_a, office_client):
    rows = [
        ["1.1", "", "", "", "", "2026-12-31", 1, "", "", ""],
        ["1.2", "", "有标题", "", "", "", 1, "", "", ""],
    ]
    response = office_client.post(
        reverse("tasks:plan_import", args=[plan.pk]), {"file": sheet_file(rows)}
    )
    page = response.content.decode()
    assert "第2行：缺少任务名称" in page and "第3行：缺少完成时限" in page
    assert not Task.objects.exists()


def test_unit_export_holds_only_its_own_rows(report_a, report_b, client_a):
    response = client_a.get(reverse("tasks:export"))
    wb = load_workbook(io.BytesIO(response.content))
    text = " ".join(
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value
    )
    assert "人社局进展" in text and "市人社局" in text
    assert "新海石化进展" not in text and "江苏新海石化有限公司" not in text
