"""State changes of the task app: the only code that moves a status.

Every function is keyword-only, takes the acting user as ``by=``, checks the
right itself (a unit acts only on its own assignments; only the office reviews,
reminds, closes and scores), and refuses an illegal step with a
``ValidationError`` carrying a ``code`` while changing nothing. Rows that forms
edit carry a ``version``: a stale one is refused with code ``conflict``.

One module per idea, every name importable from here: ``assignments`` (签收,
reports, review, 办结, 分派), ``plans`` (task lists and their import), ``reminders``
(催办), ``problems`` (问题收集), ``assessments`` (考核评价), ``calendar`` (.ics
tokens), ``evidence`` (佐证材料 files), ``extensions`` (延期申请), ``decisions``
(a meeting's 议定事项 and the tasks made from them); ``base`` holds the shared checks.

Who may take a step is asked once: each ``can_…(obj, user)`` predicate runs the very
guard its service raises from, and views hand its answer to templates.
Read-only aggregates (rates, counts) are in ``tasks.selectors``.
"""

from .assessments import score_unit
from .assignments import (
    accept_report,
    acknowledge_assignment,
    assign_units,
    can_acknowledge,
    can_close,
    can_edit_report,
    can_review,
    can_submit_report,
    close_assignment,
    return_report,
    submit_report,
    update_report,
)
from .calendar import calendar_user, hash_token, renew_calendar_token, revoke_calendar_token
from .decisions import (
    add_decision,
    can_add_decision,
    can_delete_decision,
    can_make_decision_task,
    delete_decision,
    make_decision_task,
    update_decision,
)
from .evidence import MAX_EVIDENCE_FILES, check_evidence
from .extensions import (
    approve_extension,
    can_decide_extension,
    can_request_extension,
    can_withdraw_extension,
    decline_extension,
    extensions_allowed,
    request_extension,
    withdraw_extension,
)
from .plans import activate_plan, close_plan, import_plan
from .problems import can_raise_problem, can_reply_problem, raise_problem, reply_problem
from .reminders import (
    can_remind,
    can_remind_status,
    mark_reminder_read,
    send_due_reminders,
    send_reminder,
)

__all__ = [
    "MAX_EVIDENCE_FILES",
    "accept_report",
    "acknowledge_assignment",
    "activate_plan",
    "add_decision",
    "approve_extension",
    "assign_units",
    "calendar_user",
    "can_acknowledge",
    "can_add_decision",
    "can_close",
    "can_decide_extension",
    "can_delete_decision",
    "can_make_decision_task",
    "can_edit_report",
    "can_raise_problem",
    "can_remind",
    "can_remind_status",
    "can_reply_problem",
    "can_request_extension",
    "can_review",
    "can_submit_report",
    "can_withdraw_extension",
    "check_evidence",
    "close_assignment",
    "close_plan",
    "decline_extension",
    "delete_decision",
    "extensions_allowed",
    "hash_token",
    "import_plan",
    "make_decision_task",
    "mark_reminder_read",
    "raise_problem",
    "renew_calendar_token",
    "reply_problem",
    "request_extension",
    "return_report",
    "revoke_calendar_token",
    "score_unit",
    "send_due_reminders",
    "send_reminder",
    "submit_report",
    "update_decision",
    "update_report",
    "withdraw_extension",
]
