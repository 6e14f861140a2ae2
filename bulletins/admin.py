"""The office's admin for bulletins: series, issues (articles, attachments, Word import,
publish / schedule / withdraw, 签收情况) and meeting records.

State changes go through ``bulletins/services.py`` only; the admin never writes a status.
"""

import re

from csp.constants import NONCE
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from js_asset import Media
from simple_history.admin import SimpleHistoryAdmin

from portal.units.models import Unit

from . import services
from .admin_forms import ArticleInlineForm, AttachmentInlineForm, IssueAdminForm, ScheduleForm
from .models import AgendaItem, Article, Attachment, Issue, Meeting, ReadReceipt, Series
from .numerals import DIGITS
from .pdf_views import warn_unprintable

# --- helpers -------------------------------------------------------------------


def reader_url(name: str, pk: int, fallback: str) -> str:
    """A reading-area URL (bulletins-reader's URLconf), with the agreed path as fallback."""
    try:
        return reverse(f"bulletins:{name}", args=[pk])
    except NoReverseMatch:
        return fallback


def parse_number(term: str) -> int | None:
    """Issue number typed in the search box: "4", "第4期", "四", "第十二期" → 4 / 12."""
    term = term.strip().removeprefix("第").removesuffix("期")
    if term.isdigit():
        return int(term)
    if not term or any(ch not in DIGITS + "十" for ch in term):
        return None
    if "十" in term:
        tens, _sep, ones = term.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        return (DIGITS.index(tens) if tens else 1) * 10 + (DIGITS.index(ones) if ones else 0)
    if len(term) == 1:
        return DIGITS.index(term) or None
    return None


class EditorNonceMixin:
    """Let the rich-text editor's import map run under the site CSP (script-src 'self').

    django-prose-editor loads ES modules through an inline ``<script type="importmap">``,
    which 'self' alone blocks. Only on the change forms that carry the editor, the
    media are rendered with this request's CSP nonce and the nonce is added to
    script-src; every other page keeps the site policy unchanged.
    """

    def render_change_form(self, request, context, *args, **kwargs):
        nonce = str(request.csp_nonce)
        context["media"] = Media.from_media(context["media"], nonce=nonce)
        response = super().render_change_form(request, context, *args, **kwargs)
        response._csp_update = {"script-src": [NONCE]}
        return response


# --- series ---------------------------------------------------------------------


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


# --- issues ---------------------------------------------------------------------


class ArticleInline(admin.StackedInline):
    model = Article
    form = ArticleInlineForm
    extra = 0
    fields = ["order", "title", "word_file", "body"]
    verbose_name = gettext_lazy("文章")
    verbose_name_plural = gettext_lazy("文章（至少一篇）")

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if obj is not None and obj.articles.exists() else 1

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


def _receipts_count(ack: bool):
    receipts = ReadReceipt.objects.filter(issue=OuterRef("pk"))
    if ack:
        receipts = receipts.filter(acknowledged_at__isnull=False)
    return Subquery(
        receipts.order_by().values("issue").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )


