"""Task lists into a plan from .xlsx (openpyxl); the export is ``xlsx_export.py``.

Import checks the file with ``validate_upload`` (zip-bomb checks) before openpyxl
opens it, reads every row, and refuses the sheet whole with one Chinese message
per bad row.
"""

import datetime
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.styles import is_date_format

from portal.files import validate_upload
from portal.text import normalize_text
from portal.units.models import Unit
from portal.xlsx import XLSX_CONTENT_TYPE  # noqa: F401  (re-exported: the views' and tests' name)

from .xlsx_dates import serial_date, text_date

TASK_COLUMNS = [
    "编号",
    "类别",
    "任务",
    "工作要求",
    "开始日期",
    "完成时限",
    "分值权重",
    "牵头单位",
    "配合单位",
    "节点",
]
MAX_ROWS = 2000
# Columns looked at: task lists carry a few more (备注 …), which are ignored.
MAX_COLUMNS = 50
# A title row (often merged) and blank rows may stand above the header.
HEADER_SEARCH_ROWS = 10
UNIT_SPLIT = re.compile(r"[、，,；;\s]+")
MILESTONE_SPLIT = re.compile(r"[；;\n]+")

# Each field of a row, the header of the portal's own sheet (TASK_COLUMNS), and the
# other names offices give the same column. Headers are compared without spaces,
# line breaks, "*" marks and bracketed notes: "完成时限（年月日）" is 完成时限.
COLUMN_NAMES = {
    "number": ["编号", "序号", "任务编号", "编码"],
    "category": ["类别", "分类", "类型", "任务类别", "任务分类"],
    "title": [
        "任务", "任务名称", "工作任务", "重点任务", "任务内容", "改革任务", "具体任务",
        "工作事项", "事项",
    ],
    "requirement": [
        "工作要求", "具体要求", "要求", "任务要求", "目标要求", "工作措施", "主要措施",
        "具体措施", "工作目标",
    ],
    "start_date": ["开始日期", "开始时间", "起始日期", "起始时间", "启动时间"],
    "due_date": [
        "完成时限", "完成时间", "时限", "完成期限", "截止日期", "截止时间", "办结时限",
        "完成日期",
    ],
    "weight": ["分值权重", "分值", "权重", "分数"],
    "lead": ["牵头单位", "责任单位", "牵头部门", "责任部门", "主责单位", "牵头责任单位"],
    "cooperate": ["配合单位", "协办单位", "配合部门", "参与单位", "协同单位"],
    "milestones": ["节点", "时间节点", "进度节点", "阶段节点", "进度安排"],
}  # fmt: skip
_HEADER_NOISE = re.compile(r"[\s*＊:：]|[（(][^）)]*[）)]")
_COLUMN_BY_NAME = {name: key for key, names in COLUMN_NAMES.items() for name in names}


def _header_key(value) -> str | None:
    text = unicodedata.normalize("NFKC", _text(value))
    return _COLUMN_BY_NAME.get(_HEADER_NOISE.sub("", text))


@dataclass(frozen=True)
class SheetCell:
    """One cell as the import needs it: the value (a formula's cached result) and what
    tells a date: the number format."""

    value: object = None
    formula: bool = False  # a formula without a cached result (value None)
    format_id: int | None = None
    is_date_format: bool = False


EMPTY = SheetCell()


@dataclass
class TaskRow:
    line: int
    number: str
    category: str
    title: str
    requirement: str
    start_date: datetime.date | None
    due_date: datetime.date
    weight: Decimal
    lead: list = field(default_factory=list)
    cooperate: list = field(default_factory=list)
    milestones: list = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    return normalize_text(str(value)).strip()


def _sheet_cell(cell, formula_cell) -> SheetCell:
    style = getattr(cell, "style_array", None) if getattr(cell, "_style_id", 0) else None
    format_id = style.numFmtId if style is not None else 0
    number_format = getattr(cell, "number_format", "General") if style is not None else "General"
    return SheetCell(
        value=cell.value,
        formula=cell.value is None and getattr(formula_cell, "data_type", None) == "f",
        format_id=format_id if format_id < 164 else None,
        is_date_format=is_date_format(number_format),
    )


