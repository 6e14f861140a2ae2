"""What the task pages share: the office-only decorator, cache headers, the lit and
filtered assignment list, and fetching one assignment or report through ``visible_to``."""

import functools

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import cache_control

from ..filters import AssignmentFilter
from ..models import Assignment, ProgressReport

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


def query_without_page(request) -> str:
    """The current filters as a query string, for links that keep them (the export)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def filtered_assignments(request, day):
    """The user's visible assignments, lit for ``day``, filtered by the query string."""
    # Default order: open work first, by due date; closed assignments last.
    queryset = (
        Assignment.objects.visible_to(request.user)
        .with_light(day)
        .select_related("task__plan", "unit")
        .annotate(
            is_closed=Case(
                When(status=Assignment.Status.CLOSED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("is_closed", "task__due_date", "task__number", "pk")
    )
    return AssignmentFilter(
        request.GET or None, queryset=queryset, user=request.user, office=request.user.is_office
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
