"""The overview's loops written in Python (issue 11): its rate tables, charts and rows of
assignments cost about 0.2 ms a row through the template engine, and the page has
some 160 of them. Every value is escaped here, with the standard library's ``escape``
that ``django.utils.html.escape`` applies after its checks for lazy strings (the
values are plain strings); labels are translated once a request. The markup is the
one the templates wrote, character for character."""

import functools
from html import escape

from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import chrome
from portal.pagination import pagination_html

from . import charts, services
from .html import ASSIGNMENT_ROW_FIELDS, _date, _words, lamp_html
from .models import Light

LIGHT_DOTS = (
    '<span class="light light--red" aria-hidden="true"></span> {red} '
    '<span class="light light--yellow" aria-hidden="true"></span> {yellow} '
    '<span class="light light--green" aria-hidden="true"></span> {green}'
)


# ``escape`` of the values the page repeats from request to request (the tasks' numbers
# and titles, the units' and categories' names, the rate rows' drill-down links): a
# pure function, its results kept per process (about 0.3 µs a value against a lookup,
# some 300 values a page).
escaped = functools.lru_cache(maxsize=8192)(escape)


def _rate(rate) -> str:
    return "—" if rate is None else f"{rate}%"


# Each whole percent's words (the rates are whole percents, or None): a pure table.
_RATES = {rate: _rate(rate) for rate in (None, *range(101))}


_TABLES: dict = {}


def _table_parts(heading: str) -> tuple[str, tuple[str, ...], str]:
    """The rate table's head row (``heading`` first), its escaped column names and its
    empty row, in the active language: worked out once per language and heading."""
    key = (get_language(), heading)
    parts = _TABLES.get(key)
    if parts is None:
        words = tuple(
            escape(w)
            for w in (
                _("任务数"),
                _("已办结"),
                _("完成率"),
                _("按时完成率"),
                _("含延期按时率"),
                _("已延期"),
                _("红 / 黄 / 绿"),
            )
        )
        head = "".join(f"<th>{w}</th>" for w in [escape(heading), *words])
        empty = f'<tr><td colspan="8">{escape(_("没有数据。"))}</td></tr>'
        parts = _TABLES[key] = (head, words, empty)
    return parts


def rate_table(rows: list[dict], heading: str) -> str:
    """The table of ``tasks.selectors.rate_rows``: one row per unit or category with its
    counts, rates, lights and drill-down link; ``heading`` names the first column."""
    head, words, empty = _table_parts(heading)
    total, closed, completion, on_time, on_time_ext, extended, lights = words
    parts = [
        f'\n<div class="table-wrap">\n<table class="table table-stack">\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n  "
    ]
    rate = _RATES.get
    for row in rows:
        completion_rate = row["completion_rate"]
        on_time_rate = row["on_time_rate"]
        with_extensions = row["on_time_with_extensions_rate"]
        parts.append(
            f'\n  <tr>\n    <td><a href="{escaped(row["url"])}">{escaped(row["label"])}</a></td>'
            f'\n    <td data-label="{total}">{row["total"]}</td>'
            f'\n    <td data-label="{closed}">{row["closed"]}</td>'
            f'\n    <td data-label="{completion}">{rate(completion_rate) or _rate(completion_rate)}</td>'
            f'\n    <td data-label="{on_time}">{rate(on_time_rate) or _rate(on_time_rate)}</td>'
            f'\n    <td data-label="{on_time_ext}">{rate(with_extensions) or _rate(with_extensions)}</td>'
            f'\n    <td data-label="{extended}">{row["extended"]}</td>'
            f'\n    <td data-label="{lights}">{LIGHT_DOTS.format_map(row)}</td>\n  </tr>\n  '
        )
    if not rows:
        parts.append(empty)
    parts.append("\n  </tbody>\n</table>\n</div>\n")
    return "".join(parts)


def _section(heading: str, chart_title: str, column: str, rows: list[dict]) -> str:
    chart = charts.bar_chart(rows, title=chart_title)
    return (
        f'<section class="card">\n  <h2>{escape(heading)}</h2>\n  \n  {chart}\n  \n  '
        f"{rate_table(rows, column)}\n</section>\n"
    )


def rates(by_unit: list[dict], by_category: list[dict]) -> SafeString:
    """The two cards of rates: by unit and by category, each a chart and a table."""
    return mark_safe(
        '<div class="rates">\n'
        + _section(_("各单位"), _("各单位完成率与按时完成率"), _("单位"), by_unit)
        + _section(_("各类别"), _("各类别完成率与按时完成率"), _("类别"), by_category)
        + "</div>"
    )


