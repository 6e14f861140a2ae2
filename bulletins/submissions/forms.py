"""Forms of the 信息报送 pages. They list their fields; none sets a status or a unit (the
services do, from the acting user). Choice querysets come from the services' rules."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bulletins.admin_forms import ChooseAgainBoundField, import_word
from bulletins.models import Article
from portal.files import UploadField
from portal.text import CleanFormField
from tasks.forms import MultipleFileField, VersionField

from .models import Adoption, Category, ScoringRule, Submission, SubmissionFile
from .services.rules import RULE_FIELDS


class SubmissionForm(forms.ModelForm):
    word_file = UploadField(
        allowed=("docx",),
        bound_field_class=ChooseAgainBoundField,
        label=_("从 Word 导入"),
        required=False,
        help_text=_(
            "上传 .docx 文件（例如：人社局信息.docx），其标题、正文和图片将替换下面的正文。"
        ),
    )
    files = MultipleFileField(
        allowed=SubmissionFile.ALLOWED,
        label=_("图片和附件"),
        required=False,
        help_text=_("可多选；支持 jpg、png、pdf、docx、xlsx、doc、xls、zip，每个不超过 50 MB。"),
    )
    version = VersionField()

    class Meta:
        model = Submission
        fields = ["category", "title", "body", "author", "author_phone", "signer"]
        help_texts = {
            "title": _("例如：市人社局开展“技能强市”职业技能竞赛"),
            "author": _("例如：李敏"),
            "author_phone": _("例如：0518-85800001"),
        }

    def __init__(self, *args, remove_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.imported = None
        self.fields["category"].queryset = Category.objects.filter(active=True)
        self.fields["category"].empty_label = _("请选择栏目")
        self.fields["title"].required = False  # may come from the Word file; see clean()
        self.fields["body"].required = False
        if remove_choices:
            self.fields["remove"] = forms.MultipleChoiceField(
                label=_("删除已上传的文件"),
                choices=remove_choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self):
        return import_word(self, super().clean())

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}


class CommentForm(forms.Form):
    comment = CleanFormField(
        label=_("意见"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回或不采用时必填，例如：请补充具体数据。"),
    )
    version = VersionField()


class AdoptForm(forms.Form):
    # Radio buttons, not a select: an issue's long title wraps instead of being cut off.
    issue = forms.ModelChoiceField(
        label=_("采用到期次"), queryset=None, empty_label=None, widget=forms.RadioSelect
    )
    mode = forms.ChoiceField(
        label=_("采用方式"), choices=Adoption.Mode.choices, widget=forms.RadioSelect
    )
    article = forms.ModelChoiceField(
        label=_("并入文章"),
        queryset=None,
        required=False,
        empty_label=_("不并入已有文章"),
        help_text=_("作为已有文章的一节时选择，例如：工作动态"),
    )
    version = VersionField()

    def __init__(self, *args, issues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = issues
        self.fields["issue"].label_from_instance = lambda i: f"{i} · {i.title}"
        if not self.is_bound:
            self.fields["issue"].initial = issues.first()
        self.fields["article"].queryset = Article.objects.filter(issue__in=issues).select_related(
            "issue__series"
        )
        self.fields["article"].label_from_instance = lambda a: f"{a.issue} · {a.title}"
        self.fields["mode"].initial = Adoption.Mode.ARTICLE


class UpwardForm(forms.Form):
    level = forms.ChoiceField(
        label=_("采用级别"),
        choices=[c for c in Adoption.Level.choices if c[0] != Adoption.Level.ISSUE],
    )
    publication = CleanFormField(
        label=_("刊物名称"), max_length=100, multiline=False, help_text=_("例如：江苏工运动态")
    )
    published_on = forms.DateField(
        label=_("刊发日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("例如：2026-06-30"),
    )

    def clean_published_on(self):
        value = self.cleaned_data["published_on"]
        if value > datetime.date.today() + datetime.timedelta(days=366):
            raise ValidationError(_("刊发日期不正确。"), code="published_on")
        return value


class RuleForm(forms.ModelForm):
    class Meta:
        model = ScoringRule
        fields = list(RULE_FIELDS)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
