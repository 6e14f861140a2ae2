"""Published issues per year, stored (``IssueYearCount``) instead of counted per request.

The reading list shows a link per year with its count, and pages through all
the issues a reader may see: counting them was a GROUP BY and a COUNT(*) over
every visible issue on each request. The counts change only when an issue is
saved or deleted, so every save or delete of an issue stores them again, in the
same transaction (a rolled-back publish leaves them as they were). On
PostgreSQL an advisory lock taken until the transaction ends makes concurrent
writers recount one after the other, so the last one counts everything
committed before it.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Issue, IssueYearCount, Visibility, sees_internal_issues

# What a save must touch to change a count.
_COUNTED_FIELDS = {"status", "visibility", "year"}
_LOCK_KEY = 0x1_55E_C0  # pg_advisory_xact_lock key of this table


def refresh_year_counts() -> None:
    """Count the published issues per year and visibility again and store the counts."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        counts = {
            (row["year"], row["visibility"]): row["n"]
            for row in Issue.objects.published()
            .order_by()
            .values("year", "visibility")
            .annotate(n=Count("pk"))
        }
        IssueYearCount.objects.exclude(count=0).update(count=0)
        IssueYearCount.objects.bulk_create(
            [
                IssueYearCount(year=year, visibility=visibility, count=n)
                for (year, visibility), n in counts.items()
            ],
            update_conflicts=True,
            unique_fields=["year", "visibility"],
            update_fields=["count"],
        )


def year_counts(user) -> list[dict]:
    """``[{"year": 2020, "count": 12}, …]``, newest year first: the published issues
    ``user`` may see (``Issue.objects.visible_to``), years without any left out.
    One query."""
    rows = IssueYearCount.objects.filter(count__gt=0)
    if not sees_internal_issues(user):
        rows = rows.filter(visibility=Visibility.PUBLIC)
    return list(rows.values("year").annotate(count=Sum("count")).order_by("-year"))


@receiver(post_save, sender=Issue)
def _issue_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and not _COUNTED_FIELDS & set(update_fields)):
        return
    refresh_year_counts()


@receiver(post_delete, sender=Issue)
def _issue_deleted(sender, instance, **kwargs):
    refresh_year_counts()
