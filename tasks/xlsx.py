"""Task lists in and out of .xlsx (openpyxl).

Import checks the file with ``validate_upload`` (zip-bomb checks) before openpyxl
opens it, reads every row, and refuses the sheet whole with one Chinese message
per bad row. Export writes any cell that starts with = + - @, tab or CR as text
(openpyxl would turn ``=…`` into a formula; SECURITY.md, "Content out").
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from portal.files import validate_upload
from portal.text import normalize_text
from portal.units.models import Unit

from .models import Assignment, Light, Milestone, ProgressReport, Task

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
UNIT_SPLIT = re.compile(r"[、，,；;\s]+")
MILESTONE_SPLIT = re.compile(r"[；;\n]+")
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    return str(value).strip()


def _date(value, errors: list, label: str, *, required: bool):
    if value in (None, ""):
        if required:
            errors.append(_("缺少%(label)s") % {"label": label})
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE_RE.match(_text(value))
    if match:
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            pass
    errors.append(
        _("%(label)s“%(value)s”不是有效日期（例如 2020-12-31）")
        % {"label": label, "value": _text(value)[:30]}
    )
    return None


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


def _milestones(value, errors: list) -> list:
    items = []
    for part in MILESTONE_SPLIT.split(_text(value)):
        part = part.strip()
        if not part:
            continue
        day_text, _sep, title = part.partition(" ")
        day = _date(day_text, errors, _("节点日期"), required=True)
        if not title.strip():
            errors.append(
                _("节点“%(part)s”缺少名称（例如 2020-09-30 制定方案）") % {"part": part[:40]}
            )
        elif day:
            items.append((title.strip()[:200], day))
    return items


def read_task_sheet(file, *, plan) -> list[TaskRow]:
    """Parse and check a task-list sheet; raise one ValidationError naming every bad row."""
    validate_upload(file, allowed=("xlsx",))
    file.seek(0)
    try:
        workbook = load_workbook(io.BytesIO(file.read()), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = list(
            sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=len(TASK_COLUMNS), values_only=True)
        )
        workbook.close()
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise ValidationError(
            _("无法读取表格文件，请使用导出的模板填写。"), code="unreadable"
        ) from exc
    if not rows:
        raise ValidationError(_("表格是空的。"), code="empty")
    header = [_text(v) for v in rows[0]]
    if header[: len(TASK_COLUMNS)] != TASK_COLUMNS:
        raise ValidationError(
            _("表头应为：%(columns)s。") % {"columns": "、".join(TASK_COLUMNS)}, code="header"
        )
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}, code="too_many_rows")

    lookup = {}
    for unit in Unit.objects.filter(active=True):
        lookup[unit.name] = unit
        if unit.short_name:
            lookup.setdefault(unit.short_name, unit)
    taken = set(plan.tasks.values_list("number", flat=True))
    seen = {}
    parsed, problems = [], []
    for line, values in enumerate(rows[1:], start=2):
        values = list(values) + [None] * (len(TASK_COLUMNS) - len(values))
        if all(_text(v) == "" for v in values):
            continue
        errors: list[str] = []
        number, category, title, requirement = (_text(v) for v in values[:4])
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
            errors.append(_("缺少任务名称"))
        elif len(title) > 300:
            errors.append(_("任务名称超过300字"))
        if len(category) > 50:
            errors.append(_("类别过长"))
        start = _date(values[4], errors, _("开始日期"), required=False)
        due = _date(values[5], errors, _("完成时限"), required=True)
        if start and due and start > due:
            errors.append(_("开始日期晚于完成时限"))
        weight = Decimal(1)
        if _text(values[6]):
            try:
                weight = Decimal(_text(values[6]))
                if not Decimal(0) < weight <= Decimal(999) or weight != weight.quantize(
                    Decimal("0.01")
                ):
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(_("分值权重“%(w)s”应为大于0的数") % {"w": _text(values[6])[:20]})
        lead = _units(values[7], lookup, errors, _("牵头单位"))
        cooperate = _units(values[8], lookup, errors, _("配合单位"))
        both = [u.name for u in lead if u in cooperate]
        if both:
            errors.append(_("“%(names)s”不能既牵头又配合") % {"names": "、".join(both)})
        milestones = _milestones(values[9], errors)
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


# --- export ------------------------------------------------------------------------


def _append(sheet, values) -> None:
    """Append a row; text that a spreadsheet would run as a formula stays text.

    Control characters are resolved first (openpyxl raises IllegalCharacterError on
    them, and one unit's pasted text must not break everyone's export).
    """
    sheet.append([normalize_text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True


def _day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def build_workbook(assignments, *, today: datetime.date) -> bytes:
    """The visible assignments as three sheets: the task list (import format), the
    assignments with progress and lights, and the progress reports."""
    assignments = list(
        assignments.with_light(today)
        .select_related("task__plan", "unit")
        .prefetch_related(
            Prefetch("reports", queryset=ProgressReport.objects.order_by("submitted_at", "pk"))
        )
        .order_by("task__plan_id", "task__number", "task_id", "role", "unit__ordering", "pk")
    )
    task_ids = {a.task_id for a in assignments}
    milestones = {}
    for m in Milestone.objects.filter(task_id__in=task_ids).order_by("due_date", "pk"):
        milestones.setdefault(m.task_id, []).append(m)

    workbook = Workbook()
    tasks_sheet = workbook.active
    tasks_sheet.title = _("任务清单")
    _append(tasks_sheet, TASK_COLUMNS)
    by_task: dict[int, list[Assignment]] = {}
    for a in assignments:
        by_task.setdefault(a.task_id, []).append(a)
    for group in by_task.values():
        t: Task = group[0].task
        _append(
            tasks_sheet,
            [
                t.number,
                t.category,
                t.title,
                t.requirement,
                _day(t.start_date),
                _day(t.due_date),
                str(t.weight.normalize()),
                "、".join(a.unit.name for a in group if a.role == Assignment.Role.LEAD),
                "、".join(a.unit.name for a in group if a.role == Assignment.Role.COOPERATE),
                "；".join(f"{_day(m.due_date)} {m.title}" for m in milestones.get(t.pk, [])),
            ],
        )
    for row in tasks_sheet.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"

    lights = dict(Light.choices)
    progress = workbook.create_sheet(_("分工进展"))
    _append(
        progress,
        [
            _("任务清单"),
            _("编号"),
            _("任务"),
            _("单位"),
            _("分工"),
            _("状态"),
            _("进度（%）"),
            _("完成时限"),
            _("红黄绿灯"),
            _("签收时间"),
            _("办结时间"),
        ],
    )
    reports = workbook.create_sheet(_("进展报送"))
    _append(
        reports,
        [
            _("编号"),
            _("任务"),
            _("单位"),
            _("报送期间"),
            _("进展情况"),
            _("完成进度（%）"),
            _("申请办结"),
            _("报送时间"),
            _("审核状态"),
            _("审核意见"),
        ],
    )
    for a in assignments:
        _append(
            progress,
            [
                a.task.plan.title,
                a.task.number,
                a.task.title,
                a.unit.name,
                a.get_role_display(),
                a.get_status_display(),
                a.progress,
                _day(a.task.due_date),
                str(lights[a.light]),
                _when(a.acknowledged_at),
                _when(a.closed_at),
            ],
        )
        for r in a.reports.all():
            _append(
                reports,
                [
                    a.task.number,
                    a.task.title,
                    a.unit.name,
                    r.period,
                    r.text,
                    r.percent,
                    _("是") if r.requests_completion else _("否"),
                    _when(r.submitted_at),
                    r.get_review_status_display(),
                    r.review_comment,
                ],
            )
    for sheet, widths in (
        (tasks_sheet, [8, 10, 40, 50, 12, 12, 8, 24, 24, 40]),
        (progress, [24, 8, 40, 20, 6, 10, 8, 12, 18, 17, 17]),
        (reports, [8, 40, 20, 10, 60, 8, 8, 17, 10, 40]),
    ):
        for i, width in enumerate(widths):
            sheet.column_dimensions[chr(ord("A") + i)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
