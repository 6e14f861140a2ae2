"""The form renderer (``FORM_RENDERER``): Django's, with its plainest widgets written in Python.

Rendering a widget through Django's templates costs an ``{% include %}`` per
attribute list and per ``<option>``: a filter form of eight fields took a fifth
of a list page (issue 11). Text-like ``<input>`` widgets and ``<select>``
without option groups are written here with the same markup, character for
character (tests/portal/test_forms_renderer.py compares both); every other
template — other widgets, labels, errors, whole forms, the admin's widgets —
goes to Django's templates as before.
"""

from __future__ import annotations

import html

from django.forms.renderers import DjangoTemplates
from django.forms.widgets import Select
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

_WIDGETS = "django/forms/widgets/"
# Templates that are exactly {% include "django/forms/widgets/input.html" %}.
INPUT_TEMPLATES = frozenset(
    _WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "search.html",
        "tel.html",
        "color.html",
    )
)
SELECT_TEMPLATE = _WIDGETS + "select.html"
LABEL_TEMPLATE = "django/forms/label.html"
OPTION_TEMPLATE = _WIDGETS + "select_option.html"


def _text(value) -> str:
    """``{{ value }}``: what the template engine prints (localised, escaped)."""
    if isinstance(value, (str, Promise)):  # a label: nothing to localise
        return conditional_escape(value)
    value = localize(template_localtime(value))
    if not isinstance(value, str):
        value = str(value)
    return conditional_escape(value)


def _as_string(value) -> str:
    """``{{ value|stringformat:'s' }}``."""
    text = "%s" % (str(value) if isinstance(value, tuple) else value)
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {_text(name)}" + ("" if value is True else f'="{_as_string(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_as_string(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict) -> str | None:
    options = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            return None  # option groups: Django's template
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            options.append(
                f'\n  <option value="{_as_string(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_text(option['label'])}</option>\n"
            )
    return f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>{"".join(options)}\n</select>'


def _label(context: dict) -> str:
    """django/forms/label.html"""
    if not context["use_tag"]:
        return _text(context["label"])
    tag = _text(context["tag"])
    return f"<{tag}{_attrs(context['attrs'] or {})}>{_text(context['label'])}</{tag}>"


class FormRenderer(DjangoTemplates):
    """Django's template renderer; the widgets above are written directly."""

    def render(self, template_name, context, request=None):
        if template_name in INPUT_TEMPLATES:
            return _input(context["widget"])
        if template_name == LABEL_TEMPLATE:
            return _label(context)
        if template_name == SELECT_TEMPLATE:
            html = _select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)


def select_options(choices) -> list[tuple[str, str, str]] | None:
    """``(value, value as written, label as written)`` of each of ``choices`` for
    ``field_widget_html``; None when they are grouped. Labels are translated and
    escaped here: a caller may keep the list for choices that never change."""
    options = []
    for option_value, label in choices:
        if isinstance(label, (list, tuple)):
            return None  # option groups
        if option_value is None:
            option_value = ""
        # Plain strings and ints (a list's choices read from the database) as
        # ``_as_string`` and ``_text`` write them, without their checks.
        kind = type(option_value)
        if kind is str:
            written = html.escape(option_value)
        elif kind is int:
            written = str(option_value)
        else:
            written = _as_string(option_value)
        text = html.escape(label) if type(label) is str else _text(label)
        options.append((str(option_value), written, text))
    return options


def field_widget_html(field, options: list | None = None) -> str:
    """``str(field)`` (a ``BoundField``) for a plain one-choice ``<select>``, written from
    the field's choices without the option dictionaries Django's ``optgroups`` builds for
    the template (a filter form's selects were a tenth of a list page, issue 11);
    ``options``: the choices as ``select_options`` gives them, kept by the caller. Every
    other widget, or a form rendered by another renderer: ``str(field)``."""
    widget = field.field.widget
    if (
        type(widget) is not Select
        or field.field.show_hidden_initial
        or not isinstance(field.form.renderer, FormRenderer)
    ):
        return str(field)
    if options is None:
        options = select_options(widget.choices)
        if options is None:
            return str(field)
    attrs = field.build_widget_attrs({}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    value = widget.format_value(field.value())
    html = []
    selected = False
    for option_value, written, label in options:
        here = not selected and option_value in value
        selected |= here
        html.append(
            f'\n  <option value="{written}"{" selected" if here else ""}>{label}</option>\n'
        )
    return mark_safe(  # noqa: S308 - written from escaped parts, as _select does
        f'<select name="{_text(field.html_name)}"{_attrs(widget.build_attrs(widget.attrs, attrs))}>'
        f"{''.join(html)}\n</select>"
    )
