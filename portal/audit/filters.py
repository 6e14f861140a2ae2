"""The audit page's filters: time, account, unit, action, object, result."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.filters import NarrowingFilterSet
from portal.units.models import Unit

from .actions import ACTIONS
from .models import AuditEntry


class AuditEntryFilter(NarrowingFilterSet):
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))
    account = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="icontains", label=_("账号"), max_length=150
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), label=_("单位"), empty_label=_("全部")
    )
    action = django_filters.ChoiceFilter(
        choices=list(ACTIONS.items()), label=_("操作"), empty_label=_("全部")
    )
    object = django_filters.CharFilter(
        method="filter_object", label=_("对象（名称或编号）"), max_length=100
    )
    result = django_filters.ChoiceFilter(
        choices=AuditEntry.Result.choices, label=_("结果"), empty_label=_("全部")
    )

    class Meta:
        model = AuditEntry
        fields = []

    def filter_object(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(object_label__icontains=value) | Q(object_id=value))
