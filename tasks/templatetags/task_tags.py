"""Template filters and tags of the task pages."""

from django import template
from django.forms.widgets import Select
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from portal.forms_renderer import field_widget_html, select_options

from ..html import lamp_html

register = template.Library()


@register.filter
def lamp(light) -> str:
    """The traffic light's lamp and its word (逾期, 预警, 正常, 已办结), as lists print it
    once per row: a filter, not an ``{% include %}`` per row (issue 11). ``light`` is
    a ``Light`` or its value."""
    return lamp_html(light)


# (language, filter set class, field name, id) -> (label tag, options) of the fields a
# filter set names in ``fixed_fields``: their labels and choices are the class's own.
_FIXED: dict = {}


@register.simple_tag
def filter_fields(filterset, show_unit) -> str:
    """A filter set's form fields, each ``<p>label widget</p>``, the unit's only when
    ``show_unit``: the loop tasks/includes/filters.html ran per field, in Python. The
    label and the translated, escaped choices of the fields the filter set names in
    ``fixed_fields`` are worked out once per language and kept."""
    fixed = getattr(filterset, "fixed_fields", ())
    language = get_language()
    html = []
    for field in filterset.form:
        if field.name == "unit" and not show_unit:
            continue
        if field.name in fixed:
            key = (language, type(filterset), field.name, field.auto_id)
            kept = _FIXED.get(key)
            if kept is None:
                widget = field.field.widget
                options = select_options(widget.choices) if type(widget) is Select else None
                kept = _FIXED[key] = (field.label_tag(), options)
            label, options = kept
        else:
            label, options = field.label_tag(), None
        html.append(f"\n  <p>{label} {field_widget_html(field, options)}</p>\n  ")
    return mark_safe("".join(html))  # noqa: S308 - label and widget come escaped
