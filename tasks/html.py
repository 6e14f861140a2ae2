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

from django import forms
from django.forms.widgets import Select
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal.chrome import url_parts
from portal.csrf import get_token
from portal.forms_renderer import select_options
from portal.pagination import pagination_html

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


_ROW_PARTS: dict[tuple, dict] = {}


def _row_parts() -> dict:
    """What every assignment row shares, in the active language and for the script
    prefix: the cells' opening tags, the lamps by light value, the roles' and states'
    words, the 已延期 badge and the assignment page's URL around the id; kept."""
    detail = url_parts("tasks:assignment_detail")
    key = (get_language(), *detail)
    parts = _ROW_PARTS.get(key)
    if parts is None:
        # Plain strings (``_plain``): formatting a SafeString into the rows' f-string
        # calls its ``__str__``, five times a row.
        words = {key: _plain(word) for key, word in _words().items()}
        parts = _ROW_PARTS[key] = {
            "detail": tuple(_plain(escape(part)) for part in detail),
            "extended": f' <span class="badge">{words["extended"]}</span>',
            "number": f'<td data-label="{words["number"]}">',
            "unit": f'<td data-label="{words["unit"]}">',
            "role": f'<td data-label="{words["role"]}">',
            "status": f'<td data-label="{words["status"]}">',
            "due": f'<td data-label="{words["due"]}" class="nowrap">',
            "progress": f'<td data-label="{words["progress"]}">',
            "lamps": {str(light.value): _plain(lamp_html(light)) for light in Light},
            "roles": {value: words[f"role:{value}"] for value in Assignment.Role.values},
            "statuses": {value: words[f"status:{value}"] for value in Assignment.Status.values},
            "empty": f'\n    <tr><td colspan="8">{words["empty"]}</td></tr>\n  ',
        }
    return parts


def _plain(text: str) -> str:
    """``text`` (a SafeString, say) as a plain ``str`` of the same characters."""
    return str.__str__(text)


def assignment_rows(
    rows: Iterable[Mapping], *, office: bool, day: datetime.date | None = None
) -> SafeString:
    """The ``<tr>`` rows of the assignment list (/tasks/) for ``rows``, dictionaries of
    ``ASSIGNMENT_ROW_FIELDS``, or of ``UNLIT_ROW_FIELDS`` lit here for ``day``; with a
    unit column for the office. No rows: the one row that says so."""
    parts = _row_parts()
    before, after = parts["detail"]
    extended, lamps, roles, statuses = (
        parts["extended"],
        parts["lamps"],
        parts["roles"],
        parts["statuses"],
    )
    number_td, unit_td, role_td, status_td, due_td, progress_td = (
        parts["number"],
        parts["unit"],
        parts["role"],
        parts["status"],
        parts["due"],
        parts["progress"],
    )
    closed = Assignment.Status.CLOSED.value
    # The columns are plain strings from the database: the standard library's escape,
    # which django.utils.html.escape applies after its lazy-string checks. A plan's
    # title and category repeat from row to row: escaped once.
    esc = html_escape
    metas: dict[tuple, str] = {}
    html = []
    for a in rows:
        plan, category = a["task__plan__title"], a["task__category"]
        meta = metas.get((plan, category))
        if meta is None:
            meta = metas[plan, category] = esc(plan) + (f" · {esc(category)}" if category else "")
        unit = f"{unit_td}{esc(a['unit__short_name'] or a['unit__name'])}</td>" if office else ""
        status, role, due = a["status"], a["role"], a["due_on"]
        light = a.get("light") or light_for(
            day,
            closed=status == closed,
            due=due,
            start=a["task__start_date"],
            reported=a["reported"],
        )
        html.append(
            "\n    <tr>"
            f"\n      <td>{lamps[light]}</td>"
            f"\n      {number_td}{esc(a['task__number'])}</td>"
            f'\n      <td><a href="{before}{a["pk"]}{after}">{esc(a["task__title"])}</a>'
            f'<br><span class="meta">{meta}</span></td>'
            f"\n      {unit}"
            f"\n      {role_td}{roles.get(role) or esc(role)}</td>"
            f"\n      {status_td}{statuses.get(status) or esc(status)}</td>"
            f"\n      {due_td}{due.isoformat()}"
            f"{'' if a['extended_due_date'] is None else extended}</td>"
            f"\n      {progress_td}{a['progress']}%</td>"
            "\n    </tr>\n  "
        )
    if not html:
        html.append(parts["empty"])
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


# The filter form of /tasks/ (tasks/includes/filters.html with ``filter_fields``),
# written here when the form is valid or unbound: (language) -> its kept parts.
_FORMS: dict[str | None, dict] = {}

