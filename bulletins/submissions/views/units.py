"""A unit's pages: its pieces, writing and revising one, sending it, the leader's 审签,
the files and earlier versions."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.models import acting_unit, is_office
from portal.audit.services import record, record_not_found
from portal.files import download_response
from portal.pagination import page_of

from .. import selectors, services
from ..filters import SubmissionFilter
from ..forms import AdoptForm, CommentForm, SubmissionForm, UpwardForm
from ..models import Submission, SubmissionFile
from .common import editor_csp, get_submission, private, step, with_editor

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
PAGE_SIZE = 30


@login_required
@require_safe
@private
def submission_list(request):
    """The office's inbox (待处理 first) or a unit's own pieces, filtered."""
    office = is_office(request.user)
    unit = acting_unit(request.user)
    if not office and unit is None:
        raise Http404
    queryset = Submission.objects.visible_to(request.user).select_related("unit", "category")
    params = request.GET.copy()
    if office and "status" not in params:
        params["status"] = Submission.Status.PENDING
    filterset = SubmissionFilter(params, queryset=queryset, user=request.user)
    today = timezone.localdate()
    # The 筛选与排序 box starts closed unless the user narrowed the list (the office's
    # status comes from the tabs above it).
    narrowing = set(request.GET) - {"page"} - ({"status"} if office else set())
    context = {
        "filter": filterset,
        "filters_default": not any(request.GET.get(key) for key in narrowing),
        "page": page_of(request, filterset.qs, PAGE_SIZE),
        "office": office,
        "can_write": services.can_write(request.user),
        "tabs": _tabs(params.get("status", "")) if office else [],
        "year": today.year,
        "points": None
        if office
        else selectors.unit_points(unit=unit, year=today.year, today=today),
        "rule": selectors.rule_for(today.year),
    }
    return render(request, "submissions/submission_list.html", context)


def _tabs(current: str):
    S = Submission.Status
    return [
        {"value": value, "label": label, "current": current == value}
        for value, label in [
            (S.PENDING, S.PENDING.label),
            (S.ADOPTED, S.ADOPTED.label),
            (S.DECLINED, S.DECLINED.label),
            (S.RETURNED, S.RETURNED.label),
            ("", _("全部")),
        ]
    ]


def _remove_choices(submission):
    if submission is None:
        return ()
    return [(str(f.pk), f.original_name) for f in submission.files.filter(is_inline=False)]


def _edit(request, submission=None):
    """Write (``submission`` None) or revise a piece; a refusal keeps what was typed."""
    form = SubmissionForm(
        request.POST or None,
        request.FILES or None,
        instance=submission,
        remove_choices=_remove_choices(submission),
        initial={"version": submission.version} if submission else {},
    )
    if request.method == "POST" and form.is_valid():
        try:
            if submission is None:
                submission = services.create_submission(
                    by=request.user,
                    fields=form.service_fields(),
                    files=form.cleaned_data["files"],
                    imported=form.imported,
                )
            else:
                services.update_submission(
                    submission=submission,
                    by=request.user,
                    fields=form.service_fields(),
                    version=form.cleaned_data["version"],
                    files=form.cleaned_data["files"],
                    imported=form.imported,
                    remove=[int(x) for x in form.cleaned_data.get("remove", [])],
                )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存。确认无误后请点击“报送”。"))
            if form.imported is not None and form.imported.skipped:
                messages.warning(request, form.imported.skipped_message())
            return redirect("submissions:detail", pk=submission.pk)
    context = with_editor(request, {"form": form, "submission": submission}, form)
    return editor_csp(render(request, "submissions/submission_form.html", context))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def submission_create(request):
    if not services.can_write(request.user):
        raise Http404
    return _edit(request)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def submission_edit(request, pk):
    submission = get_submission(request, pk)
    if not services.can_edit(request.user, submission):
        raise Http404
    return _edit(request, submission)


@login_required
@require_safe
@private
def submission_detail(request, pk):
    submission = get_submission(request, pk)
    user = request.user
    kept = request.session.pop(f"submission-comment-{submission.pk}", "")
    context = {
        "submission": submission,
        "files": [f for f in submission.files.all() if not f.is_inline],
        "adoptions": submission.adoptions.select_related("issue__series", "article"),
        "versions": _versions(submission),
        "can_edit": services.can_edit(user, submission),
        "can_submit": services.can_submit(user, submission),
        "can_sign_off": services.can_sign_off(user, submission),
        "can_decide": services.can_decide(user, submission),
        "can_record_upward": services.can_record_upward(user, submission),
        "comment_form": CommentForm(initial={"version": submission.version, "comment": kept}),
    }
    if context["can_decide"]:
        context["adopt_form"] = AdoptForm(
            issues=services.adoptable_issues(), initial={"version": submission.version}
        )
    if context["can_record_upward"]:
        context["upward_form"] = UpwardForm()
    return render(request, "submissions/submission_detail.html", context)


def _versions(submission):
    """Every saved state of the piece, newest first, for the unit and the office."""
    return submission.history.select_related("history_user").only(
        "history_id", "history_date", "history_user", "title", "status"
    )


@login_required
@require_safe
@private
def version_detail(request, pk, history_id):
    submission = get_submission(request, pk)
    version = get_object_or_404(submission.history.all(), history_id=history_id)
    return render(
        request, "submissions/version_detail.html", {"submission": submission, "version": version}
    )


@login_required
@require_POST
def submission_submit(request, pk):
    submission = get_submission(request, pk)
    if not services.can_edit(request.user, submission):
        raise Http404
    return step(request, submission, services.submit_submission, _("已报送。"))


@login_required
@require_POST
def submission_sign_off(request, pk):
    submission = get_submission(request, pk)
    return step(request, submission, services.sign_off_submission, _("已审签，信息已送达产改办。"))


@login_required
@require_POST
def submission_leader_return(request, pk):
    submission = get_submission(request, pk)
    return step(
        request,
        submission,
        services.return_for_revision_by_leader,
        _("已退回本单位修改。"),
        comment=True,
    )


def _file(request, pk, file_pk, **filters) -> SubmissionFile:
    submission = get_submission(request, pk)
    return get_object_or_404(submission.files.all(), pk=file_pk, **filters)


def _open(field):
    try:
        return field.storage.open(field.name, "rb")
    except OSError as exc:  # missing from the store: say so, not a 500
        raise Http404(_("文件不存在。")) from exc


@login_required
@require_safe
def file_download(request, pk, file_pk):
    try:
        f = _file(request, pk, file_pk)
    except Http404:
        record_not_found("download.attachment", SubmissionFile, file_pk, by=request.user)
        raise
    handle = _open(f.file)
    record("download.attachment", by=request.user, obj=f, label=f.original_name)
    return download_response(
        handle,
        filename=f.original_name,
        content_type=f.content_type or "application/octet-stream",
    )


@login_required
@require_safe
def image(request, pk, file_pk):
    """A picture of the piece's body (from the Word import), shown in its page."""
    f = _file(request, pk, file_pk)
    content_type = f.content_type or mimetypes.guess_type(f.original_name)[0]
    if content_type not in IMAGE_TYPES:
        raise Http404(_("不是图片。"))
    return download_response(
        _open(f.file), filename=f.original_name, content_type=content_type, inline=True
    )
