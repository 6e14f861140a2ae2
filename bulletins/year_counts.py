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

from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Issue, IssueYearCount, Series, Visibility, sees_internal_issues

# What a save must touch to change a count.
_COUNTED_FIELDS = {"status", "visibility", "year", "series", "issue_date"}
_LOCK_KEY = 0x1_55E_C0  # pg_advisory_xact_lock key of this table


def refresh_year_counts() -> None:
    """Count the published issues per year, year of issue date (0: none), visibility and
    series again and store the counts."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        counts = {
            (row["year"], row["date_year"] or 0, row["visibility"], row["series_id"]): row["n"]
            for row in Issue.objects.published()
            .order_by()
            .values("year", "visibility", "series_id", date_year=ExtractYear("issue_date"))
            .annotate(n=Count("pk"))
        }
        IssueYearCount.objects.exclude(count=0).update(count=0)
        IssueYearCount.objects.bulk_create(
            [
                IssueYearCount(
                    year=year,
                    issue_year=issue_year,
                    visibility=visibility,
                    series_id=series,
                    count=n,
                )
                for (year, issue_year, visibility, series), n in counts.items()
            ],
            update_conflicts=True,
            unique_fields=["year", "issue_year", "visibility", "series"],
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


class ListCounts(NamedTuple):
    """What the reading list reads of the stored counts (``list_counts``)."""

    # {year: count} of the published issues the user may see, newest year first.
    by_year: dict[int, int]
    # (pk, name) of the series that have any of them (in the year asked for), in order.
    series: list[tuple[int, str]]
    # {year of issue date (0: none): count} of those in the list (the year asked for).
    by_issue_year: dict[int, int]


def list_counts(user, year: int | None = None) -> ListCounts:
    """What the reading list needs of the counts, in one query (``ListCounts``): the
    year links' counts of the published issues ``user`` may see (as ``year_counts``),
    the series that have any of them, and how many of the list's (``year``'s when given)
    fall in each year of issue date.

    The statement is fixed, so it is written out (``_LIST_COUNTS``) rather than
    compiled by the ORM on every request."""
    public_only = not sees_internal_issues(user)
    with connection.cursor() as cursor:
        cursor.execute(_LIST_COUNTS[public_only], [Visibility.PUBLIC] if public_only else [])
        rows = cursor.fetchall()
    by_year: dict[int, int] = {}
    by_issue_year: dict[int, int] = {}
    series: dict[int, str] = {}  # in the order the rows come: the series' order
    for y, issue_year, pk, name, count in rows:
        by_year[y] = by_year.get(y, 0) + count
        if year is None or y == year:
            series[pk] = name
            by_issue_year[issue_year] = by_issue_year.get(issue_year, 0) + count
    return ListCounts(
        dict(sorted(by_year.items(), reverse=True)), list(series.items()), by_issue_year
    )


def _list_counts_sql(public_only: bool) -> str:
    counts, series = IssueYearCount._meta.db_table, Series._meta.db_table
    visibility = " AND c.visibility = %s" if public_only else ""
    return (
        f"SELECT c.year, c.issue_year, c.series_id, s.name, c.count FROM {counts} c"
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