# The fields whose options are data (read per request), after the empty choice.
DATA_CHOICE_FIELDS = ("plan", "category", "unit")


def _form_parts() -> dict:
    """The filter form's parts in the active language, worked out once from the
    fields Django builds for ``AssignmentFilter``: per field its label tag and either
    its ``<select …>`` tag and options (``select_options``; for the plans, categories
    and units only the empty choice) or its text input's markup before and after the
    value; the whole ``<select>`` of each field whose choices are the class's own, per
    value (``written``); and the box's words."""
    language = get_language()
    parts = _FORMS.get(language)
    if parts is not None:
        return parts
    from .filters import AssignmentFilter, copy_filter

    form = forms.Form()
    form.fields = {
        name: copy_filter(filter_).field for name, filter_ in AssignmentFilter.base_filters.items()
    }
    fields = {}
    written = {}
    for name, field in form.fields.items():
        bound = form[name]
        html = str(bound)
        if isinstance(field.widget, Select):
            options = select_options(field.widget.choices)
            opening = html[: html.index(">") + 1]
            fields[name] = (bound.label_tag(), opening, options)
            if name not in DATA_CHOICE_FIELDS:
                # The whole select for each value it may show (none, or one of its own).
                written[name] = {
                    value: _select(opening, options, value)
                    for value in ("", *(value for value, _written, _label in options))
                }
        else:  # the title's text input: its value goes after the name
            cut = html.index(f'name="{name}"') + len(f'name="{name}"')
            fields[name] = (bound.label_tag(), (html[:cut], html[cut:]), None)
    parts = _FORMS[language] = {
        "fields": fields,
        "written": written,
        "summary": escape(_("筛选与排序")),
        "label": escape(_("筛选")),
        "submit": escape(_("筛选")),
        "clear": escape(_("清除")),
        "invalid": escape(_("筛选条件无效，未显示任何结果。")),
    }
    return parts


def _select(opening: str, options: Iterable[tuple[str, str, str]], value: str) -> str:
    """``<select>`` as Django writes it for ``value`` (the first option equal to it is
    selected); ``options`` as ``select_options`` gives them."""
    html = [opening]
    selected = False
    for option_value, written, label in options:
        here = not selected and option_value == value
        selected |= here
        html.append(
            f'\n  <option value="{written}"{" selected" if here else ""}>{label}</option>\n'
        )
    html.append("\n</select>")
    return "".join(html)


def filter_fields_html(
    values: Mapping[str, str | None],
    *,
    choices: Mapping[str, list[tuple]],
    show_unit: bool,
) -> str:
    """The filter form's fields, each ``<p>label widget</p>``, as ``filter_fields``
    prints a valid or unbound ``AssignmentFilter`` form: ``values`` the submitted value
    of each field (a query string's last; None or absent: not given), ``choices`` the
    ``[(value, label), …]`` of the plans, categories and units (the units only when
    ``show_unit``)."""
    parts = _form_parts()
    kept = parts["written"]
    html = []
    for name, (label, widget, options) in parts["fields"].items():
        if name == "unit" and not show_unit:
            continue
        value = values.get(name)
        if options is None:
            before, after = widget
            written = f'{before} value="{html_escape(value)}"{after}' if value else before + after
        elif name in kept and (value or "") in kept[name]:
            written = kept[name][value or ""]
        else:
            if name in DATA_CHOICE_FIELDS:
                options = options + select_options(choices[name])
            written = _select(widget, options, value or "")
        html.append(f"\n  <p>{label} {written}</p>\n  ")
    return "".join(html)


def filter_box_html(fields: str, *, bound: bool, invalid: bool = False) -> str:
    """tasks/includes/filters.html around the fields ``fields`` (``filter_fields_html``):
    open when ``bound`` (a query string was given), the notice of an ``invalid`` form."""
    parts = _form_parts()
    error = f'<p class="form-errors" role="alert">{parts["invalid"]}</p>' if invalid else ""
    return (
        f'\n<details class="card filters-box" {"open" if bound else ""}>\n'
        f"<summary>{parts['summary']}</summary>\n"
        f'<form method="get" class="filters form" aria-label="{parts["label"]}">\n'
        f"  {fields}\n"
        f'  <p><button type="submit" class="button">{parts["submit"]}</button>'
        f' <a href="?">{parts["clear"]}</a></p>\n'
        "</form>\n</details>\n"
        f"{error}\n"
    )


_PAGES: dict[tuple, dict] = {}


