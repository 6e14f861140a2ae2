"""Filters of the results page (django-filter); they only narrow the visible_to queryset.

The type filter lists the registered kinds a user is offered; each facet a kind
declares (registry.Facet, e.g. an issue's series) adds a filter of its own.
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from . import registry
from .models import SearchDocument

FIRST_YEAR = 2015


def kinds_for(user) -> list[tuple[str, str]]:
    """The document types offered to ``user`` (tasks and reports only for units and the office)."""
    return [(kind.name, kind.label) for kind in registry.kinds() if kind.offered_to(user)]


class GroupFilter(django_filters.ChoiceFilter):
    """A kind's own facet: documents of the kinds that carry it, in the chosen group."""

    def __init__(self, *args, kinds=(), **kwargs):
        self.kinds = list(kinds)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(kind__in=self.kinds, group=int(value))


class SearchFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="kind", label=_("类型"), choices=[], empty_label=_("全部类型")
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
        self.filters["type"].extra["choices"] = kinds_for(user)
        # The kinds' facets go between the type and the year, in registry order.
        year = self.filters.pop("year")
        self.group_names: dict[str, dict[int, str]] = {}
        for param, (facet, kinds) in registry.facets().items():
            names = dict(facet.choices(user))
            self.group_names[param] = names
            self.filters[param] = GroupFilter(
                field_name="group",
                label=facet.label,
                empty_label=facet.empty_label,
                choices=[(str(pk), name) for pk, name in names.items()],
                kinds=kinds,
            )
            self.filters[param].parent = self
            self.filters[param].model = SearchDocument
        self.filters["year"] = year
        this_year = timezone.localdate().year
        self.filters["year"].extra["choices"] = [
            (str(y), str(y)) for y in range(this_year + 1, FIRST_YEAR - 1, -1)
        ]
