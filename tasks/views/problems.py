"""问题收集: units raise problems and read the office's replies; the office answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.pagination import page_of

from .. import services
from ..forms import ProblemForm, ReplyForm
from ..models import Problem
from .common import PAGE_SIZE, private


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def problem_list(request):
    """Units raise problems and read replies; the office sees every unit's."""
    problems = Problem.objects.visible_to(request.user).select_related("unit", "task")
    can_raise = services.can_raise_problem(request.user)
    form = ProblemForm(request.POST or None, user=request.user) if can_raise else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                problem = services.raise_problem(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("问题已提交，产改办答复后会在此显示。"))
                return redirect("tasks:problem_detail", pk=problem.pk)
    status = request.GET.get("status")
    if status in Problem.Status.values:
        problems = problems.filter(status=status)
    return render(
        request,
        "tasks/problem_list.html",
        {
            "page": page_of(request, problems, PAGE_SIZE),
            "form": form,
            "statuses": Problem.Status.choices,
            "status": status,
            "is_office": request.user.is_office,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def problem_detail(request, pk):
    problem = get_object_or_404(
        Problem.objects.visible_to(request.user).select_related("unit", "task", "raised_by"), pk=pk
    )
    form = None
    if services.can_reply_problem(request.user):
        form = ReplyForm(
            request.POST or None,
            initial={"reply": problem.reply, "version": problem.version},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.reply_problem(
                    problem=problem,
                    by=request.user,
                    reply=form.cleaned_data["reply"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已答复。"))
                return redirect("tasks:problem_detail", pk=problem.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "tasks/problem_detail.html", {"problem": problem, "form": form})
