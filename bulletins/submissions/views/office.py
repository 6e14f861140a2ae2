"""The office's pages (产改办): return, decline, adopt into a draft issue, upward
adoptions, the year's points table with its xlsx export, and the scoring rules."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.admin import refusal_text
from portal.files import content_disposition
from tasks.views.common import office_required

from .. import selectors, services
from ..forms import AdoptForm, RuleForm, UpwardForm, YearForm
from ..xlsx import XLSX_CONTENT_TYPE, points_workbook
from .common import get_submission, private, step


@office_required
@require_POST
def submission_return(request, pk):
    submission = get_submission(request, pk)
    return step(request, submission, services.return_submission, _("已退回修改。"), comment=True)


@office_required
@require_POST
def submission_decline(request, pk):
    submission = get_submission(request, pk)
    return step(
        request, submission, services.decline_submission, _("已标记为未采用。"), comment=True
    )


@office_required
@require_POST
def submission_adopt(request, pk):
    """采用: put the piece into the chosen draft issue, as an article or a section."""
    submission = get_submission(request, pk)
    form = AdoptForm(request.POST, issues=services.adoptable_issues())
    if form.is_valid():
        data = form.cleaned_data
        try:
            adoption = services.adopt_submission(
                submission=submission,
                by=request.user,
                issue=data["issue"],
                mode=data["mode"],
                article=data["article"],
                version=data["version"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("已采用到 %(issue)s，可在管理后台继续编辑该文章。") % {"issue": adoption.issue},
            )
            return redirect("submissions:detail", pk=submission.pk)
    messages.error(request, _("未能采用：") + "；".join(_form_errors(form)))
    return redirect("submissions:detail", pk=submission.pk)


def _form_errors(form) -> list[str]:
    return [str(m) for errors in form.errors.values() for m in errors]


@office_required
@require_POST
def submission_upward(request, pk):
    """登记上级采用 (市级 / 省级 / 全国)."""
    submission = get_submission(request, pk)
    form = UpwardForm(request.POST)
    if form.is_valid():
        try:
            services.record_upward_adoption(
                submission=submission, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("已登记上级采用。"))
    else:
        messages.error(request, _("未能登记：") + "；".join(_form_errors(form)))
    return redirect("submissions:detail", pk=submission.pk)


def _year(request) -> int:
    form = YearForm(request.GET)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return year or timezone.localdate().year


@office_required
@require_safe
@private
def points(request):
    """The year's table: per unit sent, adopted, rate, upward adoptions, points."""
    year = _year(request)
    context = {
        "year": year,
        "rows": selectors.year_table(year=year, today=timezone.localdate()),
        "rule": selectors.rule_for(year),
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
    }
    return render(request, "submissions/points.html", context)


@office_required
@require_safe
@private
def points_export(request):
    year = _year(request)
    rows = selectors.year_table(year=year, today=timezone.localdate())
    response = HttpResponse(points_workbook(rows, year=year), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(
        _("信息报送积分-%(year)s.xlsx") % {"year": year}
    )
    return response


@office_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def rules(request, year):
    """积分规则 of ``year``: the office edits them; a refusal keeps what was typed."""
    current = selectors.rule_for(year)
    form = RuleForm(request.POST or None, instance=current if current.pk else None)
    if current.pk is None and request.method != "POST":
        form = RuleForm(instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_scoring_rule(year=year, by=request.user, values=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存 %(year)s 年积分规则。") % {"year": year})
            return redirect(f"{_points_url()}?year={year}")
    return render(request, "submissions/rules.html", {"form": form, "year": year})


def _points_url():
    from django.urls import reverse

    return reverse("submissions:points")
