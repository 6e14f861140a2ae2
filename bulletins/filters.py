"""Filters of the reading area: series, year, date range and keyword, within what the user may see."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.forms import ModelChoiceField
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import acting_unit_id

from .models import Article, Issue, Series
from .receipts import issues_awaiting

KEYWORD_MAX_LENGTH = 50
KEYWORD_MAX_WORDS = 5


def series_choices(issues) -> list[tuple[int, str]]:
    """(pk, name) of the series that have issues in ``issues``, in the series' order:
    one index probe per series (there are a handful), not a scan of the issues."""
    return list(
        Series.objects.filter(Exists(issues.filter(series=OuterRef("pk")))).values_list(
            "pk", "name"
        )
    )


class CheckboxFilter(django_filters.Filter):
    """A tick box: ticked (``=on``) filters, unticked or absent does not."""

    field_class = forms.BooleanField


class IssueFilter(django_filters.FilterSet):
    """Narrows the queryset it is given (``Issue.objects.visible_to(user)``); never widens it.

    The series and year choices come from that queryset too, so an anonymous
    visitor is not told the name of a series that has only internal issues.
    """

    # Choices as (pk, name) pairs read in one query: a model choice field would read
    # them through a server-side cursor (three round trips) on every render.
    series = django_filters.ChoiceFilter(
        label=_("简报系列"),
        choices=(),
        empty_label=_("全部系列"),
        error_messages={
            "invalid_choice": ModelChoiceField.default_error_messages["invalid_choice"]
        },
    )
    year = django_filters.ChoiceFilter(label=_("年度"), choices=(), empty_label=_("全部年度"))
    date_from = django_filters.DateFilter(
        field_name="issue_date",
        lookup_expr="gte",
        label=_("起始日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="issue_date",
        lookup_expr="lte",
        label=_("截止日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q = django_filters.CharFilter(
        label=_("关键词"),
        method="filter_keyword",
        max_length=KEYWORD_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("标题或摘要中的词")}),
    )

    awaiting = CheckboxFilter(label=_("只看本单位未签收"), method="filter_awaiting")

    class Meta:
        model = Issue
        fields = ["series", "year", "date_from", "date_to", "q", "awaiting"]

    def __init__(
        self, data=None, queryset=None, *, request=None, prefix=None, years=None, series=None
    ):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # ``series``: the choices when the caller has them (the stored counts' series).
        if series is None:
            series = series_choices(self.queryset)
        self.filters["series"].extra["choices"] = series
        if years is None:
            years = self.queryset.order_by("-year").values_list("year", flat=True).distinct()
        self.filters["year"].extra["choices"] = [(y, str(y)) for y in years]
        # 签收 is a unit's: the box is offered to unit users only.
        user = getattr(request, "user", None)
        self.unit_id = acting_unit_id(user) if user is not None else None
        if not self.unit_id:
            del self.filters["awaiting"]

    def filter_awaiting(self, queryset, name, value):
        """The published issues this unit is expected to sign and has not (``issues_awaiting``)."""
        return issues_awaiting(queryset.published(), self.unit_id) if value else queryset

    def filter_keyword(self, queryset, name, value):
        for word in value.split()[:KEYWORD_MAX_WORDS]:
            in_article_title = Article.objects.filter(issue=OuterRef("pk"), title__icontains=word)
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(summary__icontains=word)
                | Q(series__name__icontains=word)
                | Exists(in_article_title)
            )
        return queryset
