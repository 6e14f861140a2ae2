"""What only reads: the office's inbox counts and each unit's points of a year.

Points of a unit in a year (by the year's ``ScoringRule``; defaults when the office
has set none) = per_piece × pieces sent (first reached the office that year)
+ Σ level points × adoptions (本刊 on the issue's date, upward on the publication date)
− missed_month_penalty × months already over (from quota_start_month on) in which fewer
than monthly_quota pieces were sent. The assessment takes the points clamped to ± assessment_cap.
"""

import calendar
import datetime
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import ExtractMonth

from portal.accounts.models import acting_unit_id, is_office, is_unit_leader
from portal.units.models import Unit

from .models import Adoption, ScoringRule, Submission

S = Submission.Status
LEVELS = [level for level, _label in Adoption.Level.choices]


def rule_for(year: int) -> ScoringRule:
    """The year's rules, or an unsaved row with the defaults."""
    return ScoringRule.objects.filter(year=year).first() or ScoringRule(year=year)


def months_over(year: int, today: datetime.date, start: int = 1) -> list[int]:
    """The months of ``year`` from ``start`` on that have ended by ``today`` (1–12)."""
    return [
        m
        for m in range(start, 13)
        if datetime.date(year, m, calendar.monthrange(year, m)[1]) < today
    ]


def year_table(*, year: int, today: datetime.date, units=None) -> list[dict]:
    """One row per unit (active units, or ``units``): ``{"unit", "sent", "adopted"
    (本刊), "rate" (whole percent or None), "upward" ({level: n}), "upward_total",
    "missed_months", "points" (Decimal)}``, highest points first. Four queries (the
    rules, the units, pieces by month, adoptions by level), however many units."""
    rule = rule_for(year)
    units = list(units if units is not None else Unit.objects.active())
    ids = [u.pk for u in units]
    sent = {}
    for r in (
        Submission.objects.sent_in(year)
        .filter(unit_id__in=ids)
        .annotate(month=ExtractMonth("sent_at"))
        .values("unit_id", "month")
        .annotate(n=Count("pk"))
    ):
        sent.setdefault(r["unit_id"], {})[r["month"]] = r["n"]
    adopted = {}
    for r in (
        Adoption.objects.filter(published_on__year=year, submission__unit_id__in=ids)
        .values("submission__unit_id", "level")
        .annotate(n=Count("pk"))
    ):
        adopted.setdefault(r["submission__unit_id"], {})[r["level"]] = r["n"]
    over = months_over(year, today, rule.quota_start_month)
    rows = []
    for unit in units:
        months = sent.get(unit.pk, {})
        levels = {level: adopted.get(unit.pk, {}).get(level, 0) for level in LEVELS}
        n_sent = sum(months.values())
        missed = (
            [m for m in over if months.get(m, 0) < rule.monthly_quota] if rule.monthly_quota else []
        )
        points = rule.per_piece * n_sent - rule.missed_month_penalty * len(missed)
        points += sum((rule.points_for(level) * n for level, n in levels.items()), Decimal(0))
        n_issue = levels[Adoption.Level.ISSUE]
        upward = {k: v for k, v in levels.items() if k != Adoption.Level.ISSUE}
        rows.append(
            {
                "unit": unit,
                "sent": n_sent,
                "adopted": n_issue,
                "rate": round(100 * n_issue / n_sent) if n_sent else None,
                "upward": upward,
                "upward_total": sum(upward.values()),
                "missed_months": missed,
                "points": points,
            }
        )
    rows.sort(key=lambda r: (-r["points"], r["unit"].ordering, r["unit"].name))
    return rows


def unit_points(*, unit, year: int, today: datetime.date) -> dict:
    """``year_table``'s row of one unit."""
    return year_table(year=year, today=today, units=[unit])[0]


def assessment_points(*, unit, year: int, today: datetime.date) -> Decimal | None:
    """The unit's points as the 考核评价 counts them, clamped to ± the year's cap; None
    when the office has set no scoring rules for ``year`` (nothing counts then)."""
    rule = ScoringRule.objects.filter(year=year).first()
    if rule is None:
        return None
    points = year_table(year=year, today=today, units=[unit])[0]["points"]
    return max(-rule.assessment_cap, min(rule.assessment_cap, points))


def waiting_count(user) -> int:
    """What waits for ``user``: the office's 待处理, a leader's 待审签, a unit's returned
    pieces; 0 for anyone else."""
    qs = Submission.objects.visible_to(user)
    if is_office(user):
        return qs.filter(status=S.PENDING).count()
    if is_unit_leader(user):
        return qs.filter(status=S.AWAITING_SIGNOFF).count()
    if acting_unit_id(user):
        return qs.filter(status__in=[S.RETURNED, S.SIGNOFF_RETURNED]).count()
    return 0
