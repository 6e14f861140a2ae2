"""Filters of the 信息 lists: start from ``visible_to`` and only narrow it (another unit's
id or a bad month yields nothing)."""

import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import acting_unit_id, is_office
from portal.filters import NarrowingFilterSet
from portal.units.models import Unit

from .models import Category, Submission

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class SubmissionFilter(NarrowingFilterSet):
    status = django_filters.ChoiceFilter(
        choices=Submission.Status.choices, label=_("状态"), empty_label=_("全部")
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.none(), label=_("单位"), empty_label=_("全部单位")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), label=_("栏目"), empty_label=_("全部栏目")
    )
    month = django_filters.CharFilter(
        label=_("报送月份"),
        method="filter_month",
        max_length=7,
        widget=forms.TextInput(
            attrs={"type": "month", "placeholder": "2026-06", "aria-label": _("报送月份")}
        ),
    )

    class Meta:
        model = Submission
        fields = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if is_office(user):
            self.filters["unit"].queryset = Unit.objects.all()
        else:
            self.filters["unit"].queryset = Unit.objects.filter(pk=acting_unit_id(user))

    def filter_month(self, queryset, name, value):
        match = MONTH.match(value.strip())
        if not match:
            return queryset.none()
        year, month = int(match[1]), int(match[2])
        return queryset.filter(sent_at__year=year, sent_at__month=month)
