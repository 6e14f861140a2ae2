"""The stored year counts per series as well: the reading list reads its series choices
from them instead of probing the issues of each series on every request (issue 11)."""

from django.db import migrations, models


def recount(apps, schema_editor):
    """Store the counts of the issues already there (bulletins/year_counts.py keeps them)."""
    Issue = apps.get_model("bulletins", "Issue")
    IssueYearCount = apps.get_model("bulletins", "IssueYearCount")
    IssueYearCount.objects.all().delete()
    rows = (
        Issue.objects.filter(status="published")
        .order_by()
        .values("year", "visibility", "series_id")
        .annotate(n=models.Count("pk"))
    )
    IssueYearCount.objects.bulk_create(
        [
            IssueYearCount(
                year=r["year"], visibility=r["visibility"], series_id=r["series_id"], count=r["n"]
            )
            for r in rows
        ]
    )


def forget(apps, schema_editor):
    apps.get_model("bulletins", "IssueYearCount").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0004_issue_reading"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="issueyearcount", name="one_count_per_year"),
        # Counted again below, per series.
        migrations.RunPython(forget, forget),
        migrations.AddField(
            model_name="issueyearcount",
            name="series",
            field=models.ForeignKey(
                default=None,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="bulletins.series",
            ),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="issueyearcount",
            constraint=models.UniqueConstraint(
                fields=("year", "visibility", "series"), name="one_count_per_year_series"
            ),
        ),
        migrations.RunPython(recount, forget),
    ]
