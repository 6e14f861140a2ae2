"""Bulletin series (简报) in the admin: name, issuing office and default 抄送 units."""

from django.contrib import admin

from ..models import Series


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "issuing_office", "distribution_line", "ordering"]
    list_editable = ["ordering"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["distribution_units"]
    fields = [
        "name",
        "slug",
        "issuing_office",
        "distribution_units",
        "distribution_line",
        "ordering",
    ]
