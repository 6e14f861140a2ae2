"""签收情况 in the admin: the list column, the page of each issue's receipts, the 催签 action."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Func, IntegerField, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.admin import run_for_each
from portal.units.models import Unit

from .. import services
from ..models import Issue, ReadReceipt
from ..receipts import unacknowledged_units


def _count(units) -> Subquery:
    """COUNT(*) of a unit subquery, as an annotation of each issue."""
    return Subquery(
        units.order_by().values(n=Func("pk", function="COUNT")), output_field=IntegerField()
    )


class IssueReceiptsMixin:
    """For ``IssueAdmin``: the 签收情况 column, page (``<id>/receipts/``) and 催签 action."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.annotate(
            n_expected=_count(Unit.objects.active().filter(distributed_issues=OuterRef("pk"))),
            n_unacknowledged=_count(unacknowledged_units(OuterRef("pk"))),
        )

    @admin.display(description=gettext_lazy("签收情况"))
    def receipts_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:bulletins_issue_receipts", args=[obj.pk])
        total = getattr(obj, "n_expected", None)
        pending = getattr(obj, "n_unacknowledged", None)
        if total is None or pending is None:
            label = _("签收情况")
        else:
            label = _("%(ack)d/%(total)d 已签收") % {"ack": total - pending, "total": total}
        return format_html('<a href="{}">{}</a>', url, label)

    def remind_confirmation(self, request, issues, *, from_changelist: bool):
        """The page that says who the 催签 mail will go to before it is sent."""
        plans = []
        for issue in issues:
            pending = list(unacknowledged_units(issue)) if issue.is_published else []
            plans.append(
                {
                    "issue": issue,
                    "mailed": [u for u in pending if u.email],
                    "without_email": [u for u in pending if not u.email],
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("确认发送催签邮件"),
            "opts": self.model._meta,
            "plans": plans,
            "mailed_count": sum(len(p["mailed"]) for p in plans),
            "from_changelist": from_changelist,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/bulletins/issue/remind_confirm.html", context)

    @admin.action(permissions=["publish"], description=gettext_lazy("催签：提醒未签收单位"))
    def remind_units(self, request, queryset):
        if "confirm" not in request.POST:
            # Mail to many units is sent only after the office has seen who gets it.
            return self.remind_confirmation(
                request, list(queryset.select_related("series")), from_changelist=True
            )
        base_url = request.build_absolute_uri("/")
        run_for_each(
            self,
            request,
            queryset.select_related("series"),
            lambda issue: services.remind_unacknowledged_units(
                issue=issue, by=request.user, base_url=base_url
            ),
            done=("已向 %(n)d 个单位发送催签邮件。", "已向 %(n)d 个单位发送催签邮件。"),
            count=sum,
        )

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
            if "confirm" not in request.POST:
                return self.remind_confirmation(request, [issue], from_changelist=False)
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
        pending = list(unacknowledged_units(issue))
        expected = sum(1 for unit in units if unit.active)
        context = {
            **self.admin_site.each_context(request),
            "title": _("签收情况：%(issue)s") % {"issue": issue},
            "opts": self.model._meta,
            "original": issue,
            "issue": issue,
            "rows": rows,
            "others": others,
            "pending": pending,
            "expected_count": expected,
            "acknowledged_count": expected - len(pending),
            "can_remind": issue.is_published and any(u.email for u in pending),
            "preview_url": issue.get_absolute_url(),
        }
        return TemplateResponse(request, "admin/bulletins/issue/receipts.html", context)
