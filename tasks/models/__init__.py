"""Annual task lists (年度任务清单): tasks, per-unit assignments, reports, reminders,
problems, assessments and calendar tokens; one module per idea, every name
importable from here.

Status fields are ``editable=False``: only ``tasks.services`` moves them. Overdue and
the traffic light (红黄绿灯) are derived, never stored: ``Assignment.light`` for one
row, ``AssignmentQuerySet.with_light(today)`` for lists.

- ``plans``: ``Plan``, ``Task``, ``Milestone``;
- ``assignments``: ``Assignment``, ``ProgressReport``, ``Evidence``, ``Light`` and the
  rules behind it (``light_conditions``, ``closed_on_time_q``);
- ``followup``: ``Reminder`` (催办), ``Problem``, ``Assessment``, ``CalendarToken``;
- ``extensions``: ``ExtensionRequest`` (延期申请);
- ``decisions``: ``Decision`` (a meeting's 议定事项, each may become a task).
"""

from .assignments import (
    DUE_SOON_DAYS,
    Assignment,
    AssignmentQuerySet,
    Evidence,
    Light,
    ProgressReport,
    assignment_audience,
    closed_on_time_after_extension_q,
    closed_on_time_q,
    due_date_expr,
    due_q,
    light_conditions,
    light_for,
    list_order,
    reported_this_month_probe,
    reported_this_month_q,
    today,
)
from .decisions import Decision
from .extensions import ExtensionRequest
from .followup import Assessment, CalendarToken, Problem, Reminder
from .plans import Milestone, Plan, Task

__all__ = [
    "DUE_SOON_DAYS",
    "Assessment",
    "Assignment",
    "AssignmentQuerySet",
    "CalendarToken",
    "Decision",
    "Evidence",
    "ExtensionRequest",
    "Light",
    "Milestone",
    "Plan",
    "Problem",
    "ProgressReport",
    "Reminder",
    "Task",
    "closed_on_time_after_extension_q",
    "closed_on_time_q",
    "due_date_expr",
    "due_q",
    "light_conditions",
    "light_for",
    "list_order",
    "assignment_audience",
    "reported_this_month_probe",
    "reported_this_month_q",
    "today",
]
