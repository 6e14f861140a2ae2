"""考核评价 of a plan: each unit's rates, suggested score and the office's score."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.units.models import Unit

from .. import selectors, services
from ..forms import AssessmentForm
from ..models import Assessment, Plan
from .common import office_required, private


@office_required
@require_safe
@private
def assessment_list(request, pk):
    """考核评价 of a plan: each unit's rates, suggested score and the office's score."""
    plan = get_object_or_404(Plan, pk=pk)
    return render(request, "tasks/assessment_list.html", _assessment_context(plan))


def _assessment_context(plan, *, bound=None):
    units = Unit.objects.filter(assignments__task__plan=plan).distinct()
    assessments = {a.unit_id: a for a in Assessment.objects.filter(plan=plan)}
    rows = []
    for unit in units:
        current = assessments.get(unit.pk)
        rates = selectors.unit_rates(plan=plan, unit=unit)
        if bound is not None and bound[0] == unit.pk:
            form = bound[1]
        else:
            form = AssessmentForm(
                initial={
                    "score": current.score if current else rates["suggested"],
                    "comment": current.comment if current else "",
                    "version": current.version if current else 0,
                },
                prefix=f"u{unit.pk}",
            )
        rows.append({"unit": unit, "rates": rates, "assessment": current, "form": form})
    return {"plan": plan, "rows": rows}


@office_required
@require_POST
def assessment_score(request, pk, unit_pk):
    plan = get_object_or_404(Plan, pk=pk)
    unit = get_object_or_404(Unit, pk=unit_pk)
    form = AssessmentForm(request.POST, prefix=f"u{unit.pk}")
    if form.is_valid():
        try:
            services.score_unit(plan=plan, unit=unit, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            if exc.code == "no_assignments":  # the unit has no row on the page to show it
                messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存 %(unit)s 的考核评价。") % {"unit": unit.name})
            return redirect("tasks:assessment_list", pk=plan.pk)
    return render(
        request, "tasks/assessment_list.html", _assessment_context(plan, bound=(unit.pk, form))
    )
