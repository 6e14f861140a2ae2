"""Template filters and tags of the task pages."""

from django import template
from django.forms.widgets import Select
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

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


# The task pages' navigation (tasks/base.html): (url name, label) of the office's
# links, then everyone's.
_OFFICE_LINKS = (
    ("overview", _lazy("总览")),
    ("review_queue", _lazy("审核")),
    ("remind", _lazy("催办")),
    ("plan_list", _lazy("任务清单")),
)
_SHARED_LINKS = (
    ("extension_list", _lazy("延期申请")),
    ("problem_list", _lazy("问题收集")),
    ("calendar", _lazy("日历订阅")),
)
_NAV: dict = {}


def _nav_parts() -> dict:
    """The navigation's escaped URLs and labels for the script prefix and language,
    worked out once: they never change while the process runs."""
    key = (get_script_prefix(), get_language())
    parts = _NAV.get(key)
    if parts is None:
        names = ("assignment_list",) + tuple(n for n, _ in _OFFICE_LINKS + _SHARED_LINKS)
        parts = _NAV[key] = {
            "label": escape(_("任务导航")),
            "all": escape(_("全部分工")),
            "mine": escape(_("我的任务")),
            "urls": {name: escape(reverse(f"tasks:{name}")) for name in names},
            "labels": {name: escape(str(label)) for name, label in _OFFICE_LINKS + _SHARED_LINKS},
            "written": {},  # (office, current page's route name) -> the navigation
        }
    return parts


@register.simple_tag(takes_context=True)
def tasks_nav(context) -> str:
    """The task pages' navigation, the current page marked: what tasks/base.html
    printed with a {% url %} and an {% if %} per link, from parts kept per language."""
    parts = _nav_parts()
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else None
    user = context.get("user")
    office = bool(getattr(user, "is_office", False))
    # Written once per page (the route's name) and role: it depends on nothing else.
    written = parts["written"].get((office, current))
    if written is None:
        written = parts["written"][office, current] = _nav_html(parts, current, office)
    return written


def _nav_html(parts: dict, current: str | None, office: bool) -> str:
    """The navigation with the route ``current`` marked, the office's links or not."""
    urls = parts["urls"]

    def item(name, label):
        mark = 'aria-current="page"' if name == current else ""
        return f'  <li><a href="{urls[name]}" {mark}>{label}</a></li>\n'

    html = [
        f'\n<ul class="tasks-nav" aria-label="{parts["label"]}">\n',
        item("assignment_list", parts["all"] if office else parts["mine"]),
        "  ",
    ]
    if office:
        html.append("\n")
        html.extend(item(name, parts["labels"][name]) for name, _ in _OFFICE_LINKS)
        html.append("  ")
    html.append("\n")
    html.extend(item(name, parts["labels"][name]) for name, _ in _SHARED_LINKS)
    html.append("</ul>\n")
    return mark_safe("".join(html))  # noqa: S308 - escaped URLs and labels