# The columns ``assignment_rows`` reads: those of the unit's list but the task list's
# title and the category, which the overview does not print, and with the unit's id
# instead of its names (the page reads every unit's names once: its rows' statement
# then joins no unit, about 0.2 ms of PostgreSQL's planning and execution).
OVERVIEW_ROW_FIELDS = tuple(
    "unit_id" if f == "unit__name" else f
    for f in ASSIGNMENT_ROW_FIELDS
    if f not in ("task__plan__title", "task__category", "unit__short_name")
)


_ROWS: dict = {}


def _row_parts() -> dict:
    """What every row of the table shares in the active language and for the script
    prefix: the cells' opening tags, the lamps, the 已延期 badge, the checkbox's label,
    the words of roles and states, the assignment page's URL around the id; kept."""
    detail = chrome.url_parts("tasks:assignment_detail")
    key = (get_language(), *detail)
    parts = _ROWS.get(key)
    if parts is None:
        words = _words()
        parts = _ROWS[key] = {
            # Each cell opens with its column's name (the label of a stacked row on a phone).
            **{
                key: f'<td data-label="{words[key]}">'
                for key in ("number", "unit", "status", "progress")
            },
            "due": f'<td data-label="{words["due"]}" class="nowrap">',
            "extended": f' <span class="badge">{words["extended"]}</span>',
            "pick": escape(_("选择催办")),
            "detail": tuple(escape(part) for part in detail),
            # Plain strings: a SafeString formatted into a row calls its ``__str__``.
            "lamps": {light.value: str.__str__(lamp_html(light)) for light in Light},
            "words": {key: str.__str__(word) for key, word in words.items()},
            "empty": f'<tr><td colspan="8">{escape(_("没有符合条件的任务分工。"))}</td></tr>',
        }
    return parts


def assignment_rows(rows, user, unit_names: dict[int, str]) -> SafeString:
    """The rows of the overview's assignment table for ``rows``, dictionaries of
    ``OVERVIEW_ROW_FIELDS``, each with its 催办 checkbox when ``user`` may 催办 it;
    ``unit_names``: each unit's name as the table prints it (its short name, else its
    name), by id."""
    parts = _row_parts()
    words, lamps, extended, pick = parts["words"], parts["lamps"], parts["extended"], parts["pick"]
    number_td, unit_td, status_td = parts["number"], parts["unit"], parts["status"]
    due_td, progress_td = parts["due"], parts["progress"]
    before, after = parts["detail"]
    # ``services.can_remind`` asks the user and the assignment's state only: once a state.
    remindable = {}
    units: dict[tuple, str] = {}  # a unit's escaped name and role, once each
    html = []
    # A page's list itself: iterating the page asks its ``__getitem__`` once a row.
    for a in getattr(rows, "object_list", rows):
        pk, status = a["pk"], a["status"]
        if status not in remindable:
            remindable[status] = services.can_remind_status(status, user)
        checkbox = (
            f'<input type="checkbox" name="assignment" value="{pk}" aria-label="{pick}">'
            if remindable[status]
            else ""
        )
        unit_key = (a["unit_id"], a["role"])
        unit = units.get(unit_key)
        if unit is None:
            role = words.get("role:" + unit_key[1]) or escape(unit_key[1])
            unit = units[unit_key] = f"{escaped(unit_names[unit_key[0]])}（{role}）"
        html.append(
            f"\n    <tr>\n      <td>{checkbox}</td>\n      <td>{lamps[a['light']]}</td>"
            f"\n      {number_td}{escaped(a['task__number'])}</td>"
            f'\n      <td><a href="{before}{pk}{after}">{escaped(a["task__title"])}</a></td>'
            f"\n      {unit_td}{unit}</td>"
            f"\n      {status_td}{words.get('status:' + status) or escape(status)}</td>"
            f"\n      {due_td}{_date(a['due_on'])}"
            f"{extended if a['extended_due_date'] is not None else ''}</td>"
            f"\n      {progress_td}{a['progress']}%</td>\n    </tr>\n    "
        )
    if not html:
        html.append(parts["empty"])
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


_PARTS: dict = {}


