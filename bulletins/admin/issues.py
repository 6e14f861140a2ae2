"""Issues in the admin: articles, attachments and Word import, search by number, and the
publish / schedule / withdraw actions (签收情况 is in ``receipts``).

State changes go through ``bulletins/services.py`` only; the admin never writes a status.
"""

import re

from django.contrib import admin, messages
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.admin import HistoryReadOnlyAdmin, run_for_each
from portal.units.models import Unit

from .. import services
from ..admin_forms import ArticleInlineForm, AttachmentInlineForm, IssueAdminForm, ScheduleForm
from ..models import Article, Attachment, Issue, Series
from ..numerals import parse_number
from ..pdf_views import warn_unprintable
from .editor import EditorNonceMixin
from .receipts import IssueReceiptsMixin


class ArticleInline(admin.StackedInline):
    model = Article
    form = ArticleInlineForm
    extra = 0
    fields = ["order", "title", "word_file", "body", "sources"]
    readonly_fields = ["sources"]
    verbose_name = gettext_lazy("文章")
    verbose_name_plural = gettext_lazy("文章（至少一篇）")

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None and obj.articles.exists() else 1

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("adoptions__submission__unit")

    @admin.display(description=gettext_lazy("来源信息"))
    def sources(self, article):
        """The units' pieces (信息) adopted into this article, linked (bulletins/submissions)."""
        if article.pk is None:
            return "—"
        rows = [
            (reverse("submissions:detail", args=[a.submission_id]), a.submission.title,
             a.submission.unit.name)
            for a in article.adoptions.all()
        ]  # fmt: skip
        return format_html_join("、", '<a href="{}">{}</a>（{}）', rows) or "—"

    def has_delete_permission(self, request, obj=None):
        # Nothing published is deleted: only a draft's articles may be removed.
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    form = AttachmentInlineForm
    extra = 0
    fields = ["order", "title", "file", "original_name", "size", "content_type", "download_count"]
    readonly_fields = ["original_name", "size", "content_type", "download_count"]
    verbose_name = gettext_lazy("附件")
    verbose_name_plural = gettext_lazy("附件（PDF、Word、Excel、PPT、图片、ZIP）")

    def get_queryset(self, request):
        # Article pictures (from Word import) belong to the body, not the download list.
        return super().get_queryset(request).filter(is_inline=False)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Issue)
