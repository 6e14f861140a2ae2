"""The search box: the text, validated into a ``Query``, and the order of results."""

from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
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


def _select(name: str, label, choices, value) -> str:
    """A ``<p>`` of the filters: the label and a ``<select>`` as Django writes them."""
    chosen = "" if value is None else str(value)
    options = "".join(
        f'\n  <option value="{escape(str(key))}"{" selected" if str(key) == chosen else ""}>'
        f"{escape(str(text))}</option>\n"
        for key, text in choices
    )
    return (
        f'<p><label for="id_{name}">{escape(str(label))}</label>'
        f'<select name="{name}" id="id_{name}">{options}\n</select></p>'
    )


def fields_html(form: SearchForm, filterset) -> SafeString | None:
    """The search form's fields as ``search/form.html`` writes them (``filterset`` a
    filters.SearchFilter or filters.Unfiltered), or None when a field has an error
    (the template then shows it, with its ARIA marks).

    Django's widgets cost a template context and a renderer call per field and
    per option: a sixth of a results page (issue 11). Only a select's ``selected``
    and the text's ``value`` depend on the request.
    """
    if form.is_bound and (form.errors or filterset.has_errors()):
        return None
    data = form.data if form.is_bound else {}
    q = form.fields["q"]
    text = data.get("q")
    value = f' value="{escape(text)}"' if text else ""
    placeholder = escape(str(q.widget.attrs["placeholder"]))
    selects = "".join(
        f"\n        {_select(name, label, choices, data.get(name))}\n      "
        for name, label, choices in filterset.selects()
    )
    field = form.fields["order"]
    order = _select("order", field.label, field.choices, data.get("order"))
    return mark_safe(
        '<div class="search-form__main">\n'
        f'      <label for="id_q" class="visually-hidden">{escape(str(q.label))}</label>\n'
        f'      <input type="search" name="q"{value} placeholder="{placeholder}"'
        ' autocomplete="off" aria-describedby="id_q_helptext" id="id_q">\n'
        f'      <button type="submit" class="button">{escape(str(_("搜索")))}</button>\n'
        "    </div>\n"
        f'    <p class="help">{escape(str(q.help_text))}</p>\n'
        f'    <div class="filters search-form__filters">\n      {selects}\n'
        f"      {order}\n"
        "    </div>\n"
    )
