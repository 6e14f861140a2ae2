"""The visible assignments, their tasks and reports as .xlsx (openpyxl).

The first sheet is the import format (``xlsx.TASK_COLUMNS``), so an exported list
can be edited and imported again. Cells go through ``portal.xlsx.append_row``:
text a spreadsheet would run as a formula stays text (SECURITY.md, "Content out").
"""

import datetime
import io

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from portal.xlsx import append_row as _append

from .models import Assignment, Light, Milestone, ProgressReport, Task
from .xlsx import TASK_COLUMNS


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
                _day(a.due_date),
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
