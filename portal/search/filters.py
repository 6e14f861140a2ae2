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
from .visibility import kept_sql

FIRST_YEAR = 2015
TYPE_LABEL, ALL_TYPES = _("类型"), _("全部类型")
YEAR_LABEL, ALL_YEARS = _("年度"), _("全部年度")


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
        field_name="kind", label=TYPE_LABEL, choices=[], empty_label=ALL_TYPES
    )
    year = django_filters.ChoiceFilter(
        field_name="year", label=YEAR_LABEL, choices=[], empty_label=ALL_YEARS
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
        self.filters["year"].extra["choices"] = year_choices()

    # What the results page asks of its filters (views.py), answered by Unfiltered too.

    @property
    def type_choices(self) -> list[tuple[str, str]]:
        return self.filters["type"].extra["choices"]

    @property
    def chosen(self) -> dict:
        """The validated filter values (call ``is_valid`` first)."""
        return self.form.cleaned_data

    def label(self, param: str):
        return self.filters[param].label

    def has_errors(self) -> bool:
        return bool(self.form.errors)

    def selects(self) -> list[tuple[str, object, list]]:
        """Each filter's ``(name, label, choices)``, its empty choice first, in form order."""
        return [(name, field.label, field.choices) for name, field in self.form.fields.items()]

    def selects_key(self) -> None:
        """Not kept (forms.fields_html): a chosen filter is marked in its select."""
        return None


def year_choices(this_year: int | None = None) -> list[tuple[str, str]]:
    if this_year is None:
        this_year = timezone.localdate().year
    return [(str(y), str(y)) for y in range(this_year + 1, FIRST_YEAR - 1, -1)]


def params() -> list[str]:
    """The query-string names of the filters, in form order: type, each facet's, year."""
    return ["type", *registry.facets(), "year"]


class Unfiltered:
    """``SearchFilter`` of a request that chooses no filter (every filter parameter absent
    or empty), without django-filter: building a FilterSet, its form class and fields per
    request cost about a sixth of a results page (issue 11). The same choices, labels
    and facet names, nothing to validate, the queryset left as it is."""

    chosen: dict = {}

    def __init__(self, user):
        self._user = user
        self.type_choices = kinds_for(user)
        self._names: dict[str, dict[int, str]] = {}
        self._labels = {"type": TYPE_LABEL, "year": YEAR_LABEL}
        self._facets = registry.facets()
        for param, (facet, _kinds) in self._facets.items():
            self._labels[param] = facet.label
        self._year = timezone.localdate().year

    @property
    def group_names(self) -> dict[str, dict[int, str]]:
        """Each facet's ``{id: name}`` the user may filter by (``Facet.choices``), read
        when first asked unless the results page supplied them (``supply``)."""
        for param, (facet, _kinds) in self._facets.items():
            if param not in self._names:
                self._names[param] = dict(facet.choices(self._user))
        return {param: self._names[param] for param in self._facets}

    def queries(self) -> list[tuple[str, object, tuple[str, str, list] | None]]:
        """``[(param, facet, key, kept)]`` of the facets that declare ``Facet.query`` and
        are not read yet: ``key`` what the query depends on besides the data, ``kept``
        as ``visibility.kept_sql`` gives it (None: no choices), for a statement that
        reads them along with its own rows (views._hits)."""
        out = []
        for param, (facet, _kinds) in self._facets.items():
            if facet.query is not None and param not in self._names:
                key, build = facet.query(self._user)
                out.append((param, facet, key, kept_sql(key, build)))
        return out

    def supply(self, param: str, rows) -> None:
        """The choices of facet ``param`` as ``Facet.choices`` gives them, read elsewhere."""
        self._names[param] = dict(rows)

    def selects_key(self) -> tuple:
        """All that ``selects()`` depends on, none of them chosen (forms.fields_html keeps
        their markup per language and key): the registry's version (its kinds' labels
        and facets), the kinds offered, each facet's ``(id, name)`` pairs, the year."""
        return (
            registry.version(),
            tuple(name for name, _label in self.type_choices),
            tuple((param, tuple(names.items())) for param, names in self.group_names.items()),
            self._year,
        )

    @staticmethod
    def applies(data) -> bool:
        """Whether ``data`` (request.GET) chooses no filter."""
        return not any(data.get(name) for name in params())

    def is_valid(self) -> bool:
        return True

    def has_errors(self) -> bool:
        return False

    def label(self, param: str):
        return self._labels[param]

    def selects(self) -> list[tuple[str, object, list]]:
        selects = [("type", TYPE_LABEL, [("", ALL_TYPES), *self.type_choices])]
        for param, (facet, _kinds) in self._facets.items():
            names = self.group_names[param]
            choices = [("", facet.empty_label), *((str(pk), name) for pk, name in names.items())]
            selects.append((param, facet.label, choices))
        selects.append(("year", YEAR_LABEL, [("", ALL_YEARS), *year_choices(self._year)]))
        return selects

    def filter_queryset(self, queryset):
        return queryset
