"""Every state change of 信息报送, each step's guard and its ``can_…`` predicate."""

from .base import MAX_FILES
from .office import (
    adopt_submission,
    adoptable_issues,
    can_decide,
    can_record_upward,
    decline_submission,
    record_upward_adoption,
    return_submission,
)
from .reminders import send_quota_reminders
from .rules import can_edit_rules, save_scoring_rule
from .writing import (
    can_edit,
    can_sign_off,
    can_submit,
    can_write,
    create_submission,
    return_for_revision_by_leader,
    sign_off_submission,
    submit_submission,
    unit_leaders,
    update_submission,
)

__all__ = [
    "MAX_FILES",
    "adopt_submission",
    "adoptable_issues",
    "can_decide",
    "can_edit",
    "can_edit_rules",
    "can_record_upward",
    "can_sign_off",
    "can_submit",
    "can_write",
    "create_submission",
    "decline_submission",
    "record_upward_adoption",
    "return_for_revision_by_leader",
    "return_submission",
    "save_scoring_rule",
    "send_quota_reminders",
    "sign_off_submission",
    "submit_submission",
    "unit_leaders",
    "update_submission",
]
