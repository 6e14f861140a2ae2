"""Template filters and tags of the task pages."""

from django import template
from django.utils.safestring import mark_safe

from portal.forms_renderer import field_widget_html

from ..html import lamp_html

register = template.Library()


@register.filter
def lamp(light) -> str:
    """The traffic light's lamp and its word (逾期, 预警, 正常, 已办结), as lists print it
    once per row: a filter, not an ``{% include %}`` per row (issue 11). ``light`` is
    a ``Light`` or its value."""
    return lamp_html(light)


@register.simple_tag
def filter_fields(form, show_unit) -> str:
    """A filter form's fields, each ``<p>label widget</p>``, the unit's only when
    ``show_unit``: the loop tasks/includes/filters.html ran per field, in Python."""
    return mark_safe(  # noqa: S308 - label and widget come escaped from the form
        "".join(
            f"\n  <p>{field.label_tag()} {field_widget_html(field)}</p>\n  "
            for field in form
            if field.name != "unit" or show_unit
        )
    )
