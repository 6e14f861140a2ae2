"""The search box: the text, validated into a ``Query``, and the order of results."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .engine import NEWEST, RELEVANCE
from .text import QueryError, parse_query


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("搜索内容"),
        required=False,
        strip=False,
        widget=forms.SearchInput(
            attrs={"placeholder": _("例如：工匠、技能人才、三突出三提升"), "autocomplete": "off"}
        ),
        help_text=_("至少两个字；多个关键词用空格分隔，须同时出现。"),
    )
    order = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(NEWEST, _("最新优先")), (RELEVANCE, _("相关度优先"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # NUL and other control characters are dropped by parse_query; Django's
        # own validator would only say "null characters are not allowed".
        self.fields["q"].validators = []

    def clean_q(self):
        try:
            return parse_query(self.cleaned_data.get("q"))
        except QueryError as error:
            raise ValidationError(error.message, code=error.code) from None

    def clean_order(self):
        return self.cleaned_data.get("order") or NEWEST
