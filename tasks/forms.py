"""Forms of the task pages. They list their fields explicitly; none sets a status or a
unit: the services do, from the acting user. Choice querysets come from ``visible_to``."""

from django import forms
from django.forms.utils import ErrorList
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.files import UploadField
from portal.text import CleanFormField
from portal.units.models import Unit

from .models import Assignment, Evidence, ExtensionRequest, Plan, Task


class VersionField(forms.IntegerField):
    """The row version the form was drawn from (optimistic concurrency)."""

    widget = forms.HiddenInput

    def __init__(self, *, required=False, **kwargs):
        super().__init__(min_value=0, required=required, **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(UploadField):
    """Several evidence files, each checked as every upload is (portal/files.py)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("allowed", Evidence.ALLOWED)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": _accept()}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _accept() -> str:
    return ",".join(f".{ext}" for ext in Evidence.ALLOWED)


class VersionForm(forms.Form):
    version = VersionField()


class ReportForm(forms.Form):
    period = CleanFormField(
        multiline=False,
        label=_("报送期间"),
        max_length=7,
        help_text=_("年-月，例如 2020-06"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": r"\d{4}-\d{2}"}),
    )
    percent = forms.IntegerField(label=_("完成进度（%）"), min_value=0, max_value=100)
    text = CleanFormField(
        label=_("进展情况"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("例如：已制定实施方案，开展培训3场、覆盖职工260人。"),
    )
    requests_completion = forms.BooleanField(label=_("任务已完成，申请办结"), required=False)
    files = MultipleFileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可多选；支持 pdf、docx、xlsx、doc、xls、jpg、png、zip，每个不超过 50 MB。"),
    )
    version = VersionField()

    def __init__(self, *args, new_report: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = timezone.localdate().strftime("%Y-%m")
        if new_report:
            # A new report edits nothing that exists: no version to compare.
            del self.fields["version"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_field(label, **kwargs) -> forms.DateField:
    """A date picked in the browser's date input (YYYY-MM-DD), with a Chinese error."""
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={"invalid": _("请输入正确的日期，例如 2026-09-30。")},
        **kwargs,
    )


class ExtensionRequestForm(forms.Form):
    """延期申请: its fields are ``request_extension``'s keywords."""

    due_date = date_field(_("申请延期至"), help_text=_("例如：2026-09-30；须晚于当前完成时限。"))
    reason = CleanFormField(
        label=_("延期理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：受检修停产影响，培训推迟至三季度举办。"),
    )
    evidence = UploadField(
        allowed=ExtensionRequest.ALLOWED,
        label=_("证明材料"),
        required=False,
        help_text=_("可选；支持 pdf、docx、xlsx、doc、xls、jpg、png、zip，不超过 50 MB。"),
    )


class ExtensionDecisionForm(forms.Form):
    APPROVE, DECLINE = "approve", "decline"
    decision = forms.ChoiceField(
        label=_("审批"),
        choices=[(APPROVE, _("同意延期")), (DECLINE, _("不同意"))],
        widget=forms.RadioSelect,
    )
    due_date = date_field(
        _("批准延期至"),
        required=False,
        help_text=_("同意时可改为其他日期；留空即按单位申请的日期。"),
    )
    comment = CleanFormField(
        label=_("审批意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不同意时必填，例如：该任务为年度重点任务，请按原时限完成。"),
    )
    version = VersionField(required=True)


class ReviewForm(forms.Form):
    ACCEPT, RETURN, ACCEPT_CLOSE = "accept", "return", "accept_close"
    decision = forms.ChoiceField(
        label=_("审核"),
        choices=[
            (ACCEPT, _("通过")),
            (ACCEPT_CLOSE, _("通过并办结")),
            (RETURN, _("退回")),
        ],
        widget=forms.RadioSelect,
    )
    comment = CleanFormField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填，例如：请补充培训签到表。"),
    )
    version = VersionField(required=True)


