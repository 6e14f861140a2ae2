"""议定事项: the office records a meeting's decisions and turns each into a task; the
meeting page shows them with their tasks' lights and progress (``meeting_panel``)."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bulletins.models import Meeting
from portal.accounts.models import is_office

from .. import services
from ..forms import DecisionForm, DecisionTaskForm
from ..models import Assignment, Decision, Light, today
from .common import office_required, private

# The light a decision shows: its worst assignment's (red before yellow before green).
_LIGHT_RANK = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, Light.DONE: 3}


def decision_rows(meeting, user) -> list[dict]:
    """Each decision of ``meeting`` with the assignments of its task that ``user`` may
    see (lit for today), the worst of their lights and their mean progress (None when
    ``user`` sees none) and whether ``user`` may make it a task. Three queries."""
    decisions = list(meeting.decisions.select_related("task__plan"))
    assignments = defaultdict(list)
    tasked = [d.task_id for d in decisions if d.task_id]
    if tasked:
        lit = (
            Assignment.objects.visible_to(user)
            .filter(task_id__in=tasked)
            .with_light(today())
            .select_related("unit")
            .order_by("task_id", "role", "unit__ordering", "pk")
        )
        for a in lit:
            assignments[a.task_id].append(a)
    rows = []
    for d in decisions:
        mine = assignments.get(d.task_id, [])
        rows.append(
            {
                "decision": d,
                "assignments": mine,
                "light": min((a.light for a in mine), key=_LIGHT_RANK.get) if mine else None,
                "progress": round(sum(a.progress for a in mine) / len(mine)) if mine else None,
                "can_make_task": services.can_make_decision_task(d, user),
            }
        )
    return rows


def meeting_panel(meeting, user) -> dict | None:
    """The 议定事项 panel of the meeting page (registered with ``bulletins.panels``):
    None when the meeting has no decisions and ``user`` may not record any."""
    office = is_office(user)
    rows = decision_rows(meeting, user)
    if not rows and not office:
        return None
    return {
        "template": "tasks/includes/meeting_decisions.html",
        "rows": rows,
        "manage_url": reverse("tasks:decision_list", args=[meeting.pk]) if office else "",
    }


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def decision_list(request, pk):
    """A meeting's 议定事项 for the office: add one, turn each into a task."""
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_decision(meeting=meeting, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已添加议定事项。"))
            return redirect("tasks:decision_list", pk=meeting.pk)
    return render(
        request,
        "tasks/decision_list.html",
        {"meeting": meeting, "rows": decision_rows(meeting, request.user), "form": form},
    )


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def decision_task(request, pk):
    """Turn one decision into a task of a plan, with its units and due date."""
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user).select_related("meeting", "task__plan"), pk=pk
    )
    if not services.can_make_decision_task(decision, request.user):
        messages.error(request, _("该议定事项已转为督办任务。"))
        return redirect("tasks:decision_list", pk=decision.meeting_id)
    form = DecisionTaskForm(
        request.POST or None,
        initial={"title": decision.title, "requirement": decision.text, "weight": 1},
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.make_decision_task(
                decision=decision, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("已转为督办任务：%(task)s（%(plan)s）。") % {"task": task, "plan": task.plan},
            )
            return redirect("tasks:decision_list", pk=decision.meeting_id)
    return render(request, "tasks/decision_task.html", {"decision": decision, "form": form})


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def decision_edit(request, pk):
    """Correct or move a decision; delete one recorded by mistake (not yet a task)."""
    decision = get_object_or_404(
        Decision.objects.visible_to(request.user).select_related("meeting"), pk=pk
    )
    back = redirect("tasks:decision_list", pk=decision.meeting_id)
    if request.method == "POST" and "delete" in request.POST:
        try:
            services.delete_decision(decision=decision, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已删除议定事项。"))
        return back
    form = DecisionForm(
        request.POST or None,
        initial={"order": decision.order, "title": decision.title, "text": decision.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_decision(decision=decision, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已修改议定事项。"))
            return back
    return render(
        request,
        "tasks/decision_edit.html",
        {
            "decision": decision,
            "form": form,
            "can_delete": services.can_delete_decision(decision, request.user),
        },
    )
