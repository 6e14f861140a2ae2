"""Meeting records (会议纪要) in the admin: the meeting, its agenda and related issues."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy

from portal.admin import HistoryReadOnlyAdmin

from ..models import AgendaItem, Meeting
from .editor import EditorNonceMixin


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "title", "body"]
    ordering = ["order", "id"]
    verbose_name = gettext_lazy("议程")
    verbose_name_plural = gettext_lazy("议程（按顺序）")

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None and obj.agenda_items.exists() else 1


@admin.register(Meeting)
class MeetingAdmin(EditorNonceMixin, HistoryReadOnlyAdmin):
    inlines = [AgendaItemInline]
    list_display = ["title", "starts_at", "place", "chair", "visibility", "issue_count"]
    list_filter = ["visibility", "starts_at"]
    search_fields = ["title", "place", "chair", "leaders_present"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["issues"]
    fieldsets = [
        (None, {"fields": ["title", "starts_at", "place", "chair", "visibility"]}),
        (
            gettext_lazy("出席、列席与请假"),
            {"fields": ["leaders_present", "attendees", "observers", "absent"]},
        ),
        (gettext_lazy("会议精神"), {"fields": ["key_points"]}),
        (gettext_lazy("相关简报"), {"fields": ["issues"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_issues=Count("issues", distinct=True))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in ("leaders_present", "attendees", "observers", "absent"):
            field.widget.attrs["rows"] = 3
        elif db_field.name == "title":
            field.widget.attrs["style"] = "width: 40em"
        return field

    @admin.display(description=gettext_lazy("相关简报"), ordering="n_issues")
    def issue_count(self, obj):
        return obj.n_issues
