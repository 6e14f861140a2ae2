"""The search box: the text, validated into a ``Query``, and the order of results."""

from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .engine import NEWEST, RELEVANCE
from .text import QueryError, parse_query


class _Shared:
    """A field that every ``SearchForm`` shares rather than deep-copies: nothing changes
    one per form (no form sets attributes on its fields, and rendering copies the
    widget's attributes). Copying both fields and their widgets cost a tenth of
    the results page's own Python (issue 11)."""

    def __deepcopy__(self, memo):
        return self


class _QueryField(_Shared, forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # NUL and other control characters are dropped by parse_query; Django's
        # own validator would only say "null characters are not allowed".
        self.validators = []


class _OrderField(_Shared, forms.ChoiceField):
    pass


class SearchForm(forms.Form):
    q = _QueryField(
        label=_("搜索内容"),
        required=False,
        strip=False,
        widget=forms.SearchInput(
            attrs={"placeholder": _("例如：工匠、技能人才、三突出三提升"), "autocomplete": "off"}
        ),
        help_text=_("至少两个字；多个关键词用空格分隔，须同时出现。"),
    )
    order = _OrderField(
        label=_("排序"),
        required=False,
        choices=[(NEWEST, _("最新优先")), (RELEVANCE, _("相关度优先"))],
    )

    def clean_q(self):
        try:
            return parse_query(self.cleaned_data.get("q"))
        except QueryError as error:
            raise ValidationError(error.message, code=error.code) from None

    def clean_order(self):
        return self.cleaned_data.get("order") or NEWEST


class ValidSearch:
    """What the results page asks of a bound ``SearchForm`` whose data is valid
    (``is_bound``, ``errors``, ``data``, ``cleaned_data``), without Django's form:
    building and cleaning one cost a twentieth of a results page's own Python (issue
    11). Only for a page whose fields show no error (``valid_search``), so no template
    ever renders it."""

    is_bound = True
    errors: dict = {}

    def __init__(self, data, query, order: str):
        self.data = data
        self.cleaned_data = {"q": query, "order": order}

    def is_valid(self) -> bool:
        return True


def valid_search(data) -> ValidSearch | None:
    """``SearchForm(data)``'s answers when it is valid (``ValidSearch``), else None (the
    caller then builds the form, whose errors the page shows). As the form's fields read
    ``data``: the last value of each name; ``q`` through ``parse_query`` (an empty or
    absent one is an error), ``order`` empty, absent or one of the choices."""
    if data is None:
        return None
    text, order = data.get("q"), data.get("order")
    if not text or order not in (None, "", NEWEST, RELEVANCE):
        return None
    try:
        query = parse_query(str(text))
    except QueryError:
        return None
    return ValidSearch(data, query, order or NEWEST)


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


# Parts of the form that are a pure function of what their key names (the language,
# the filters' choices, the order chosen): written once per process and key.
_kept: dict[tuple, object] = {}
KEPT = 256  # keys: languages × audiences' series × years; cleared whole beyond


def _kept_html(key: tuple, build):
    html = _kept.get(key)
    if html is None:
        if len(_kept) >= KEPT:
            _kept.clear()
        html = _kept[key] = build()
    return html


def _main_parts() -> tuple[str, str]:
    """The text field's markup before and after its ``value`` attribute, and the rest
    up to the filters, in the active language."""
    q = SearchForm.base_fields["q"]
    placeholder = escape(str(q.widget.attrs["placeholder"]))
    return (
        '<div class="search-form__main">\n'
        f'      <label for="id_q" class="visually-hidden">{escape(str(q.label))}</label>\n'
        '      <input type="search" name="q"',
        f' placeholder="{placeholder}"'
        ' autocomplete="off" aria-describedby="id_q_helptext" id="id_q">\n'
        f'      <button type="submit" class="button">{escape(str(_("搜索")))}</button>\n'
        "    </div>\n"
        f'    <p class="help">{escape(str(q.help_text))}</p>\n'
        '    <div class="filters search-form__filters">\n      ',
    )


def _selects(filterset, data) -> str:
    return "".join(
        f"\n        {_select(name, label, choices, data.get(name))}\n      "
        for name, label, choices in filterset.selects()
    )


def fields_html(form: SearchForm | ValidSearch, filterset) -> SafeString | None:
    """The search form's fields as ``search/form.html`` writes them (``filterset`` a
    filters.SearchFilter or filters.Unfiltered), or None when a field has an error
    (the template then shows it, with its ARIA marks).

    Django's widgets cost a template context and a renderer call per field and
    per option: a sixth of a results page (issue 11). Only a select's ``selected``
    and the text's ``value`` depend on the request. What does not is written once
    per language (and, for the filters, per ``filterset.selects_key()``, which
    names everything their markup depends on) and kept.
    """
    if form.is_bound and (form.errors or filterset.has_errors()):
        return None
    data = form.data if form.is_bound else {}
    language = get_language()
    before, after = _kept_html(("main", language), _main_parts)
    text = data.get("q")
    value = f' value="{escape(text)}"' if text else ""
    key = filterset.selects_key()
    if key is None:
        selects = _selects(filterset, data)
    else:  # no filter chosen: each select's empty choice is the selected one
        selects = _kept_html(("filters", language, key), lambda: _selects(filterset, {}))
    chosen = data.get("order")
    field = SearchForm.base_fields["order"]
    if chosen in (None, "", NEWEST, RELEVANCE):
        order = _kept_html(
            ("order", language, chosen),
            lambda: _select("order", field.label, field.choices, chosen),
        )
    else:
        order = _select("order", field.label, field.choices, chosen)
    return mark_safe(f"{before}{value}{after}{selects}\n      {order}\n    </div>\n")  # noqa: S308
