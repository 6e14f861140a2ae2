"""HTML of the task lists written in Python: the traffic light's lamp and the rows of a
unit's assignment list, character for character what their templates printed.

A template prints a 40-row table through some 800 variable lookups, a ``{% url %}``, a
``get_…_display`` and a ``date`` filter per row (issue 11); here each row is one
f-string over ``escape()``d values, and the words (lamp labels, roles, states, column
names) are translated once per language and process: they never change while it runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from html import escape as html_escape

from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .models import Assignment, Light, light_for

_LAMPS: dict[str | None, dict[str, SafeString]] = {}
_WORDS: dict[str | None, dict[str, str]] = {}


def lamp_html(light: str) -> SafeString:
    """The lamp and its word (逾期, 预警, 正常, 已办结) of ``light`` (a ``Light`` or its
    value), as every task page prints it; built once per language."""
    language = get_language()
    lamps = _LAMPS.get(language)
    if lamps is None:
        lamps = _LAMPS[language] = {
            light.value: format_html(
                '<span class="light-label"><span class="light light--{}" aria-hidden="true">'
                "</span> {}</span>",
                light.value,
                light.short_label,
            )
            for light in Light
        }
    return lamps[light]


def _words() -> dict[str, str]:
    """The escaped words of the assignment rows in the active language: column names
    (the ``data-label`` of a stacked row), roles, states."""
    language = get_language()
    words = _WORDS.get(language)
    if words is None:
        words = {
            "number": _("编号"),
            "unit": _("单位"),
            "role": _("分工"),
            "status": _("状态"),
            "due": _("完成时限"),
            "progress": _("进度"),
            "extended": _("已延期"),
            "empty": _("没有符合条件的任务。"),
        }
        words.update({f"role:{value}": label for value, label in Assignment.Role.choices})
        words.update({f"status:{value}": label for value, label in Assignment.Status.choices})
        words = _WORDS[language] = {key: escape(str(word)) for key, word in words.items()}
    return words


# The columns ``assignment_rows`` reads (``Assignment`` values, annotated with ``light``
# and ``due_on`` as ``filtered_assignments`` does).
ASSIGNMENT_ROW_FIELDS = (
    "pk",
    "light",
    "task__number",
    "task__title",
    "task__plan__title",
    "task__category",
    "unit__name",
    "unit__short_name",
    "role",
    "status",
    "due_on",
    "extended_due_date",
    "progress",
)


# The same without ``light``, with what ``light_for`` works it out from
# (``filtered_assignments(lit=False)``).
UNLIT_ROW_FIELDS = (
    *(field for field in ASSIGNMENT_ROW_FIELDS if field != "light"),
    "reported",
    "task__start_date",
)


def _date(day: datetime.date) -> str:
    """``{{ day|date:"Y-m-d" }}``."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def assignment_rows(
    rows: Iterable[Mapping], *, office: bool, day: datetime.date | None = None
) -> SafeString:
    """The ``<tr>`` rows of the assignment list (/tasks/) for ``rows``, dictionaries of
    ``ASSIGNMENT_ROW_FIELDS``, or of ``UNLIT_ROW_FIELDS`` lit here for ``day``; with a
    unit column for the office. No rows: the one row that says so."""
    words = _words()
    detail = reverse("tasks:assignment_detail", args=[0])[: -len("0/")]
    extended = f' <span class="badge">{words["extended"]}</span>'
    number_td = f'<td data-label="{words["number"]}">'
    unit_td = f'<td data-label="{words["unit"]}">'
    role_td = f'<td data-label="{words["role"]}">'
    status_td = f'<td data-label="{words["status"]}">'
    due_td = f'<td data-label="{words["due"]}" class="nowrap">'
    progress_td = f'<td data-label="{words["progress"]}">'
    lamps = {light: lamp_html(light) for light in Light}
    # The columns are plain strings from the database: the standard library's escape,
    # which django.utils.html.escape applies after its lazy-string checks.
    esc = html_escape
    html = []
    for a in rows:
        category = a["task__category"]
        meta = esc(a["task__plan__title"]) + (f" · {esc(category)}" if category else "")
        unit = f"{unit_td}{esc(a['unit__short_name'] or a['unit__name'])}</td>" if office else ""
        badge = extended if a["extended_due_date"] is not None else ""
        light = a.get("light") or light_for(
            day,
            closed=a["status"] == Assignment.Status.CLOSED,
            due=a["due_on"],
            start=a["task__start_date"],
            reported=a["reported"],
        )
        html.append(
            "\n    <tr>"
            f"\n      <td>{lamps[light]}</td>"
            f"\n      {number_td}{esc(a['task__number'])}</td>"
            f'\n      <td><a href="{detail}{a["pk"]}/">{esc(a["task__title"])}</a>'
            f'<br><span class="meta">{meta}</span></td>'
            f"\n      {unit}"
            f"\n      {role_td}{words.get('role:' + a['role']) or esc(a['role'])}</td>"
            f"\n      {status_td}{words.get('status:' + a['status']) or esc(a['status'])}</td>"
            f"\n      {due_td}{_date(a['due_on'])}{badge}</td>"
            f"\n      {progress_td}{a['progress']}%</td>"
            "\n    </tr>\n  "
        )
    if not html:
        html.append(f'\n    <tr><td colspan="8">{words["empty"]}</td></tr>\n  ')
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
