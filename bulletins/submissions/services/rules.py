"""积分规则: the office edits each year's scoring rules."""

from django.db import transaction

from ..models import ScoringRule
from .base import allowed, check_office

RULE_FIELDS = (
    "per_piece",
    "per_issue",
    "per_city",
    "per_province",
    "per_national",
    "monthly_quota",
    "quota_start_month",
    "missed_month_penalty",
    "assessment_cap",
)


def can_edit_rules(user) -> bool:
    return allowed(check_office, user)


@transaction.atomic
def save_scoring_rule(*, year: int, by, values: dict) -> ScoringRule:
    """Create or change the scoring rules of ``year``: ``values`` maps the fields of
    ``RULE_FIELDS`` (points as Decimal 0–100, the quota a whole number of pieces) to
    their new values; others are ignored. Office only (``PermissionDenied``); a value
    out of range raises ``ValidationError`` and saves nothing."""
    check_office(by)
    rule = ScoringRule.objects.select_for_update().filter(year=year).first() or ScoringRule(
        year=year
    )
    for name in RULE_FIELDS:
        if name in values:
            setattr(rule, name, values[name])
    rule.updated_by = by
    rule.full_clean()
    rule._history_user = by
    rule.save()
    return rule
