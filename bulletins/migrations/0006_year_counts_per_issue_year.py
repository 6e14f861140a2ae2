"""The stored year counts per year of issue date as well: the reading list's deep pages
start from the year of issue date their first row is in (the list's first order) instead
of walking every newer issue (issue 11)."""

from importlib import import_module

from django.db import migrations, models
from django.db.models.functions import ExtractYear


def recount(apps, schema_editor):
    """Store the counts of the issues already there (bulletins/year_counts.py keeps them)."""
    Issue = apps.get_model("bulletins", "Issue")
    IssueYearCount = apps.get_model("bulletins", "IssueYearCount")
    IssueYearCount.objects.all().delete()
    rows = (
        Issue.objects.filter(status="published")
        .order_by()
        .values("year", "visibility", "series_id", date_year=ExtractYear("issue_date"))
        .annotate(n=models.Count("pk"))
    )
    IssueYearCount.objects.bulk_create(
        [
            IssueYearCount(
                year=r["year"],
                issue_year=r["date_year"] or 0,
                visibility=r["visibility"],
                series_id=r["series_id"],
                count=r["n"],
            )
            for r in rows
        ]
    )


def forget(apps, schema_editor):
    apps.get_model("bulletins", "IssueYearCount").objects.all().delete()


def recount_per_series(apps, schema_editor):
    """Back to 0005: its counts, per year, visibility and series."""
    import_module("bulletins.migrations.0005_year_counts_per_series").recount(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0005_year_counts_per_series"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="issueyearcount", name="one_count_per_year_series"),
        # Counted again below, per year of issue date.
        migrations.RunPython(forget, recount_per_series),
        migrations.AddField(
            model_name="issueyearcount",
            name="issue_year",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="issueyearcount",
            constraint=models.UniqueConstraint(
                fields=("year", "issue_year", "visibility", "series"),
                name="one_count_per_year_date_series",
            ),
        ),
        migrations.RunPython(recount, forget),
    ]
