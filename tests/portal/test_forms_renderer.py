"""The form renderer writes the plainest widgets in Python: the same markup as Django's
templates, character for character, and Django's templates for everything else."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import RequestFactory
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from bulletins.filters import IssueFilter
from bulletins.models import Issue
from portal.forms_renderer import FormRenderer, field_widget_html
from tasks.filters import AssignmentFilter
from tasks.models import Assignment
from tests.factories import make_issue

CHOICES = [("", "全部"), ("a", "甲 <乙> & “丙”"), (3, 2020), ("s", mark_safe("<b>粗</b>"))]


class EveryWidget(forms.Form):
    text = forms.CharField(
        max_length=20,
        widget=forms.TextInput(attrs={"placeholder": _("标题或摘要中的词"), "class": "a b"}),
    )
    optional = forms.CharField(required=False, help_text="说明")
    disabled = forms.CharField(required=False, disabled=True, initial='"引号" & <尖>')
    number = forms.IntegerField(min_value=0, max_value=100, required=False)
    decimal = forms.DecimalField(max_digits=5, decimal_places=2, required=False)
    day = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.DateTimeField(required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    secret = forms.CharField(required=False, widget=forms.PasswordInput)
    hidden = forms.IntegerField(required=False, widget=forms.HiddenInput)
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    flag_attr = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"autofocus": True, "spellcheck": False})
    )
    choice = forms.ChoiceField(choices=CHOICES, required=False)
    several = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    grouped = forms.ChoiceField(
        choices=[("组一", [("1", "一")]), ("组二", [("2", "二")])], required=False
    )
    radio = forms.ChoiceField(choices=CHOICES[1:], required=False, widget=forms.RadioSelect)
    area = forms.CharField(required=False, widget=forms.Textarea)


BOUND = {
    "text": '<script>"x"</script> & 词',
    "optional": "",
    "number": "-5",
    "decimal": "3.14159",
    "day": "2020-06-02",
    "when": "2020-06-02 09:30",
    "email": "a@b",
    "url": "javascript:alert(1)",
    "secret": "pw",
    "hidden": "7",
    "search": "工人",
    "flag_attr": "x",
    "choice": "3",
    "several": ["a", "s"],
    "grouped": "2",
    "radio": "a",
    "area": "多行\n文字",
}


def _both(form_class, *args, **kwargs):
    django = form_class(*args, renderer=DjangoTemplates(), **kwargs)
    ours = form_class(*args, renderer=FormRenderer(), **kwargs)
    return django, ours


@pytest.mark.parametrize(
    "data, initial",
    [(None, None), (None, {"choice": "a", "day": dt.date(2020, 6, 2), "number": 5}), (BOUND, None)],
)
def test_every_widget_is_written_as_django_writes_it(data, initial):
    django, ours = _both(EveryWidget, data, initial=initial)
    if data:
        assert not django.is_valid() and not ours.is_valid()  # errors show in the markup
    for name in EveryWidget.base_fields:
        assert str(ours[name]) == str(django[name]), name
        assert ours[name].label_tag() == django[name].label_tag(), name
        assert ours[name].label_tag(attrs={"class": "x"}, label_suffix="：") == django[
            name
        ].label_tag(attrs={"class": "x"}, label_suffix="：")
    assert str(ours) == str(django)


def test_labels_without_an_id_are_written_as_django_writes_them():
    django, ours = _both(EveryWidget, auto_id=False)
    assert [f.label_tag() for f in ours] == [f.label_tag() for f in django]


@pytest.mark.django_db
def test_the_filter_forms_are_the_same_markup(office_user, user_a):
    make_issue("published", "public")
    request = RequestFactory().get("/bulletins/", {"q": "<词>", "year": "2020"})
    forms_ = []
    for renderer in (DjangoTemplates(), FormRenderer()):
        issues = IssueFilter(request.GET, queryset=Issue.objects.all(), request=request)
        issues.form.renderer = renderer
        tasks = AssignmentFilter(
            {"q": "任务", "light": "red", "ordering": "-due"},
            queryset=Assignment.objects.all(),
            user=office_user,
            office=True,
        )
        tasks.form.renderer = renderer
        forms_.append([str(field) for form in (issues.form, tasks.form) for field in form])
    assert forms_[0] == forms_[1]
    assert any("<select" in html for html in forms_[1])


@pytest.mark.parametrize(
    "data, initial",
    [(None, None), (None, {"choice": "a", "day": dt.date(2020, 6, 2), "number": 5}), (BOUND, None)],
)
def test_a_field_written_from_its_choices_is_the_same_markup(data, initial):
    django, ours = _both(EveryWidget, data, initial=initial)
    for name in EveryWidget.base_fields:
        assert field_widget_html(ours[name]) == str(django[name]), name
        assert field_widget_html(django[name]) == str(django[name]), name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [None, {"q": "<任务>", "light": "red", "ordering": "-due"}, {"unit": "999", "status": "x"}],
)
def test_the_task_filter_fields_are_the_same_markup(office_user, data):
    django, ours = (
        AssignmentFilter(data, queryset=Assignment.objects.all(), user=office_user, office=True)
        for _ in range(2)
    )
    django.form.renderer = DjangoTemplates()
    assert [field_widget_html(field) for field in ours.form] == [
        str(field) for field in django.form
    ]
