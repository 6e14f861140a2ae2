"""The audit trail in the admin: read-only for whoever may view it, for everyone else absent."""

from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "unit_name", "address", "action", "object_label", "result"]
    list_filter = ["result", "action"]
    search_fields = ["actor_name", "unit_name", "object_label", "object_id"]
    date_hierarchy = "at"
    actions = None

    def get_queryset(self, request):
        return AuditEntry.objects.visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
