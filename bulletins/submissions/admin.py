"""信息报送 in the admin: the office configures 栏目 and reads every piece with its
versions; the pieces themselves move only on the /submissions/ pages (services)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin import HistoryReadOnlyAdmin

from .models import Adoption, Category, Submission


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "ordering", "active"]
    list_editable = ["ordering", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        # A 栏目 used by pieces stays (switch it off instead); the database protects it too.
        if obj is not None and obj.submissions.exists():
            return False
        return super().has_delete_permission(request, obj)


class AdoptionInline(admin.TabularInline):
    model = Adoption
    fields = ["level", "issue", "article", "mode", "publication", "published_on", "recorded_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("采用情况")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(HistoryReadOnlyAdmin):
    """Read-only: every field, and the history of every version."""

    list_display = ["title", "unit", "category", "status", "sent_at"]
    list_filter = ["status", "category", "unit"]
    search_fields = ["title", "unit__name", "author"]
    date_hierarchy = "sent_at"
    inlines = [AdoptionInline]
    list_select_related = ["unit", "category"]
    fields = [
        "unit",
        "category",
        "title",
        "author",
        "author_phone",
        "signer",
        "status",
        "signed_off_at",
        "leader_comment",
        "sent_at",
        "resent_at",
        "decided_at",
        "office_comment",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # pieces move on the /submissions/ pages only (services)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(sent_at__isnull=False)
