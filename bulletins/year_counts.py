"""Published issues per year and series, stored (``IssueYearCount``) instead of counted
per request.

The reading list shows a link per year with its count, offers the series that have
issues, and pages through all the issues a reader may see: counting them was a GROUP
BY, an EXISTS per series and a COUNT(*) over every visible issue on each request. The counts change only when an issue is
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

from .models import Issue, IssueYearCount, Series, Visibility, sees_internal_issues

# What a save must touch to change a count.
_COUNTED_FIELDS = {"status", "visibility", "year", "series"}
_LOCK_KEY = 0x1_55E_C0  # pg_advisory_xact_lock key of this table


def refresh_year_counts() -> None:
    """Count the published issues per year, visibility and series again and store the counts."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        counts = {
            (row["year"], row["visibility"], row["series_id"]): row["n"]
            for row in Issue.objects.published()
            .order_by()
            .values("year", "visibility", "series_id")
            .annotate(n=Count("pk"))
        }
        IssueYearCount.objects.exclude(count=0).update(count=0)
        IssueYearCount.objects.bulk_create(
            [
                IssueYearCount(year=year, visibility=visibility, series_id=series, count=n)
                for (year, visibility, series), n in counts.items()
            ],
            update_conflicts=True,
            unique_fields=["year", "visibility", "series"],
            update_fields=["count"],
        )


def _visible_counts(user):
    rows = IssueYearCount.objects.filter(count__gt=0)
    if not sees_internal_issues(user):
        rows = rows.filter(visibility=Visibility.PUBLIC)
    return rows


def year_counts(user) -> list[dict]:
    """``[{"year": 2020, "count": 12}, …]``, newest year first: the published issues
    ``user`` may see (``Issue.objects.visible_to``), years without any left out.
    One query."""
    return list(_visible_counts(user).values("year").annotate(count=Sum("count")).order_by("-year"))


def list_counts(user, year: int | None = None) -> tuple[dict[int, int], list[tuple[int, str]]]:
    """What the reading list needs of the counts, in one query: ``{year: count}`` of
    the published issues ``user`` may see, newest year first (as ``year_counts``), and
    the (pk, name) of the series that have any of them (in ``year`` when given), in the
    series' order.

    The statement is fixed, so it is written out (``_LIST_COUNTS``) rather than
    compiled by the ORM on every request."""
    public_only = not sees_internal_issues(user)
    with connection.cursor() as cursor:
        cursor.execute(_LIST_COUNTS[public_only], [Visibility.PUBLIC] if public_only else [])
        rows = cursor.fetchall()
    by_year: dict[int, int] = {}
    series: dict[int, str] = {}  # in the order the rows come: the series' order
    for y, pk, name, count in rows:
        by_year[y] = by_year.get(y, 0) + count
        if year is None or y == year:
            series[pk] = name
    return dict(sorted(by_year.items(), reverse=True)), list(series.items())


def _list_counts_sql(public_only: bool) -> str:
    counts, series = IssueYearCount._meta.db_table, Series._meta.db_table
    visibility = " AND c.visibility = %s" if public_only else ""
    return (
        f"SELECT c.year, c.series_id, s.name, c.count FROM {counts} c"
        f" INNER JOIN {series} s ON s.id = c.series_id"
        f" WHERE c.count > 0{visibility} ORDER BY s.ordering, s.name"
    )


# (internal ones included, public only); the series' order is theirs (Series.Meta).
_LIST_COUNTS = {public_only: _list_counts_sql(public_only) for public_only in (False, True)}


@receiver(post_save, sender=Issue)
def _issue_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and not _COUNTED_FIELDS & set(update_fields)):
        return
    refresh_year_counts()


@receiver(post_delete, sender=Issue)
def _issue_deleted(sender, instance, **kwargs):
    refresh_year_counts()