class ReminderForm(forms.Form):
    assignments = forms.ModelMultipleChoiceField(
        label=_("任务分工"), queryset=Assignment.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    message = CleanFormField(
        label=_("催办内容"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        initial=_("请抓紧推进并按时报送进展情况和佐证材料。"),
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignments"].queryset = queryset
        self.fields["assignments"].label_from_instance = lambda a: (
            f"{a.task.number} {a.task.title} · {a.unit.display_name}（{a.get_role_display()}）"
        )


class ProblemForm(forms.Form):
    title = CleanFormField(multiline=False, label=_("标题"), max_length=200)
    task = forms.ModelChoiceField(
        label=_("相关任务"),
        queryset=Task.objects.none(),
        required=False,
        empty_label=_("（不涉及具体任务）"),
    )
    text = CleanFormField(
        label=_("问题描述"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("例如：职工技能等级认定的配套资金渠道尚不明确。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = Task.objects.visible_to(user).select_related("plan")


class ReplyForm(forms.Form):
    reply = CleanFormField(
        label=_("答复"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    version = VersionField(required=True)


class AssessmentForm(forms.Form):
    score = forms.DecimalField(
        label=_("得分"), min_value=0, max_value=100, max_digits=4, decimal_places=1
    )
    comment = CleanFormField(
        label=_("评价意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()


class AssignForm(forms.Form):
    tasks = forms.ModelMultipleChoiceField(
        label=_("任务"), queryset=Task.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    units = forms.ModelMultipleChoiceField(
        label=_("单位"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    role = forms.ChoiceField(label=_("分工"), choices=Assignment.Role.choices)

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tasks"].queryset = plan.tasks.all()
        self.fields["units"].queryset = Unit.objects.filter(active=True)


class ImportForm(forms.Form):
    file = UploadField(
        allowed=("xlsx",),
        label=_("任务清单（.xlsx）"),
        help_text=_(
            "按表头名称识别各列，顺序不限，例如：序号、任务、牵头单位、配合单位、完成时限、备注；"
            "必须有“任务”（或“任务名称”“工作任务”）列，不认识的列不导入。"
        ),
    )

    def refusal_summary(self) -> str:
        """The banner of a refused import: how many rows, and a link down to the reasons."""
        errors = self.non_field_errors().as_data() + self.errors.get("file", ErrorList()).as_data()
        rows = sum(1 for e in errors if e.code == "bad_row")
        if rows:
            summary = ngettext(
                "导入未完成：%(n)d 行有误，整表未导入。",
                "导入未完成：%(n)d 行有误，整表未导入。",
                rows,
            ) % {"n": rows}
        else:
            summary = _("导入未完成：%(reason)s") % {"reason": " ".join(errors[0].messages)}
        return format_html('{} <a href="#import-errors">{}</a>', summary, _("查看原因"))


class DecisionForm(forms.Form):
    """A meeting's 议定事项: its fields are ``add_decision``'s keywords."""

    order = forms.IntegerField(
        label=_("顺序"), min_value=1, max_value=999, required=False, help_text=_("留空排在最后")
    )
    title = CleanFormField(
        multiline=False,
        label=_("议定事项"),
        max_length=300,
        help_text=_("例如：面上要坚持全市一盘棋、同发力，细化分解改革任务"),
    )
    text = CleanFormField(
        label=_("具体内容"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DecisionTaskForm(forms.Form):
    """议定事项 → 督办任务: its fields are ``make_decision_task``'s keywords."""

    plan = forms.ModelChoiceField(label=_("任务清单"), queryset=Plan.objects.none())
    number = CleanFormField(
        multiline=False,
        label=_("编号"),
        max_length=20,
        required=False,
        help_text=_("例如：4.1；留空自动编号"),
    )
    title = CleanFormField(multiline=False, label=_("任务"), max_length=300)
    category = CleanFormField(
        multiline=False,
        label=_("类别"),
        max_length=50,
        required=False,
        help_text=_("例如：组织保障"),
    )
    requirement = CleanFormField(
        label=_("工作要求"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    due_date = date_field(_("完成时限"), help_text=_("例如：2026-10-31"))
    weight = forms.DecimalField(
        label=_("分值权重"), min_value=0, max_value=999, max_digits=5, decimal_places=2, initial=1
    )
    lead = forms.ModelChoiceField(label=_("牵头单位"), queryset=Unit.objects.none())
    cooperating = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.exclude(status=Plan.Status.CLOSED)
        units = Unit.objects.filter(active=True)
        self.fields["lead"].queryset = units
        self.fields["cooperating"].queryset = units