class IssueAdmin(IssueReceiptsMixin, EditorNonceMixin, HistoryReadOnlyAdmin):
    form = IssueAdminForm
    inlines = [ArticleInline, AttachmentInline]
    # The series is printed above the number (number_display); publication time is in
    # the filters and the form: the list keeps room for the title at 1280 px with the
    # admin's sidebar open.
    list_display = [
        "number_display",
        "title",
        "status_display",
        "visibility",
        "issue_date",
        "receipts_link",
        "preview_link",
    ]
    list_display_links = ["number_display", "title"]
    list_filter = ["series", "year", "status", "visibility"]
    list_select_related = ["series"]
    search_fields = ["title"]
    search_help_text = gettext_lazy("按标题或期号搜索，例如：推进会议、4、第四期")
    date_hierarchy = "issue_date"
    filter_horizontal = ["distribution"]
    list_per_page = 50
    actions = [
        "publish_now",
        "schedule",
        "withdraw",
        "remind_units",
    ]
    readonly_fields = [
        "status_display",
        "publish_at",
        "published_at",
        "withdrawn_at",
        "cover_preview",
        "preview_link",
        "receipts_link",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    fieldsets = [
        (
            gettext_lazy("期次"),
            {"fields": ["series", "year", "number", "total_number", "title", "visibility"]},
        ),
        (
            gettext_lazy("版头与版记"),
            {
                "fields": [
                    "issuing_office",
                    "issue_date",
                    "printed_on",
                    "distribution",
                    "distribution_line",
                ]
            },
        ),
        (
            gettext_lazy("摘要、封面与正式版"),
            {"fields": ["summary", "cover", "cover_preview", "official_pdf"]},
        ),
        (
            gettext_lazy("发布"),
            {
                "fields": [
                    "status_display",
                    "publish_at",
                    "published_at",
                    "withdrawn_at",
                    "preview_link",
                    "receipts_link",
                    ("created_by", "created_at"),
                    ("updated_by", "updated_at"),
                ],
                "description": gettext_lazy(
                    "发布、定时发布、撤回和催签：在简报期次列表中勾选后选择“动作”。"
                    "定时发布时间由“定时发布”动作设置。"
                ),
            },
        ),
    ]

    # -- list columns ------------------------------------------------------

    @admin.display(description=gettext_lazy("简报系列 · 期号"), ordering="number")
    def number_display(self, obj):
        # Series of their own may share a number (two 2021年第四期): the series tells them
        # apart, above the number so the title keeps its room.
        return format_html(
            '<span class="issue-series">{}</span><br>{}',
            obj.series.name if obj.series_id else "",
            obj.number_label or _("（未编号）"),
        )

    @admin.display(description=gettext_lazy("状态"), ordering="status")
    def status_display(self, obj):
        if obj.pk is None:
            return Issue.Status.DRAFT.label
        label = obj.get_status_display()
        if obj.status == Issue.Status.SCHEDULED and obj.publish_at:
            when = timezone.localtime(obj.publish_at).strftime("%Y-%m-%d %H:%M")
            return f"{label}（{when}）"
        return label

    @admin.display(description=gettext_lazy("预览"))
    def preview_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("bulletins:issue_detail", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("预览"))

    @admin.display(description=gettext_lazy("封面缩略图"))
    def cover_preview(self, obj):
        if obj.pk is None or not obj.cover_thumbnail:
            return "—"
        url = reverse("bulletins:issue_cover", args=[obj.pk])
        return format_html('<img src="{}" alt="" style="max-height:120px">', url)

    # -- search: title, or the number typed as 4 / 第四期 / 2020年第四期 ---------------

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        year = None
        match = re.fullmatch(r"(\d{4})年?(.*)", term)
        if match and match.group(2):
            year, term = int(match.group(1)), match.group(2)
        number = parse_number(term)
        if number is not None:
            by_number = queryset.filter(Q(number=number) | Q(total_number=number))
            if year is not None:
                by_number = by_number.filter(year=year)
            results = results | by_number
        return results, may_have_duplicates

    # -- new issues start from the series' defaults -------------------------

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        series = None
        if initial.get("series"):
            series = Series.objects.filter(pk=initial["series"]).first()
        if series is None:
            series = Series.objects.first()
        if series is None:
            return initial
        year = timezone.localdate().year
        last = (
            Issue.objects.filter(series=series, year=year, number__isnull=False)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        initial.setdefault("series", series.pk)
        initial.setdefault("year", year)
        initial.setdefault("number", (last or 0) + 1)
        initial.setdefault("issuing_office", series.issuing_office)
        initial.setdefault("distribution_line", series.distribution_line)
        initial.setdefault(
            "distribution", list(series.distribution_units.values_list("pk", flat=True))
        )
        return initial

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "distribution":
            kwargs["queryset"] = Unit.objects.active()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            series = obj.series
            obj.issuing_office = obj.issuing_office or series.issuing_office
            obj.distribution_line = obj.distribution_line or series.distribution_line
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        issue = form.instance
        if not change and not issue.distribution.exists():
            issue.distribution.set(issue.series.distribution_units.all())
        for formset in formsets:
            for inline_form in getattr(formset, "forms", []):
                doc = getattr(inline_form, "imported", None)
                if doc is not None and doc.skipped:
                    self.message_user(request, doc.skipped_message(), messages.WARNING)

    # -- delete: drafts only ----------------------------------------------------

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    # -- actions ------------------------------------------------------------------

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    def _run(self, request, queryset, call, *, done_one, done_many):
        return run_for_each(
            self,
            request,
            queryset.select_related("series"),
            call,
            done=(done_one, done_many),
        )

    @admin.action(permissions=["publish"], description=gettext_lazy("立即发布所选简报"))
    def publish_now(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda issue: services.publish_issue(issue=issue, by=request.user),
            done_one="已发布 %(n)d 期简报。",
            done_many="已发布 %(n)d 期简报。",
        )
        warn_unprintable(self, request, queryset)

    @admin.action(permissions=["publish"], description=gettext_lazy("定时发布所选简报…"))
    def schedule(self, request, queryset):
        form = ScheduleForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            publish_at = form.cleaned_data["publish_at"]
            self._run(
                request,
                queryset,
                lambda issue: services.schedule_issue(
                    issue=issue, publish_at=publish_at, by=request.user
                ),
                done_one="已为 %(n)d 期简报设置定时发布。",
                done_many="已为 %(n)d 期简报设置定时发布。",
            )
            warn_unprintable(self, request, queryset)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("定时发布简报"),
            "opts": self.model._meta,
            "issues": queryset.select_related("series"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/bulletins/issue/schedule.html", context)

    @admin.action(permissions=["publish"], description=gettext_lazy("撤回所选简报（或取消定时）"))
    def withdraw(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda issue: services.withdraw_issue(issue=issue, by=request.user),
            done_one="已撤回 %(n)d 期简报。",
            done_many="已撤回 %(n)d 期简报。",
        )
