"""延期申请 pages: a unit asks on its assignment page; the office approves or declines;
both read the list of requests and their evidence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.models import acting_unit_id
from portal.audit.services import get_or_refuse, record
from portal.files import download_response
from portal.pagination import page_of

from .. import services
from ..forms import ExtensionDecisionForm, ExtensionRequestForm, VersionForm
from ..models import ExtensionRequest
from .common import PAGE_SIZE, get_assignment, private
from .units import render_assignment

E = ExtensionRequest.Status


def _requests(user):
    return ExtensionRequest.objects.visible_to(user).select_related(
        "assignment__task__plan", "assignment__unit", "requested_by", "decided_by"
    )


@login_required
@require_POST
def extension_create(request, pk):
    """A unit asks to move its assignment's due date; a refusal comes back on the
    assignment page with what was typed."""
    assignment = get_assignment(request, pk)
    if acting_unit_id(request.user) != assignment.unit_id:
        raise PermissionDenied  # the office sees the assignment; only its unit asks
    form = ExtensionRequestForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.request_extension(assignment=assignment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("延期申请已提交，等待产改办审批；审批前仍按原完成时限。"))
            return redirect("tasks:assignment_detail", pk=assignment.pk)
    return render_assignment(request, assignment, extension_form=form)


@login_required
@require_safe
@private
def extension_list(request):
    """The office: every unit's requests (待审批 first); a unit: its own."""
    requests = _requests(request.user).order_by("-requested_at", "-pk")
    status = request.GET.get("status")
    if status in E.values:
        requests = requests.filter(status=status)
    return render(
        request,
        "tasks/extension_list.html",
        {
            "page": page_of(request, requests, PAGE_SIZE),
            "statuses": E.choices,
            "status": status,
            "is_office": request.user.is_office,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def extension_detail(request, pk):
    """One request with its dates; the office approves (with the date asked for or
    another) or declines with a reason."""
    ext = get_object_or_404(_requests(request.user), pk=pk)
    if request.method == "POST" and not request.user.is_office:
        raise PermissionDenied  # the unit reads its request; only the office decides
    form = None
    # A post on a request decided (or closed) meanwhile gets the service's refusal on
    # the bound form; a page shows the form only while the office may decide.
    if request.method == "POST" or services.can_decide_extension(ext, request.user):
        form = ExtensionDecisionForm(
            request.POST or None,
            initial={"version": ext.version, "due_date": ext.requested_due_date},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == ExtensionDecisionForm.APPROVE:
                    services.approve_extension(
                        request=ext,
                        by=request.user,
                        version=data["version"],
                        due_date=data["due_date"],
                        comment=data["comment"],
                    )
                    messages.success(request, _("已同意延期，完成时限已调整。"))
                else:
                    services.decline_extension(
                        request=ext,
                        by=request.user,
                        version=data["version"],
                        comment=data["comment"],
                    )
                    messages.success(request, _("已不同意延期，单位将看到理由。"))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                return redirect("tasks:extension_list")
    return render(
        request,
        "tasks/extension_detail.html",
        {
            "ext": ext,
            "assignment": ext.assignment,
            "form": form,
            "history": list(
                ext.assignment.extension_requests.exclude(pk=ext.pk).select_related("decided_by")
            ),
        },
    )


@login_required
@require_POST
def extension_withdraw(request, pk):
    """The unit withdraws its waiting request (撤回); back to the assignment page."""
    ext = get_object_or_404(_requests(request.user), pk=pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.withdraw_extension(request=ext, by=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("延期申请已撤回，仍按原完成时限。"))
    return redirect("tasks:assignment_detail", pk=ext.assignment_id)


@login_required
@require_safe
def extension_evidence(request, pk):
    ext = get_or_refuse(
        ExtensionRequest.objects.visible_to(request.user),
        "download.evidence",
        by=request.user,
        pk=pk,
    )
    if not ext.evidence:
        raise Http404
    try:
        handle = ext.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    record("download.evidence", by=request.user, obj=ext, label=ext.evidence_name)
    return download_response(handle, filename=ext.evidence_name, content_type=ext.evidence_type)
