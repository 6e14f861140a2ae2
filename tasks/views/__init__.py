"""Pages of the task app, one module per idea; every view is importable from here.

Every reader starts from ``visible_to(request.user)`` (hidden → 404); every write is
one service call; a service refusal lands on the bound form with the input kept.

- ``units``: the assignment list, export and assignment page (签收, reports, evidence);
- ``problems``: 问题收集;
- ``extensions``: 延期申请 (ask, approve or decline, list, evidence);
- ``decisions``: a meeting's 议定事项, made tasks in one step, and the meeting page's panel;
- ``calendar``: the personal .ics address and feed;
- ``office``: the office's overview, review queue, review, 办结 and 催办;
- ``plans``: a plan's tasks and assignments, 分派, import;
- ``assessments``: 考核评价;
- ``home``: the home page panel.
"""

from .assessments import assessment_list, assessment_score
from .calendar import calendar_feed, calendar_settings
from .common import office_required
from .decisions import decision_edit, decision_list, decision_task
from .extensions import (
    extension_create,
    extension_detail,
    extension_evidence,
    extension_list,
    extension_withdraw,
)
from .home import home_panel
from .office import assignment_close, overview, remind, report_review, review_queue
from .plans import plan_assign, plan_detail, plan_import, plan_list
from .problems import problem_detail, problem_list
from .units import (
    assignment_acknowledge,
    assignment_detail,
    assignment_list,
    evidence_download,
    export,
    reminder_read,
    report_create,
    report_edit,
)

__all__ = [
    "assessment_list",
    "assessment_score",
    "assignment_acknowledge",
    "assignment_close",
    "assignment_detail",
    "assignment_list",
    "calendar_feed",
    "calendar_settings",
    "decision_edit",
    "decision_list",
    "decision_task",
    "evidence_download",
    "export",
    "extension_create",
    "extension_detail",
    "extension_evidence",
    "extension_list",
    "extension_withdraw",
    "home_panel",
    "office_required",
    "overview",
    "plan_assign",
    "plan_detail",
    "plan_import",
    "plan_list",
    "problem_detail",
    "problem_list",
    "remind",
    "reminder_read",
    "report_create",
    "report_edit",
    "report_review",
    "review_queue",
]