def _read_rows(file) -> tuple[list[list[SheetCell]], datetime.datetime]:
    """The first sheet's rows (values as cached by Excel) and the workbook's date epoch.

    Read twice: the cached values, and the formulas, to tell a formula with no
    cached result (a file written by a script) from an empty cell.
    """
    data = file.read()
    limit = {"max_row": MAX_ROWS + HEADER_SEARCH_ROWS + 1, "max_col": MAX_COLUMNS}
    values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        rows = []
        pairs = zip(
            values.worksheets[0].iter_rows(**limit),
            formulas.worksheets[0].iter_rows(**limit),
            strict=False,
        )
        for row, formula_row in pairs:
            rows.append(
                [_sheet_cell(c, f) for c, f in itertools.zip_longest(row, formula_row) if c]
            )
        return rows, values.epoch
    finally:
        values.close()
        formulas.close()


def _find_header(rows) -> tuple[int, dict[str, int]]:
    """(index of the header row, field → column) — the first row naming a task column."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for column, cell in enumerate(row):
            key = _header_key(cell.value)
            if key and key not in columns:
                columns[key] = column
        if "title" in columns:
            return index, columns
    raise ValidationError(
        _(
            "找不到“任务”列：表头应有一列“任务”（也可写作%(synonyms)s），"
            "其余列按名称识别，例如：%(columns)s。"
        )
        % {
            "synonyms": "、".join(f"“{n}”" for n in COLUMN_NAMES["title"][1:4]),
            "columns": "、".join(TASK_COLUMNS),
        },
        code="header",
    )


class _Row:
    """The cells of one sheet row by field, collecting the reasons it is refused."""

    def __init__(self, cells: list[SheetCell], columns: dict[str, int]):
        self.cells = cells
        self.columns = columns
        self.errors: list[str] = []
        self.formulas: set[str] = set()

    def cell(self, key: str) -> SheetCell:
        """The cell of ``key``; a formula without a cached value is refused by name."""
        column = self.columns.get(key)
        if column is None or column >= len(self.cells):
            return EMPTY
        cell = self.cells[column]
        if cell.formula:
            if key not in self.formulas:
                self.formulas.add(key)
                self.errors.append(
                    _("“%(label)s”是公式，请粘贴为数值") % {"label": COLUMN_NAMES[key][0]}
                )
            return EMPTY
        return cell

    def text(self, key: str) -> str:
        return _text(self.cell(key).value)

    def is_blank(self) -> bool:
        return all(_text(c.value) == "" and not c.formula for c in self.cells)


def _date(cell: SheetCell, errors: list, label: str, *, required: bool, epoch):
    value = cell.value
    if value is None or _text(value) == "":
        if required:
            errors.append(_("缺少%(label)s") % {"label": label})
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float):
        day = serial_date(
            value, format_id=cell.format_id, is_date_format=cell.is_date_format, epoch=epoch
        )
    else:
        day = text_date(_text(value))
    if day is None:
        errors.append(
            _("%(label)s“%(value)s”不是有效日期（例如 2020-12-31）")
            % {"label": label, "value": _text(value)[:30]}
        )
    return day


def _units(value, lookup: dict, errors: list, label: str) -> list:
    found = []
    for name in UNIT_SPLIT.split(_text(value)):
        if not name:
            continue
        unit = lookup.get(name)
        if unit is None:
            errors.append(
                _("%(label)s“%(name)s”不是系统中的单位") % {"label": label, "name": name[:50]}
            )
        elif unit not in found:
            found.append(unit)
    return found


def _milestones(value, errors: list, epoch) -> list:
    items = []
    for part in MILESTONE_SPLIT.split(_text(value)):
        part = part.strip()
        if not part:
            continue
        day_text, _sep, title = part.partition(" ")
        day = _date(SheetCell(day_text), errors, _("节点日期"), required=True, epoch=epoch)
        if not title.strip():
            errors.append(
                _("节点“%(part)s”缺少名称（例如 2020-09-30 制定方案）") % {"part": part[:40]}
            )
        elif day:
            items.append((title.strip()[:200], day))
    return items


def read_task_sheet(file, *, plan) -> list[TaskRow]:
    """Parse and check a task-list sheet; raise one ValidationError naming every bad row.

    ``file``: an uploaded .xlsx (checked with ``validate_upload`` before openpyxl
    opens it). The first sheet is read; its header is the first of the top rows
    that names a task column, and columns are matched by name (``COLUMN_NAMES``),
    in any order; unknown columns are ignored. Missing columns take defaults:
    numbers 1, 2, 3… (skipping those the plan has), 完成时限 the end of the plan's
    year, 分值权重 1, the rest empty. Dates: see ``tasks/xlsx_dates.py``. A
    formula's cached value is used; a formula without one is refused by name.
    Raises ValidationError: ``header`` (no task column), ``unreadable``,
    ``empty``, ``too_many_rows``, or one ``bad_row`` error per refused row.
    """
    validate_upload(file, allowed=("xlsx",))
    file.seek(0)
    try:
        rows, epoch = _read_rows(file)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ValidationError(
            _("无法读取表格文件，请使用导出的模板填写。"), code="unreadable"
        ) from exc
    if not rows:
        raise ValidationError(_("表格是空的。"), code="empty")
    header_index, columns = _find_header(rows)
    body = rows[header_index + 1 :]
    while body and _Row(body[-1], columns).is_blank():  # formatted but empty rows below
        body.pop()
    if len(body) > MAX_ROWS:
        raise ValidationError(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, code="too_many_rows")

    lookup = {}
    for unit in Unit.objects.filter(active=True):
        lookup[unit.name] = unit
        if unit.short_name:
            lookup.setdefault(unit.short_name, unit)
    taken = set(plan.tasks.values_list("number", flat=True))
    free_numbers = (str(n) for n in itertools.count(1) if str(n) not in taken)
    year_end = datetime.date(plan.year, 12, 31)
    seen = {}
    parsed, problems = [], []
    for line, cells in enumerate(body, start=header_index + 2):
        row = _Row(cells, columns)
        if row.is_blank():
            continue
        errors = row.errors
        number = row.text("number") if "number" in columns else next(free_numbers)
        category, title, requirement = (
            row.text("category"),
            row.text("title"),
            row.text("requirement"),
        )
        if not number:
            errors.append(_("缺少编号"))
        elif len(number) > 20:
            errors.append(_("编号过长"))
        elif number in taken:
            errors.append(_("编号“%(n)s”在该任务清单中已存在") % {"n": number})
        elif number in seen:
            errors.append(_("编号“%(n)s”与第%(line)d行重复") % {"n": number, "line": seen[number]})
        else:
            seen[number] = line
        if not title:
            if "title" not in row.formulas:
                errors.append(_("缺少任务名称"))
        elif len(title) > 300:
            errors.append(_("任务名称超过300字"))
        if len(category) > 50:
            errors.append(_("类别过长"))
        start = _date(row.cell("start_date"), errors, _("开始日期"), required=False, epoch=epoch)
        if "due_date" in columns:
            due = _date(row.cell("due_date"), errors, _("完成时限"), required=True, epoch=epoch)
        else:
            due = year_end
        if start and due and start > due:
            errors.append(_("开始日期晚于完成时限"))
        weight = Decimal(1)
        weight_text = row.text("weight")
        if weight_text:
            try:
                weight = Decimal(weight_text)
                if not Decimal(0) < weight <= Decimal(999) or weight != weight.quantize(
                    Decimal("0.01")
                ):
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(_("分值权重“%(w)s”应为大于0的数") % {"w": weight_text[:20]})
        lead = _units(row.cell("lead").value, lookup, errors, _("牵头单位"))
        cooperate = _units(row.cell("cooperate").value, lookup, errors, _("配合单位"))
        both = [u.name for u in lead if u in cooperate]
        if both:
            errors.append(_("“%(names)s”不能既牵头又配合") % {"names": "、".join(both)})
        milestones = _milestones(row.cell("milestones").value, errors, epoch)
        if errors:
            problems.append(
                _("第%(line)d行：%(reasons)s") % {"line": line, "reasons": "；".join(errors)}
            )
            continue
        parsed.append(
            TaskRow(
                line,
                number,
                category,
                title,
                requirement,
                start,
                due,
                weight,
                lead,
                cooperate,
                milestones,
            )
        )
    if problems:
        raise ValidationError([ValidationError(p, code="bad_row") for p in problems[:200]])
    if not parsed:
        raise ValidationError(_("表格中没有任务。"), code="empty")
    return parsed
