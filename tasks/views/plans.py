"""A plan's page for the office: its tasks and assignments, 分派 many at once, import."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import services
from ..forms import AssignForm, ImportForm
from ..models import Assignment, Plan
from .common import office_required, private


@office_required
@require_safe
@private
def plan_list(request):
    plans = Plan.objects.annotate(
        task_count=Count("tasks", distinct=True),
        assignment_count=Count("tasks__assignments", distinct=True),
    )
    return render(request, "tasks/plan_list.html", {"plans": plans})


def _plan_context(request, plan, *, assign_form=None, import_form=None):
    # Each task names the meeting it came from (议定事项 made tasks), as its assignments do.
    tasks = plan.tasks.select_related("source_meeting").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("unit")),
        "milestones",
    )
    return {
        "plan": plan,
        "tasks": tasks,
        "assign_form": assign_form or AssignForm(plan=plan),
        "import_form": import_form or ImportForm(),
    }


@office_required
@require_safe
@private
def plan_detail(request, pk):
    plan = get_object_or_404(Plan.objects.select_related("source_issue", "source_meeting"), pk=pk)
    return render(request, "tasks/plan_detail.html", _plan_context(request, plan))


@office_required
@require_POST
def plan_assign(request, pk):
    plan = get_object_or_404(Plan.objects.select_related("source_issue", "source_meeting"), pk=pk)
    form = AssignForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            made = services.assign_units(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已新增 %(n)d 项分工。") % {"n": len(made)})
            return redirect("tasks:plan_detail", pk=plan.pk)
    return render(request, "tasks/plan_detail.html", _plan_context(request, plan, assign_form=form))


@office_required
@require_POST
def plan_import(request, pk):
    plan = get_object_or_404(Plan.objects.select_related("source_issue", "source_meeting"), pk=pk)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            made = services.import_plan(plan=plan, file=form.cleaned_data["file"], by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已导入 %(n)d 项任务。") % {"n": len(made)})
            return redirect("tasks:plan_detail", pk=plan.pk)
    messages.error(request, form.refusal_summary())  # at the top of the page
    return render(request, "tasks/plan_detail.html", _plan_context(request, plan, import_form=form))