@admin.register(Issue)
class IssueAdmin(EditorNonceMixin, SimpleHistoryAdmin):
    form = IssueAdminForm
    inlines = [ArticleInline, AttachmentInline]
    # Series and publication time are in the filters and the form: the list keeps
    # room for the title at 1280 px with the admin's sidebar open.
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

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.annotate(
            n_acknowledged=_receipts_count(ack=True),
            n_distribution=Count("distribution", distinct=True),
        )

    @admin.display(description=gettext_lazy("期号"), ordering="number")
    def number_display(self, obj):
        return obj.number_label or _("（未编号）")

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
        url = reader_url("issue_detail", obj.pk, f"/bulletins/{obj.pk}/")
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("预览"))

    @admin.display(description=gettext_lazy("签收情况"))
    def receipts_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:bulletins_issue_receipts", args=[obj.pk])
        acknowledged = getattr(obj, "n_acknowledged", None)
        total = getattr(obj, "n_distribution", None)
        if acknowledged is None or total is None:
            label = _("签收情况")
        else:
            label = _("%(ack)d/%(total)d 已签收") % {"ack": acknowledged or 0, "total": total}
        return format_html('<a href="{}">{}</a>', url, label)

    @admin.display(description=gettext_lazy("封面缩略图"))
    def cover_preview(self, obj):
        if obj.pk is None or not obj.cover_thumbnail:
            return "—"
        url = reader_url("issue_cover", obj.pk, f"/bulletins/{obj.pk}/cover/")
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
                if doc is not None and doc.skipped_images:
                    self.message_user(
                        request,
                        ngettext(
                            "Word 文件中有 %(n)d 张图片格式无法显示（如 EMF/WMF），已略过。",
                            "Word 文件中有 %(n)d 张图片格式无法显示（如 EMF/WMF），已略过。",
                            doc.skipped_images,
                        )
                        % {"n": doc.skipped_images},
                        messages.WARNING,
                    )

    # -- delete: drafts only ----------------------------------------------------

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return False
        return super().has_delete_permission(request, obj)

    # -- history: viewing only; status moves through the services ----------------

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            # django-simple-history saves a posted old version, status and dates
            # included, which would bypass services.py.
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    # -- actions ------------------------------------------------------------------

    def has_publish_permission(self, request):
        return services.can_publish(request.user)

    def _run(self, request, queryset, call, *, done_one, done_many):
        done, refusals = 0, []
        for issue in queryset.select_related("series"):
            try:
                call(issue)
            except (ValidationError, PermissionDenied) as exc:
                reasons = "；".join(getattr(exc, "messages", None) or [str(exc)])
                refusals.append(f"{issue}：{reasons}")
            else:
                done += 1
        if done:
            self.message_user(
                request, ngettext(done_one, done_many, done) % {"n": done}, messages.SUCCESS
            )
        if refusals:
            self.message_user(
                request,
                ngettext(
                    "%(n)d 期未能处理：%(reasons)s",
                    "%(n)d 期未能处理：%(reasons)s",
                    len(refusals),
                )
                % {"n": len(refusals), "reasons": " ／ ".join(refusals)},
                messages.ERROR,
            )
        return done, refusals

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

    @admin.action(permissions=["publish"], description=gettext_lazy("催签：提醒未签收单位"))
    def remind_units(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        sent = 0
        refusals = []
        for issue in queryset.select_related("series"):
            try:
                sent += services.remind_unacknowledged_units(
                    issue=issue, by=request.user, base_url=base_url
                )
            except (ValidationError, PermissionDenied) as exc:
                refusals.append(f"{issue}：{'；'.join(getattr(exc, 'messages', [str(exc)]))}")
        self.message_user(
            request,
            ngettext("已向 %(n)d 个单位发送催签邮件。", "已向 %(n)d 个单位发送催签邮件。", sent)
            % {"n": sent},
            messages.SUCCESS,
        )
        if refusals:
            self.message_user(request, " ／ ".join(refusals), messages.ERROR)

    # -- 签收情况 page ---------------------------------------------------------------

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "<path:object_id>/receipts/",
                self.admin_site.admin_view(self.receipts_view),
                name="bulletins_issue_receipts",
            )
        ]
        return custom + urls

    def receipts_view(self, request, object_id):
        """Each distribution unit with viewed / downloaded / acknowledged, and a reminder button."""
        if not services.can_publish(request.user):
            raise PermissionDenied
        issue = get_object_or_404(
            Issue.objects.visible_to(request.user).select_related("series"), pk=unquote(object_id)
        )
        if request.method == "POST":
            try:
                sent = services.remind_unacknowledged_units(
                    issue=issue, by=request.user, base_url=request.build_absolute_uri("/")
                )
            except ValidationError as exc:
                self.message_user(request, "；".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "已向 %(n)d 个未签收单位发送催签邮件。",
                        "已向 %(n)d 个未签收单位发送催签邮件。",
                        sent,
                    )
                    % {"n": sent},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(request.path)

        receipts = {
            r.unit_id: r
            for r in ReadReceipt.objects.visible_to(request.user)
            .filter(issue=issue)
            .select_related("unit", "first_viewed_by", "first_downloaded_by", "acknowledged_by")
        }
        units = list(issue.distribution.order_by("ordering", "name"))
        on_list = {unit.pk for unit in units}
        rows = [{"unit": unit, "receipt": receipts.get(unit.pk)} for unit in units]
        others = [r for unit_id, r in receipts.items() if unit_id not in on_list]
        pending = [
            row["unit"] for row in rows if not (row["receipt"] and row["receipt"].acknowledged_at)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("签收情况：%(issue)s") % {"issue": issue},
            "opts": self.model._meta,
            "original": issue,
            "issue": issue,
            "rows": rows,
            "others": others,
            "pending": pending,
            "acknowledged_count": len(rows) - len(pending),
            "can_remind": issue.is_published and any(u.email for u in pending),
            "preview_url": reader_url("issue_detail", issue.pk, f"/bulletins/{issue.pk}/"),
        }
        return TemplateResponse(request, "admin/bulletins/issue/receipts.html", context)


# --- meetings -------------------------------------------------------------------


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
class MeetingAdmin(EditorNonceMixin, SimpleHistoryAdmin):
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
