"""Template filters of the task pages."""

from django import template
from django.utils.html import format_html

from ..models import Light

register = template.Library()


@register.filter
def lamp(light) -> str:
    """The traffic light's lamp and its word (逾期, 预警, 正常, 已办结), as lists print it
    once per row: a filter, not an ``{% include %}`` per row (issue 11). ``light`` is
    a ``Light`` or its value."""
    light = Light(light)
    return format_html(
        '<span class="light-label"><span class="light light--{}" aria-hidden="true"></span> {}</span>',
        light.value,
        light.short_label,
    )
