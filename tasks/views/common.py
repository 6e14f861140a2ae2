"""What the task pages share: the office-only decorator, cache headers, the lit and
filtered assignment list, and fetching one assignment or report through ``visible_to``."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from portal.files import upload_name

from ..filters import AssignmentFilter
from ..forms import VersionForm
from ..models import (
    Assignment,
    ProgressReport,
    due_date_expr,
    list_order,
    reported_this_month_probe,
)

PAGE_SIZE = 50
private = cache_control(private=True, no_cache=True)


def office_required(view):
    """Signed in (else the login page) and 产改办 (else 404: the page does not exist)."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_office:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def assignment_step(request, assignment, step, done_message: str):
    """A one-button step on the assignment page (签收, 办结): ``step(assignment=, by=,
    version=)`` with the posted version; its refusal or ``done_message`` as a message,
    then back to the assignment page."""
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        step(assignment=assignment, by=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message)
    return redirect("tasks:assignment_detail", pk=assignment.pk)


def note_files_not_kept(form, files) -> None:
    """On a refused upload form, say plainly that the chosen files were not saved and
    must be chosen again: a browser never sends a file back with the re-shown form.
    ``files`` are the uploaded files of the refused request (none: no note)."""
    names = [upload_name(f.name) for f in files if f]
    if names:
        form.add_error(
            None,
            ValidationError(
                _("所选文件（%(names)s）尚未保存，请重新选择后再提交。")
                % {"names": "、".join(names)},
                code="files_not_kept",
            ),
        )


def query_without_page(request) -> str:
    """The current filters as a query string, for links that keep them (the export)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@functools.lru_cache(maxsize=4)
def _listed_assignments(day, lit: bool):
    """Every assignment, lit for ``day`` (``lit``) or annotated with ``reported`` (this
    month), in the lists' default order; never evaluated. Built once per day and
    process, then cloned by the callers' chaining: building the light's CASE and its
    subquery cost ~2.5 ms a request (issue 11)."""
    queryset = Assignment.objects.all()
    if lit:
        queryset = queryset.with_light(day)
    else:
        queryset = queryset.annotate(reported=reported_this_month_probe(day))
    # Default order: open work first, by due date; closed assignments last
    # (``list_order``, which the overview's index holds).
    return (
        queryset.select_related("task__plan", "unit")
        .annotate(due_on=due_date_expr())
        .order_by(*list_order())
    )


def listed_assignments(day, user, *, lit: bool = True):
    """``user``'s visible assignments in the lists' default order, lit for ``day`` (or
    annotated with ``reported``: ``filtered_assignments``); not filtered."""
    return _listed_assignments(day, lit).visible_to(user)


def filtered_assignments(request, day, data=None, *, lit: bool = True, choices=None):
    """The user's visible assignments, lit for ``day``, filtered by ``data`` (a QueryDict;
    the query string by default). ``lit=False``: annotated with ``reported`` (this
    month) instead of ``light``, for a list that works each light out with
    ``light_for``: the CASE of ``with_light`` costs more to build than to read (the
    light filter still adds it). ``choices``: the filter's plans and categories, when
    the caller read them (``AssignmentFilter``)."""
    queryset = listed_assignments(day, request.user, lit=lit)
    data = request.GET if data is None else data
    return AssignmentFilter(
        data or None,
        queryset=queryset,
        user=request.user,
        office=request.user.is_office,
        day=day,
        choices=choices,
    )


def get_assignment(request, pk):
    return get_object_or_404(
        Assignment.objects.visible_to(request.user).select_related("task__plan", "unit"), pk=pk
    )


def get_report(request, pk):
    return get_object_or_404(
        ProgressReport.objects.visible_to(request.user).select_related(
            "assignment__task__plan", "assignment__unit"
        ),
        pk=pk,
    )
