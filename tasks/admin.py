"""Admin of the task app: plans, tasks and their milestones and assignments are edited
here; statuses move only through the services (actions below, and the staff pages)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.admin import HistoryReadOnlyAdmin, refusal_text, run_for_each

from . import services
from .models import (
    Assessment,
    Assignment,
    Evidence,
    Milestone,
    Plan,
    Problem,
    ProgressReport,
    Reminder,
    Task,
)


class OfficeOnlyActionsMixin:
    def has_office_permission(self, request):
        return request.user.is_office


class TaskInline(admin.TabularInline):
    model = Task
    fields = ["number", "category", "title", "start_date", "due_date", "weight"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(OfficeOnlyActionsMixin, HistoryReadOnlyAdmin):
    list_display = ["title", "year", "status", "view_link"]
    list_filter = ["year", "status"]
    search_fields = ["title"]
    fields = ["year", "title", "description", "status", "source_issue", "source_meeting"]
    readonly_fields = ["status"]
    raw_id_fields = ["source_issue", "source_meeting"]
    inlines = [TaskInline]
    actions = ["activate", "close"]

    @admin.action(permissions=["office"], description=_("开始执行所选任务清单"))
    def activate(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda plan: services.activate_plan(plan=plan, by=request.user),
            done=("已有 %(n)d 份任务清单开始执行。", "已有 %(n)d 份任务清单开始执行。"),
        )

    @admin.action(permissions=["office"], description=_("结束所选任务清单"))
    def close(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda plan: services.close_plan(plan=plan, by=request.user),
            done=("已结束 %(n)d 份任务清单。", "已结束 %(n)d 份任务清单。"),
        )

    @admin.display(description=_("页面"))
    def view_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("tasks:plan_detail", args=[obj.pk]), _("分派与导入")
        )


class MilestoneInline(admin.TabularInline):
    model = Milestone
    fields = ["title", "due_date"]
    extra = 0


class AssignmentInline(admin.TabularInline):
    """New assignments (unit and role) may be added here; status stays the services'."""

    model = Assignment
    fields = ["unit", "role", "status", "progress"]
    readonly_fields = ["status", "progress"]
    extra = 0
    autocomplete_fields = ["unit"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(HistoryReadOnlyAdmin):
    list_display = ["number", "title", "plan", "category", "due_date", "weight"]
    list_filter = ["plan", "category"]
    search_fields = ["number", "title", "requirement"]
    fields = [
        "plan",
        "number",
        "category",
        "title",
        "requirement",
        ("start_date", "due_date"),
        "weight",
        "source_meeting",
    ]
    raw_id_fields = ["source_meeting"]
    inlines = [MilestoneInline, AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(OfficeOnlyActionsMixin, HistoryReadOnlyAdmin):
    list_display = ["task", "unit", "role", "status", "progress", "light_display"]
    list_filter = ["status", "role", "task__plan", "unit"]
    search_fields = ["task__title", "task__number", "unit__name"]
    list_select_related = ["task", "unit"]
    readonly_fields = [
        "status",
        "progress",
        "acknowledged_at",
        "completion_requested_at",
        "closed_at",
    ]
    actions = ["remind", "close"]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["task"]

    def get_fields(self, request, obj=None):
        return ["task", "unit", "role", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # Moving an assignment to another task or unit would rewrite its history.
        return [*self.readonly_fields, *(["task", "unit"] if obj else [])]

    def get_queryset(self, request):
        return super().get_queryset(request).with_light()

    @admin.display(description=_("红黄绿灯"), ordering="light")
    def light_display(self, obj):
        return obj.light.label

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Assignment.Status.PENDING:
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(permissions=["office"], description=_("催办所选任务分工（通知并发邮件）"))
    def remind(self, request, queryset):
        try:
            made = services.send_reminder(
                assignments=list(queryset),
                by=request.user,
                message=str(_("请抓紧推进并按时报送进展情况和佐证材料。")),
            )
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, refusal_text(exc), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("已催办 %(n)d 项任务分工。", "已催办 %(n)d 项任务分工。", len(made))
            % {"n": len(made)},
            messages.SUCCESS,
        )

    @admin.action(permissions=["office"], description=_("办结（销号）所选任务分工"))
    def close(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda a: services.close_assignment(assignment=a, by=request.user),
            done=("已办结 %(n)d 项。", "已办结 %(n)d 项。"),
        )


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["download", "content_type", "size", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("文件"))
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("tasks:evidence_download", args=[obj.pk]),
            obj.original_name,
        )


@admin.register(ProgressReport)
class ProgressReportAdmin(OfficeOnlyActionsMixin, HistoryReadOnlyAdmin):
    list_display = [
        "assignment",
        "period",
        "percent",
        "review_status",
        "submitted_at",
        "review_link",
    ]
    list_filter = ["review_status", "assignment__task__plan", "assignment__unit"]
    search_fields = ["text", "assignment__task__title", "assignment__unit__name"]
    list_select_related = ["assignment__task", "assignment__unit"]
    readonly_fields = [
        "assignment",
        "period",
        "text",
        "percent",
        "requests_completion",
        "submitted_by",
        "submitted_at",
        "review_status",
        "review_comment",
        "reviewed_by",
        "reviewed_at",
    ]
    fields = readonly_fields
    inlines = [EvidenceInline]
    actions = ["accept"]

    def has_add_permission(self, request):
        return False  # units report on their pages

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("审核"))
    def review_link(self, obj):
        if obj.review_status != ProgressReport.Review.PENDING:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("tasks:report_review", args=[obj.pk]), _("审核")
        )

    @admin.action(permissions=["office"], description=_("通过所选报送（退回请在审核页填写意见）"))
    def accept(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset,
            lambda r: services.accept_report(report=r, by=request.user, version=None),
            done=("已通过 %(n)d 份报送。", "已通过 %(n)d 份报送。"),
        )


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["assignment", "kind", "sent_at", "sent_by", "emailed_to", "read_at"]
    list_filter = ["kind", "sent_on"]
    list_select_related = ["assignment__task", "assignment__unit", "sent_by"]
    search_fields = ["message", "assignment__unit__name"]
    readonly_fields = [
        "assignment",
        "kind",
        "message",
        "sent_by",
        "sent_at",
        "sent_on",
        "emailed_to",
        "read_at",
        "read_by",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # 催办 through the action on assignments or the 催办 page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(HistoryReadOnlyAdmin):
    list_display = ["title", "unit", "status", "raised_at", "reply_link"]
    list_filter = ["status", "unit"]
    search_fields = ["title", "text", "reply"]
    readonly_fields = [
        "unit",
        "task",
        "title",
        "text",
        "raised_by",
        "raised_at",
        "status",
        "reply",
        "replied_by",
        "replied_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("答复"))
    def reply_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("tasks:problem_detail", args=[obj.pk]), _("答复")
        )


@admin.register(Assessment)
class AssessmentAdmin(HistoryReadOnlyAdmin):
    list_display = ["plan", "unit", "score", "suggested_score", "scored_at"]
    list_filter = ["plan"]
    readonly_fields = [
        "plan",
        "unit",
        "score",
        "suggested_score",
        "comment",
        "scored_by",
        "scored_at",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False  # scored on the plan's 考核评价 page