def _parts() -> dict[str, str]:
    """The overview's fixed markup around its values, translated and escaped, with its
    links: worked out once per script prefix and language (they never change while the
    process runs)."""
    key = (get_script_prefix(), get_language())
    parts = _PARTS.get(key)
    if parts is None:
        words = {
            name: escape(word)
            for name, word in {
                "title": _("任务总览"),
                "all_plans": _("看全部任务清单"),
                "assignments": _("任务分工"),
                "closed": _("已办结"),
                "completion": _("完成率"),
                "on_time": _("按时完成率"),
                "on_time_ext": _("含延期按时率"),
                "extended": _("已延期"),
                "export": _("导出 Excel"),
                "pick": _("选择"),
                "light": _("灯"),
                "number": _("编号"),
                "task": _("任务"),
                "unit": _("单位"),
                "status": _("状态"),
                "due": _("完成时限"),
                "progress": _("进度"),
                "remind": _("催办所选"),
            }.items()
        }
        w = words
        parts = _PARTS[key] = {
            "h1": f"<h1>{w['title']}</h1>\n",
            "all_plans_link": f' <a href="?plan=">{w["all_plans"]}</a></p>',
            "export_url": escape(reverse("tasks:export")),
            "remind_url": escape(reverse("tasks:remind")),
            **w,
        }
    return parts


def _stat_rate(rate) -> str:
    return "—" if rate is None else f"{rate}%"


def head(default_plan) -> SafeString:
    """The page's heading and, when the current task list is shown by default
    (``default_plan``: its ``title`` and ``year``), the line that says so."""
    parts = _parts()
    html = parts["h1"]
    if default_plan is not None:
        # {% blocktranslate %}: the values are escaped, the translated sentence is not.
        shown = _("显示当前任务清单：%(plan)s（%(year)s年）。") % {
            "plan": escape(default_plan.title),
            "year": default_plan.year,
        }
        html += f'<p class="meta overview-plan">{shown}{parts["all_plans_link"]}'
    return mark_safe(html)  # noqa: S308 - escaped words and values


def body(request, totals: dict, rates_html: str, rows_html: str, page, query: str) -> SafeString:
    """What follows the filters: the totals, the rate cards ``rates_html``, the table of
    assignments with its rows ``rows_html`` and the page links for ``page``; ``query``
    the filters as a query string for the export link."""
    w = _parts()
    lamps = {light.value: lamp_html(light) for light in Light}
    html = (
        '<div class="stats">'
        f'\n  <div class="stat">{w["assignments"]}<strong>{totals["total"]}</strong></div>'
        f'\n  <div class="stat">{w["closed"]}<strong>{totals["closed"]}</strong></div>'
        f'\n  <div class="stat">{w["completion"]}<strong>'
        f"{_stat_rate(totals['completion_rate'])}</strong></div>"
        f'\n  <div class="stat">{w["on_time"]}<strong>'
        f"{_stat_rate(totals['on_time_rate'])}</strong></div>"
        f'\n  <div class="stat">{w["on_time_ext"]}<strong>'
        f"{_stat_rate(totals['on_time_with_extensions_rate'])}</strong></div>"
        f'\n  <div class="stat"><a href="?extended=yes">{w["extended"]}</a>'
        f"<strong>{totals['extended']}</strong></div>"
        f'\n  <div class="stat">{lamps["red"]}<strong>{totals["red"]}</strong></div>'
        f'\n  <div class="stat">{lamps["yellow"]}<strong>{totals["yellow"]}</strong></div>'
        f'\n  <div class="stat">{lamps["green"]}<strong>{totals["green"]}</strong></div>'
        f"\n</div>\n{rates_html}"
        f'\n<section class="card">\n  <h2>{w["assignments"]}</h2>'
        f'\n  <p class="actions"><a href="{w["export_url"]}?{escape(query)}">{w["export"]}</a></p>'
        f'\n  <form method="get" action="{w["remind_url"]}">'
        '\n  <div class="table-wrap">\n  <table class="table table-stack">'
        f'\n    <thead><tr><th><span class="visually-hidden">{w["pick"]}</span></th>'
        f"<th>{w['light']}</th><th>{w['number']}</th><th>{w['task']}</th>"
        f"<th>{w['unit']}</th><th>{w['status']}</th><th>{w['due']}</th>"
        f"<th>{w['progress']}</th></tr></thead>"
        f"\n    <tbody>\n    {rows_html}\n    </tbody>\n  </table>\n  </div>"
        f'\n  <p><button type="submit" class="button">{w["remind"]}</button></p>\n  </form>'
        f"\n  {pagination_html(request, page)}\n\n</section>\n"
    )
    return mark_safe(html)  # noqa: S308 - escaped words and values
