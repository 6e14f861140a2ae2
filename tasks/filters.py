"""Filters of the assignment lists; each starts from the ``visible_to`` queryset and only
narrows it: an invalid value (another unit's id, an unknown plan) yields nothing."""

import functools

import django_filters
from django.forms import ModelChoiceField
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import acting_unit_id
from portal.filters import NarrowingFilterSet
from portal.units.models import Unit

from .models import Assignment, Light, Plan, Task

MODEL_CHOICE_ERRORS = {"invalid_choice": ModelChoiceField.default_error_messages["invalid_choice"]}


def _choices(queryset):
    """``[(pk, str(row)), …]`` of ``queryset``, read on first use and then kept."""
    return functools.cache(lambda: [(row.pk, str(row)) for row in queryset])


class AssignmentFilter(NarrowingFilterSet):
    q = django_filters.CharFilter(
        field_name="task__title", lookup_expr="icontains", label=_("任务名称"), max_length=100
    )
    # Plans and units as (pk, name) choices read once, when first needed: a model
    # choice field reads them through a server-side cursor on each use (issue 11).
    plan = django_filters.ChoiceFilter(
        field_name="task__plan",
        choices=[],
        label=_("任务清单"),
        error_messages=MODEL_CHOICE_ERRORS,
        empty_label=_("全部任务清单"),
    )
    category = django_filters.ChoiceFilter(
        field_name="task__category", choices=[], label=_("类别"), empty_label=_("全部")
    )
    unit = django_filters.ChoiceFilter(
        choices=[], label=_("单位"), error_messages=MODEL_CHOICE_ERRORS, empty_label=_("全部单位")
    )
    role = django_filters.ChoiceFilter(
        choices=Assignment.Role.choices, label=_("分工"), empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        choices=Assignment.Status.choices, label=_("状态"), empty_label=_("全部")
    )
    light = django_filters.ChoiceFilter(
        choices=Light.choices, label=_("红黄绿灯"), empty_label=_("全部"), method="filter_light"
    )
    extended = django_filters.ChoiceFilter(
        choices=[("yes", _("已延期")), ("no", _("未延期"))],
        label=_("延期"),
        empty_label=_("全部"),
        method="filter_extended",
    )
    ordering = django_filters.OrderingFilter(
        fields=(("due_on", "due"), ("task__number", "number"), ("progress", "progress")),
        field_labels={
            # Ascending labels are keyed by the model field, descending ones by "-param".
            "due_on": _("完成时限（早→晚）"),
            "-due": _("完成时限（晚→早）"),
            "task__number": _("编号"),
            "-number": _("编号（倒序）"),
            "progress": _("进度（低→高）"),
            "-progress": _("进度（高→低）"),
        },
        label=_("排序"),
        empty_label=_("默认（完成时限）"),
    )

    class Meta:
        model = Assignment
        fields = []

    def __init__(self, *args, user, office: bool, **kwargs):
        super().__init__(*args, **kwargs)
        tasks = Task.objects.visible_to(user)
        self.filters["plan"].extra["choices"] = _choices(
            Plan.objects.filter(pk__in=tasks.values("plan_id")).order_by("-year", "title")
        )
        categories = (
            tasks.exclude(category="").order_by("category").values_list("category", flat=True)
        )
        self.filters["category"].extra["choices"] = [(c, c) for c in dict.fromkeys(categories)]
        if office:
            units = Unit.objects.filter(active=True)
        else:
            # A unit may only pick itself: ?unit=<another unit> makes the form invalid,
            # which narrows to nothing (the page hides the field).
            units = Unit.objects.filter(pk=acting_unit_id(user))
        self.filters["unit"].extra["choices"] = _choices(units)

    def filter_extended(self, queryset, name, value):
        """Assignments an approved extension (延期) moved, or those it did not."""
        extended = queryset.extended()
        return extended if value == "yes" else queryset.exclude(pk__in=extended.values("pk"))

    def filter_light(self, queryset, name, value):
        return queryset.filter(light=value)  # the view annotates with_light(today)
