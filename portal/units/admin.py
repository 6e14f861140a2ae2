from django.contrib import admin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "short_name",
        "kind",
        "parent",
        "liaison",
        "phone",
        "active",
        "ordering",
    ]
    list_filter = ["kind", "active"]
    list_editable = ["ordering", "active"]
    search_fields = ["name", "short_name", "liaison", "phone"]
    autocomplete_fields = ["parent"]
