"""Filters of the assignment lists; each starts from the ``visible_to`` queryset and only
narrows it: an invalid value (another unit's id, an unknown plan) yields nothing."""

import copy
import functools

import django_filters
from django.db.models import F, Window
from django.db.models.functions import DenseRank
from django.forms import ModelChoiceField
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import acting_unit_id
from portal.filters import NarrowingFilterSet
from portal.units.models import Unit

from .models import Assignment, Light, Task, today

MODEL_CHOICE_ERRORS = {"invalid_choice": ModelChoiceField.default_error_messages["invalid_choice"]}


def copy_filter(filter_):
    """A copy of a class's filter for one filter set: its own ``extra`` (the choices
    set per request) and its own method proxy; the rest (labels, lookups) is shared
    and never changed."""
    copied = copy.copy(filter_)
    copied.extra = dict(filter_.extra)
    if filter_.method is not None:
        copied.method = filter_.method  # a FilterMethod that finds this copy's parent
    return copied


def plans_and_categories_query(tasks):
    """The ``values()`` query of ``plans_and_categories``, over the tasks ``tasks``: one
    row per plan and category (a plan's year and status too, for the overview's
    current plan), newest plans first."""
    return (
        tasks.annotate(category_rank=Window(DenseRank(), order_by=F("category").asc()))
        .values("plan_id", "plan__title", "plan__year", "plan__status", "category", "category_rank")
        .order_by("-plan__year", "plan__title", "plan_id")
        .distinct()
    )


def plans_and_categories(rows) -> tuple[list[tuple], list[tuple]]:
    """The plans (``[(pk, title), …]``, newest year first, then by title) and the
    categories (``[(category, category), …]``, in the database's order) of the rows of
    ``plans_and_categories_query``: one query, the categories' order is their rank
    beside the plans' rows."""
    plans, ranks = {}, {}
    for row in rows:
        plans.setdefault(row["plan_id"], row["plan__title"])
        category = row["category"]
        if category:
            ranks[category] = row["category_rank"]
    return list(plans.items()), [(c, c) for c in sorted(ranks, key=ranks.__getitem__)]


def plans_and_categories_of_rows(rows) -> tuple[list[tuple], list[tuple]]:
    """``plans_and_categories`` from the rows of a unit's whole list (every assignment
    it may see: its visible tasks are their tasks), each with its task's plan
    (``task__plan``, ``task__plan__title``), category (``task__category``) and their
    ranks among the list's, worked out by the database (``plan_rank``: newest year
    first, then title and id; ``category_rank``: the categories' order), as
    ``plans_and_categories_query`` orders them. No statement of their own."""
    plans, ranks = {}, {}
    for row in rows:
        plans[row["plan_rank"]] = (row["task__plan"], row["task__plan__title"])
        category = row["task__category"]
        if category:
            ranks[category] = row["category_rank"]
    return (
        [plans[rank] for rank in sorted(plans)],
        [(c, c) for c in sorted(ranks, key=ranks.__getitem__)],
    )


def _choices(queryset):
    """``[(pk, name), …]`` of ``queryset`` (units, whose ``str()`` is their name), read
    on first use and then kept: values, not the 50 model instances the overview's unit
    field offers."""
    return functools.cache(lambda: list(queryset.values_list("pk", "name")))


class AssignmentFilter(NarrowingFilterSet):
    q = django_filters.CharFilter(
        field_name="task__title", lookup_expr="icontains", label=_("任务名称"), max_length=100
    )
    # Plans and units as (pk, name) choices, not model choice fields: those read them
    # through a server-side cursor on each use (issue 11). The plans are read with the
    # categories; the units once, when first needed.
    # The task's list as copied onto each assignment (``Assignment.task_plan``): the
    # overview's rows of one list then come from an index of the assignments alone.
    plan = django_filters.ChoiceFilter(
        field_name="task_plan",
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

    # Fields whose label and choices are this class's own, not read per request: the
    # filter form keeps them written per language (tasks/templatetags/task_tags.py).
    fixed_fields = ("q", "role", "status", "light", "extended", "ordering")

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        user,
        office: bool,
        day=None,
        request=None,
        prefix=None,
        choices=None,
    ):
        """``choices``: the plans and categories ``plans_and_categories`` gives for
        ``user``, when the caller read them already; else read here."""
        # BaseFilterSet.__init__, with the class's filters copied one level deep: its
        # deep copy went through every label, choice and error message (issue 11).
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.day = day or today()  # the lights' day
        self.filters = {name: copy_filter(filter_) for name, filter_ in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
        if choices is None:
            choices = plans_and_categories(
                plans_and_categories_query(Task.objects.visible_to(user))
            )
        plans, categories = choices
        self.filters["plan"].extra["choices"] = plans
        self.filters["category"].extra["choices"] = categories
        if office:
            units = Unit.objects.filter(active=True)
        else:
            # A unit may only pick itself: ?unit=<another unit> makes the form invalid,
            # which narrows to nothing (the page hides the field).
            units = Unit.objects.filter(pk=acting_unit_id(user))
        self.filters["unit"].extra["choices"] = _choices(units)

    @property
    def form(self):
        """The filters' form. Its fields are the filters' own, made for this filter set:
        a form class would deep-copy the fields declared on it once more."""
        if not hasattr(self, "_form"):
            form = self._meta.form(self.data if self.is_bound else None, prefix=self.form_prefix)
            form.fields = {name: filter_.field for name, filter_ in self.filters.items()}
            self._form = form
        return self._form

    def filter_extended(self, queryset, name, value):
        """Assignments an approved extension (延期) moved, or those it did not."""
        extended = queryset.extended()
        return extended if value == "yes" else queryset.exclude(pk__in=extended.values("pk"))

    def filter_light(self, queryset, name, value):
        """Assignments of one light on the filter set's day (the queryset may be lit
        already: ``filtered_assignments``)."""
        if "light" not in queryset.query.annotations:
            queryset = queryset.with_light(self.day)
        return queryset.filter(light=value)


def unfiltered_values(data) -> dict[str, str | None] | None:
    """The value of each of ``AssignmentFilter``'s fields in ``data`` (a QueryDict; the
    last of repeated ones, as its form reads them; None when absent), when none of them
    narrows the list: each absent or empty (the title: blank once stripped, as its
    field cleans it). None when any is given: the filter set then validates them."""
    values = {}
    for name in AssignmentFilter.base_filters:
        value = data.get(name)
        if value and (name != "q" or value.strip()):
            return None
        values[name] = value
    return values
