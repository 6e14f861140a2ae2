"""考核评价: the office's year-end score of a unit on a plan, beside the suggested score."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audited

from ..models import (
    Assessment,
    Plan,
)
from ..selectors import unit_rates
from .base import bump, check_office, check_version


@audited(
    "task.score", obj="unit", detail=lambda kw, r: f"{kw['plan']}：{r.score if r else kw['score']}"
)
@transaction.atomic
def score_unit(
    *, plan: Plan, unit, by, score, comment: str = "", version: int | None = None
) -> Assessment:
    """考核评价: record (or revise) the office's score of a unit on a plan, 0–100, beside
    the suggested score. Office only. Errors: ``score``, ``no_assignments``, ``conflict``."""
    check_office(by)
    try:
        score = Decimal(str(score))
        if not score.is_finite():  # NaN would raise on the comparison below
            raise InvalidOperation
        score = score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError(_("得分应为 0 到 100 之间的数。"), code="score") from exc
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError(_("得分应为 0 到 100 之间的数。"), code="score")
    rates = unit_rates(plan=plan, unit=unit)
    if rates["suggested"] is None:
        raise ValidationError(_("该单位在此任务清单中没有任务。"), code="no_assignments")
    now = timezone.now()
    existing = Assessment.objects.select_for_update().filter(plan=plan, unit=unit).first()
    if existing is None:
        if version not in (None, "", 0, "0"):
            raise ValidationError(
                _(
                    "该记录已被他人修改（例如已审核或已编辑），请查看最新内容后再提交；您填写的内容已保留。"
                ),
                code="conflict",
            )
        return Assessment.objects.create(
            plan=plan,
            unit=unit,
            score=score,
            suggested_score=rates["suggested"],
            comment=(comment or "").strip(),
            scored_by=by,
            scored_at=now,
        )
    check_version(existing, version)
    existing.score, existing.comment = score, (comment or "").strip()
    existing.suggested_score = rates["suggested"]
    existing.scored_by, existing.scored_at = by, now
    bump(existing, "score", "comment", "suggested_score", "scored_by", "scored_at")
    return existing
