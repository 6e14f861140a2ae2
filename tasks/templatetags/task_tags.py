"""Template filters of the task pages."""

from django import template

from ..html import lamp_html

register = template.Library()


@register.filter
def lamp(light) -> str:
    """The traffic light's lamp and its word (逾期, 预警, 正常, 已办结), as lists print it
    once per row: a filter, not an ``{% include %}`` per row (issue 11). ``light`` is
    a ``Light`` or its value."""
    return lamp_html(light)
