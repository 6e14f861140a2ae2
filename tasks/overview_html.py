"""The overview's loops written in Python (issue 11): its rate tables, charts and rows of
assignments cost about 0.2 ms a row through the template engine, and the page has
some 160 of them. Every value is escaped here; labels are translated once a request.
The markup is the one the templates wrote, character for character."""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import charts, services
from .models import Assignment, Light
from .templatetags.task_tags import lamp

LIGHT_DOTS = (
    '<span class="light light--red" aria-hidden="true"></span> {red} '
    '<span class="light light--yellow" aria-hidden="true"></span> {yellow} '
    '<span class="light light--green" aria-hidden="true"></span> {green}'
)


def _rate(rate) -> str:
    return "—" if rate is None else f"{rate}%"


def rate_table(rows: list[dict], heading: str) -> str:
    """The table of ``tasks.selectors.rate_rows``: one row per unit or category with its
    counts, rates, lights and drill-down link; ``heading`` names the first column."""
    words = [
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
    ]
    total, closed, completion, on_time, on_time_ext, extended, lights = words
    head = "".join(f"<th>{w}</th>" for w in [escape(heading), *words])
    parts = [
        f'\n<div class="table-wrap">\n<table class="table table-stack">\n'
        f"  <thead><tr>{head}</tr></thead>\n  <tbody>\n  "
    ]
    for row in rows:
        parts.append(
            f'\n  <tr>\n    <td><a href="{escape(row["url"])}">{escape(row["label"])}</a></td>'
            f'\n    <td data-label="{total}">{row["total"]}</td>'
            f'\n    <td data-label="{closed}">{row["closed"]}</td>'
            f'\n    <td data-label="{completion}">{_rate(row["completion_rate"])}</td>'
            f'\n    <td data-label="{on_time}">{_rate(row["on_time_rate"])}</td>'
            f'\n    <td data-label="{on_time_ext}">{_rate(row["on_time_with_extensions_rate"])}</td>'
            f'\n    <td data-label="{extended}">{row["extended"]}</td>'
            f'\n    <td data-label="{lights}">{LIGHT_DOTS.format_map(row)}</td>\n  </tr>\n  '
        )
    if not rows:
        parts.append(f'<tr><td colspan="8">{escape(_("没有数据。"))}</td></tr>')
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
        '<div class="two-col">\n'
        + _section(_("各单位"), _("各单位完成率与按时完成率"), _("单位"), by_unit)
        + _section(_("各类别"), _("各类别完成率与按时完成率"), _("类别"), by_category)
        + "</div>"
    )


def assignment_rows(assignments, user) -> SafeString:
    """The rows of the overview's assignment table (a page of ``Assignment`` lit by
    ``with_light``), each with its 催办 checkbox when ``user`` may 催办 it."""
    words = {
        key: escape(word)
        for key, word in (
            ("pick", _("选择催办")),
            ("number", _("编号")),
            ("unit", _("单位")),
            ("status", _("状态")),
            ("due", _("完成时限")),
            ("progress", _("进度")),
            ("extended", _("已延期")),
        )
    }
    lamps = {light: lamp(light) for light in Light}
    roles = {value: escape(label) for value, label in Assignment.Role.choices}
    statuses = {value: escape(label) for value, label in Assignment.Status.choices}
    detail = reverse("tasks:assignment_detail", args=[0]).removesuffix("0/")
    extended_badge = f' <span class="badge">{words["extended"]}</span>'
    parts = []
    for a in assignments:
        pick = (
            f'<input type="checkbox" name="assignment" value="{a.pk}" aria-label="{words["pick"]}">'
            if services.can_remind(a, user)
            else ""
        )
        unit = a.unit
        parts.append(
            f"\n    <tr>\n      <td>{pick}</td>\n      <td>{lamps[a.light]}</td>"
            f'\n      <td data-label="{words["number"]}">{escape(a.task.number)}</td>'
            f'\n      <td><a href="{detail}{a.pk}/">{escape(a.task.title)}</a></td>'
            f'\n      <td data-label="{words["unit"]}">{escape(unit.short_name or unit.name)}'
            f"（{roles.get(a.role) or escape(a.role)}）</td>"
            f'\n      <td data-label="{words["status"]}">{statuses.get(a.status) or escape(a.status)}</td>'
            f'\n      <td data-label="{words["due"]}" class="nowrap">{a.due_date.isoformat()}'
            f"{extended_badge if a.is_extended else ''}</td>"
            f'\n      <td data-label="{words["progress"]}">{a.progress}%</td>\n    </tr>\n    '
        )
    if not parts:
        parts.append(f'<tr><td colspan="8">{escape(_("没有符合条件的任务分工。"))}</td></tr>')
    return mark_safe("".join(parts))
