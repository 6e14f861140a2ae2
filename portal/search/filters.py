"""Filters of the results page (django-filter); they only narrow the visible_to queryset."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SearchDocument

FIRST_YEAR = 2015
Kind = SearchDocument.Kind


def visible_series(user):
    """Series with at least one issue the user may see (a hidden series' name is not offered)."""
    from bulletins.models import Issue, Series

    return Series.objects.filter(
        Exists(Issue.objects.visible_to(user).filter(series=OuterRef("pk")))
    ).values_list("pk", "name")


def kinds_for(user):
    """The document types a user can meet: tasks and reports only for units and the office."""
    if user is not None and user.is_authenticated and (user.is_office or user.unit_id):
        return Kind.choices
    return [(Kind.ISSUE, Kind.ISSUE.label), (Kind.MEETING, Kind.MEETING.label)]


class SearchFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="kind", label=_("类型"), choices=Kind.choices, empty_label=_("全部类型")
    )
    series = django_filters.ChoiceFilter(
        field_name="series_id", label=_("简报系列"), choices=[], empty_label=_("全部系列")
    )
    year = django_filters.ChoiceFilter(
        field_name="year", label=_("年度"), choices=[], empty_label=_("全部年度")
    )

    class Meta:
        model = SearchDocument
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        user = getattr(request, "user", None)
        self.series_names = dict(visible_series(user))
        self.filters["series"].extra["choices"] = [
            (str(pk), name) for pk, name in self.series_names.items()
        ]
        self.filters["type"].extra["choices"] = kinds_for(user)
        this_year = timezone.localdate().year
        self.filters["year"].extra["choices"] = [
            (str(y), str(y)) for y in range(this_year + 1, FIRST_YEAR - 1, -1)
        ]