def _page_parts(is_office: bool) -> dict:
    """The words and URLs of the list page (templates/tasks/assignment_list.html) for
    the script prefix, the language and the office's table or a unit's, kept."""
    key = (get_language(), is_office, *url_parts("tasks:assignment_detail"))
    parts = _PAGES.get(key)
    if parts is not None:
        return parts
    heads = [_("灯"), _("编号"), _("任务")]
    if is_office:
        heads.append(_("单位"))
    heads += [_("分工"), _("状态"), _("完成时限"), _("进度")]
    parts = _PAGES[key] = {
        "office_heading": escape(_("全部任务分工")),
        "unit_heading": _("%(unit)s的改革任务"),
        "remind": escape(_("催办")),
        "mark_read": escape(_("标为已读")),
        "detail": tuple(escape(part) for part in url_parts("tasks:assignment_detail")),
        "read": tuple(escape(part) for part in url_parts("tasks:reminder_read")),
        "legend": _("红灯：已逾期；黄灯：7天内到期或本月尚未报送进展；绿灯：正常推进。（%(d)s）"),
        "export": escape(reverse("tasks:export")),
        "export_label": escape(_("导出 Excel")),
        "table": (
            '\n<div class="table-wrap">\n<table class="table table-stack">\n  <thead><tr>'
            + "".join(f"<th>{escape(head)}</th>" for head in heads)
            + "</tr></thead>\n  <tbody>\n  "
        ),
    }
    return parts


def _notice_html(parts: dict, notice: Mapping, csrf: str) -> str:
    sent = template_localtime(notice["sent_at"])
    before, after = parts["detail"]
    read_before, read_after = parts["read"]
    return (
        '\n<div class="notice" role="status">\n'
        f"  <p><strong>{parts['remind']}</strong> "
        f"{sent.year:04d}-{sent.month:02d}-{sent.day:02d} {sent.hour:02d}:{sent.minute:02d} ·\n"
        f'    <a href="{before}{int(notice["assignment_id"])}{after}">'
        f"{html_escape(notice['assignment__task__number'])} "
        f"{html_escape(notice['assignment__task__title'])}</a><br>"
        f"{html_escape(notice['message'])}</p>\n"
        f'  <form method="post" action="{read_before}{int(notice["pk"])}{read_after}">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
        f'<button type="submit" class="button button--secondary">{parts["mark_read"]}</button>'
        "</form>\n</div>\n"
    )


def list_page_html(
    request,
    *,
    is_office: bool,
    unit_name: str,
    notices: list[Mapping],
    day: datetime.date,
    query: str,
    filter_box: str,
    rows: str,
    page,
) -> SafeString:
    """The content of /tasks/ (the ``tasks_content`` block of
    templates/tasks/assignment_list.html before it moved here): the heading (the
    office's, or ``unit_name``'s), the unread 催办 ``notices`` (``values()`` of
    ``NOTICE_FIELDS``, each with its 标为已读 form), the lights' legend for ``day``
    and the export link keeping ``query`` (a query string), the ``filter_box``, the
    table of ``rows`` (``assignment_rows``) and the links of ``page``."""
    parts = _page_parts(is_office)
    heading = (
        parts["office_heading"]
        if is_office
        else parts["unit_heading"] % {"unit": html_escape(unit_name)}
    )
    html = [f"\n<h1>{heading}</h1>\n"]
    if notices:
        csrf = html_escape(get_token(request))
        html.extend(_notice_html(parts, notice, csrf) for notice in notices)
    legend = parts["legend"] % {"d": f"{day.year:04d}年{day.month}月{day.day}日"}
    html.append(
        f'\n<p class="meta">{legend}\n'
        f'  <a href="{parts["export"]}?{html_escape(query)}">{parts["export_label"]}</a></p>\n'
    )
    html.append(filter_box)
    html.append(parts["table"])
    html.append(rows)
    html.append("\n  </tbody>\n</table>\n</div>\n")
    html.append(pagination_html(request, page))
    html.append("\n\n")
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


# The columns of the unread 催办 notices the list shows.
NOTICE_FIELDS = (
    "pk",
    "sent_at",
    "message",
    "assignment_id",
    "assignment__task__number",
    "assignment__task__title",
)


def list_page(request, *, is_office: bool, content: str) -> SafeString:
    """The whole /tasks/ page, character for character what
    templates/tasks/assignment_list.html renders around ``content``
    (``list_page_html``): its title in the task pages' frame (``tasks.frame.page``).
    The template engine's three levels, its context processors and tags cost about as
    much as the page's own work (issue 11)."""
    from .frame import page  # (it imports the task tags, which import this module)

    return page(request, title=_("全部任务分工") if is_office else _("我的任务"), content=content)
