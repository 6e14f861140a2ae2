"""The audit page (审计日志) of the audit role: filters, pages and the .xlsx export.

Only accounts granted ``audit.view_auditentry`` (the 审计管理员 role) see it;
anyone else signed in gets 404, as for any hidden page; anonymous users are sent
to sign in. The export needs ``audit.export_auditentry`` too and is itself audited.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.files import content_disposition
from portal.pagination import page_of

from .export import MAX_ROWS, XLSX_CONTENT_TYPE, build_workbook
from .filters import AuditEntryFilter
from .models import AuditEntry
from .services import record, record_refusal

PER_PAGE = 50


def can_view_audit(user) -> bool:
    """The audit role: an active account granted ``audit.view_auditentry``."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("audit.view_auditentry"))


def can_export_audit(user) -> bool:
    """The audit role with ``audit.export_auditentry`` as well."""
    return can_view_audit(user) and user.has_perm("audit.export_auditentry")


def _filtered(request):
    if not can_view_audit(request.user):
        raise Http404
    return AuditEntryFilter(
        request.GET or None, queryset=AuditEntry.objects.visible_to(request.user)
    )


@login_required
@require_safe
def entry_list(request):
    filterset = _filtered(request)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page_of(request, filterset.qs, PER_PAGE),
        "query": query.urlencode(),
        "can_export": can_export_audit(request.user),
    }
    response = render(request, "audit/entry_list.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def export(request):
    filterset = _filtered(request)
    if not can_export_audit(request.user):
        raise Http404
    query = request.GET.urlencode()
    name = f"审计日志-{timezone.localdate():%Y%m%d}.xlsx"
    count = filterset.qs.count()
    if count > MAX_ROWS:
        reason = _("共 %(n)d 条，超过一次导出的上限 %(max)d 条，请缩小时间范围。") % {
            "n": count,
            "max": MAX_ROWS,
        }
        record_refusal("audit.export", ValueError(reason), label=name, detail=query)
        messages.error(request, reason)
        return redirect(f"{reverse('audit:entry_list')}?{query}")
    content = build_workbook(filterset.qs)
    record("audit.export", label=name, detail=_("%(n)d 条；%(q)s") % {"n": count, "q": query})
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
