"""Task sheets as offices already keep them: dates in every format Chinese Excel and WPS
write, columns found by name, title rows, formulas, and where a refusal is shown."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from tasks import services
from tasks.models import Task
from tasks.xlsx_dates import EAST_ASIAN_DATE_FORMATS, text_date
from tests.factories import make_task
from tests.office_files import FIXTURES, rewrite

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 12, 31)
SERIAL = 46387  # 2026-12-31 in the 1900 date system


def workbook_bytes(rows, *, merge_title: str | None = None, formats=None) -> bytes:
    """A sheet of ``rows`` (the first is the header unless ``merge_title`` comes first).

    ``formats``: {(row, column): number format} for cells, 1-based.
    """
    wb = Workbook()
    ws = wb.active
    if merge_title:
        ws.append([merge_title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        ws.append(row)
    for (r, c), fmt in (formats or {}).items():
        ws.cell(row=r, column=c).number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def do_import(plan, office_user, data: bytes, name="任务清单.xlsx"):
    return services.import_plan(plan=plan, file=SimpleUploadedFile(name, data), by=office_user)


def refusal(plan, office_user, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        do_import(plan, office_user, data)
    assert not Task.objects.filter(plan=plan).exists()  # all or nothing
    return info.value


# --- dates ------------------------------------------------------------------------------


def test_shared_sheet_with_built_in_east_asian_formats(plan, unit_a, office_user):
    made = do_import(plan, office_user, (FIXTURES / "task-dates-builtin-cjk.xlsx").read_bytes())
    assert [t.number for t in made] == ["E1", "E2", "E3", "E4", "E5"]
    assert {t.due_date for t in made} == {DAY}
    assert all(t.assignments.get().unit == unit_a for t in made)


def test_every_built_in_east_asian_date_format_without_num_fmt(plan, office_user):
    ids = sorted(EAST_ASIAN_DATE_FORMATS)
    header = ["编号", "任务", "完成时限"]
    rows = [header] + [[f"F{i}", f"格式{i}", SERIAL] for i in ids]
    # Distinct custom formats first (ids 164, 165, …), then each made a built-in id
    # with no <numFmt> entry, as Excel and WPS write them.
    formats = {(n + 2, 3): f'yyyy"年"m"月"d"日"{"@" * (n + 1)}' for n in range(len(ids))}
    data = workbook_bytes(rows, formats=formats)

    def builtin(styles: bytes) -> bytes:
        styles = re.sub(rb"<numFmts.*?</numFmts>", b"", styles, flags=re.S)
        for n, target in enumerate(ids):
            styles = styles.replace(b'numFmtId="%d"' % (164 + n), b'numFmtId="%d"' % target)
        return styles

    data = rewrite(data, "xl/styles.xml", builtin)
    assert b"<numFmts" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml")
    made = do_import(plan, office_user, data)
    assert len(made) == len(ids) and {t.due_date for t in made} == {DAY}


@pytest.mark.parametrize(
    "value",
    [
        SERIAL,  # a date pasted as a value: General format
        float(SERIAL),
        datetime.datetime(2026, 12, 31),
        "2026-12-31",
        "2026/12/31",
        "2026.12.31",
        "2026年12月31日",
        "2026 年 12 月 31 日",
        "2026-12-31 00:00:00",
        "20261231",
        "２０２６－１２－３１",
        "二〇二六年十二月三十一日",
        "2026年12月底前",
        "2026年12月",
        "2026年底",
    ],
)
def test_date_forms(plan, office_user, value):
    data = workbook_bytes([["编号", "任务", "完成时限"], ["1", "开展宣讲", value]])
    assert do_import(plan, office_user, data)[0].due_date == DAY


def test_dbnum_and_chinese_custom_formats(plan, office_user):
    rows = [["编号", "任务", "完成时限"], ["1", "甲", SERIAL], ["2", "乙", SERIAL]]
    formats = {(2, 3): '[DBNum1][$-804]yyyy"年"m"月"d"日"', (3, 3): 'yyyy"年"m"月"d"日"'}
    made = do_import(plan, office_user, workbook_bytes(rows, formats=formats))
    assert {t.due_date for t in made} == {DAY}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026年6月底前", datetime.date(2026, 6, 30)),
        ("2024年2月", datetime.date(2024, 2, 29)),
        ("2026.9.30", datetime.date(2026, 9, 30)),
        ("二〇二六年九月", datetime.date(2026, 9, 30)),
        ("2026-13-45", None),
        ("下半年", None),
        ("2026", None),
        ("", None),
    ],
)
def test_text_date(text, expected):
    assert text_date(text) == expected


def test_bad_dates_are_named_with_their_row(plan, office_user):
    rows = [
        ["编号", "任务", "完成时限"],
        ["1", "甲", "2026-13-45"],
        ["2", "乙", 12],  # a number that is no date
        ["3", "丙", "下半年"],
    ]
    error = refusal(plan, office_user, workbook_bytes(rows))
    assert [m[:3] for m in error.messages] == ["第2行", "第3行", "第4行"]
    assert all("完成时限" in m for m in error.messages)


# --- columns by name ----------------------------------------------------------------------


def test_the_bulletins_own_table_with_a_merged_title_row(plan, unit_a, unit_b, office_user):
    rows = [
        ["序号", "任务", "牵头单位", "配合单位", "完成时限", "备注"],
        [1, "开展产改主题宣讲", "市人社局", "新海石化", "2026年6月30日", "每季度报送"],
        [2, "建立技能人才评价制度", "人社局", "", "2026年12月底前", ""],
    ]
    data = workbook_bytes(rows, merge_title="2026年产业工人队伍建设改革任务清单")
    made = do_import(plan, office_user, data)
    assert [(t.number, t.title, t.due_date) for t in made] == [
        ("1", "开展产改主题宣讲", datetime.date(2026, 6, 30)),
        ("2", "建立技能人才评价制度", DAY),
    ]
    first = made[0]
    assert sorted(first.assignments.values_list("unit__name", "role")) == [
        ("市人社局", "lead"),
        ("江苏新海石化有限公司", "cooperate"),
    ]
    assert first.weight == 1 and first.category == "" and first.requirement == ""


def test_synonyms_any_order_and_noisy_headers(plan, unit_a, office_user):
    rows = [
        ["完成时间", "责任单位", "工作任务（内容）", "具体要求", "* 编号", "类 别"],
        ["2026-12-31", "市人社局", "开展宣讲", "覆盖全员", "A-1", "思想引领"],
    ]
    (task,) = do_import(plan, office_user, workbook_bytes(rows))
    assert (task.number, task.title, task.requirement, task.category, task.due_date) == (
        "A-1",
        "开展宣讲",
        "覆盖全员",
        "思想引领",
        DAY,
    )
    assert task.assignments.get().unit == unit_a


def test_defaults_for_missing_columns(plan, office_user):
    make_task(plan, "1")  # taken: the generated numbers skip it
    rows = [["任务", "说明"], ["甲", "不认识的列"], ["乙", ""]]
    made = do_import(plan, office_user, workbook_bytes(rows))
    assert [(t.number, t.due_date) for t in made] == [
        ("2", datetime.date(plan.year, 12, 31)),
        ("3", datetime.date(plan.year, 12, 31)),
    ]


def test_empty_formatted_rows_below_the_list_do_not_count(plan, office_user):
    rows = [["任务", "完成时限"], ["甲", "2026-12-31"]] + [["", ""]] * 2100
    assert len(do_import(plan, office_user, workbook_bytes(rows))) == 1


def test_no_task_column_names_the_expected_header(plan, office_user):
    rows = [["序号", "内容摘要", "单位"], ["1", "甲", "市人社局"]]
    error = refusal(plan, office_user, workbook_bytes(rows))
    assert error.code == "header"
    assert "“任务”" in error.messages[0] and "任务名称" in error.messages[0]


def test_bad_rows_are_still_named_in_a_sheet_of_another_layout(plan, office_user):
    rows = [
        ["序号", "任务", "牵头单位", "完成时限", "备注"],
        [1, "", "市人社局", "2026-12-31", ""],
        [2, "乙", "不存在的单位", "2026-12-31", ""],
        [3, "丙", "", "2026-12-31", ""],
    ]
    error = refusal(plan, office_user, workbook_bytes(rows))
    assert [m[:3] for m in error.messages] == ["第2行", "第3行"]
    assert "缺少任务名称" in error.messages[0] and "不存在的单位" in error.messages[1]


# --- formulas -------------------------------------------------------------------------------


def with_formula(cached: str | None) -> bytes:
    data = workbook_bytes([["编号", "任务", "完成时限"], ["1", '="开展"&"宣讲"', "2026-12-31"]])
    if cached is None:
        return data  # openpyxl writes no cached value, as a script would

    def cache(sheet: bytes) -> bytes:
        return re.sub(
            rb'<c r="B2"><f>(.*?)</f><v\s*/?>(?:</v>)?',
            lambda m: (
                b'<c r="B2" t="str"><f>' + m.group(1) + b"</f><v>" + cached.encode() + b"</v>"
            ),
            sheet,
        )

    return rewrite(data, "xl/worksheets/sheet1.xml", cache)


def test_formula_with_a_cached_value_uses_it(plan, office_user):
    (task,) = do_import(plan, office_user, with_formula("开展宣讲"))
    assert task.title == "开展宣讲"


def test_formula_without_a_cached_value_is_refused_by_name(plan, office_user):
    error = refusal(plan, office_user, with_formula(None))
    assert error.messages == ["第2行：“任务”是公式，请粘贴为数值"]


# --- where the refusal shows ------------------------------------------------------------------


def test_refused_import_puts_a_banner_at_the_top_and_links_the_reasons(plan, office_client):
    rows = [["编号", "任务", "完成时限"], ["1", "", "2026-12-31"], ["2", "乙", "明年"]]
    response = office_client.post(
        reverse("tasks:plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("清单.xlsx", workbook_bytes(rows))},
    )
    assert response.status_code == 200
    page = response.content.decode()
    banner = page.index('class="message message--error"')
    assert "2 行有误" in page[banner : banner + 300]
    assert 'href="#import-errors"' in page[banner : banner + 300]
    assert page.index('id="import-errors"') > banner
    assert "第2行：缺少任务名称" in page and "第3行" in page
    assert response.context["plan"] == plan  # the plan's page, not another one
    assert not Task.objects.exists()


def test_header_refusal_banner(plan, office_client):
    response = office_client.post(
        reverse("tasks:plan_import", args=[plan.pk]),
        {"file": SimpleUploadedFile("清单.xlsx", workbook_bytes([["甲", "乙"], ["1", "2"]]))},
    )
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "找不到“任务”列" in messages[0]
