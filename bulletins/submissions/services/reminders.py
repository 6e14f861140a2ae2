"""Reminders to units under the month's quota a few days before the month ends."""

import calendar
import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.units.models import Unit

from ..models import QuotaReminder, ScoringRule
from .base import mail

# A unit under quota is reminded once when this many days or fewer are left in the month.
REMIND_DAYS_BEFORE_MONTH_END = 5


def send_quota_reminders(*, today: datetime.date | None = None) -> list[QuotaReminder]:
    """Mail each active unit's liaison whose pieces sent this month (first reached the
    office) are fewer than the year's ``monthly_quota``, when at most
    ``REMIND_DAYS_BEFORE_MONTH_END`` days are left, once per unit and month (a database
    constraint: running it again, or twice at once, sends nothing more). Nothing when
    the office set no rules for the year, the quota is 0 or the month is before
    ``quota_start_month``. Run by the daily ``send_due_reminders`` command and job;
    the system acts, so there is no ``by``. Returns the reminders made."""
    today = today or timezone.localdate()
    last = calendar.monthrange(today.year, today.month)[1]
    if last - today.day > REMIND_DAYS_BEFORE_MONTH_END:
        return []
    rule = ScoringRule.objects.filter(year=today.year).first()
    if rule is None or not rule.monthly_quota or today.month < rule.quota_start_month:
        return []
    this_month = Q(
        submissions_sent__sent_at__year=today.year, submissions_sent__sent_at__month=today.month
    )
    units = (
        Unit.objects.active()
        .annotate(n=Count("submissions_sent", filter=this_month))
        .filter(n__lt=rule.monthly_quota)
        .exclude(
            pk__in=QuotaReminder.objects.filter(year=today.year, month=today.month).values("unit")
        )
    )
    made = []
    for unit in units:
        try:
            with transaction.atomic():
                reminder = QuotaReminder.objects.create(
                    unit=unit,
                    year=today.year,
                    month=today.month,
                    sent_count=unit.n,
                    email=unit.email,
                )
                mail(
                    [unit.email],
                    _("【信息报送提醒】%(month)d月报送篇数不足") % {"month": today.month},
                    [
                        _(
                            "%(unit)s本月已报送信息 %(n)d 篇，每月应报送 %(quota)d 篇，"
                            "请于%(month)d月%(last)d日前报送。"
                        )
                        % {
                            "unit": unit.name,
                            "n": unit.n,
                            "quota": rule.monthly_quota,
                            "month": today.month,
                            "last": last,
                        }
                    ],
                )
        except IntegrityError:
            continue  # another run reminded this unit meanwhile
        made.append(reminder)
    return made
