"""The reading list's repeated parts written in Python (issue 11): its rows, its year
links and, when nothing is filtered, its filter form.

Through the template these cost a variable lookup, an escape and often a translation
per tag, twenty times over; here each row is one f-string over escaped values.
The markup is the template's (tests/bulletins/test_list_html.py compares the filter
form with the form django-filter renders).
"""

from __future__ import annotations

import unicodedata
from html import escape as esc

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from portal.chrome import url_parts, url_with_id

from .filters import KEYWORD_MAX_LENGTH
from .layout import DATE
from .models import Visibility
from .numerals import chinese_number

SUMMARY_LENGTH = 140


def summary_text(summary: str) -> str:
    """The summary as the list prints it: at most 140 characters (``Truncator.chars``,
    which walks every character in Python, only for the long ones)."""
    if not summary:
        return ""
    text = unicodedata.normalize("NFC", summary)
    return text if len(text) <= SUMMARY_LENGTH else Truncator(text).chars(SUMMARY_LENGTH)


def rows_html(rows: list[dict], *, shows_ack: bool, acknowledged: set, is_filtered: bool) -> str:
    """The ``<ol class="issue-list">`` of the page's issues: ``rows`` are ``values()`` of
    ``ISSUE_ROW_FIELDS``; ``acknowledged`` the ids this unit has signed for.

    Per row only string work: the labels and formats are translated once per call
    (``number_label``'s and ``chinese_date``'s formats), the URLs are the kept text
    around the id (``url_with_id``), values go through the standard library's escape
    (Django's ``escape`` is the same, behind a lazy-string check)."""
    if not rows:
        empty = _("没有符合条件的简报。") if is_filtered else _("暂无简报。")
        return f'<ol class="issue-list">\n  <li class="issue-list__empty">{esc(empty)}</li>\n</ol>'
    internal = f'<span class="badge badge--internal">{esc(_("内部"))}</span>'
    done = f'<span class="badge badge--done">{esc(_("已签收"))}</span>'
    todo = f'<span class="badge badge--todo">{esc(_("未签收"))}</span>'
    number_format, number_label = _("%(year)s年%(number)s"), _("第%(n)s期")
    date_format = _(DATE)
    detail_before, detail_after = (esc(part) for part in url_parts("bulletins:issue_detail"))
    parts = ['<ol class="issue-list">\n']
    for row in rows:
        pk = row["pk"]
        cover = (
            f'<img class="issue-item__cover" src="{esc(url_with_id("bulletins:issue_cover", pk))}"'
            ' alt="" width="72" height="96" loading="lazy">'
            if row["cover_thumbnail"]
            else ""
        )
        n = row["number"]
        label = number_label % {"n": chinese_number(n)} if n else ""
        number = number_format % {"year": row["year"], "number": label}
        ack = (done if pk in acknowledged else todo) if shows_ack else ""
        summary = summary_text(row["summary"])
        summary = f'<p class="issue-item__summary">{esc(summary)}</p>' if summary else ""
        day = row["issue_date"]
        date = (
            f'<time class="issue-item__date" datetime="{day.isoformat()}">'
            f"{esc(date_format % {'y': day.year, 'm': day.month, 'd': day.day})}</time>"
            if day
            else ""
        )
        parts.append(
            f'  <li class="issue-item">\n    {cover}\n    <div class="issue-item__main">\n'
            '      <p class="issue-item__meta">\n'
            f'        <span class="issue-item__series">{esc(row["series__name"])}</span>\n'
            f'        <span class="issue-item__number">{esc(number)}</span>\n'
            f"        {internal if row['visibility'] == Visibility.INTERNAL else ''}\n"
            f"        {ack}\n      </p>\n"
            f'      <h2 class="issue-item__title"><a href="{detail_before}{int(pk)}{detail_after}">'
            f"{esc(row['title'])}</a></h2>\n"
            f"      {summary}\n    </div>\n    {date}\n  </li>\n"
        )
    parts.append("</ol>")
    return "".join(parts)


# What a row prints, read with values() (no model instances).
ISSUE_ROW_FIELDS = (
    "pk",
    "series__name",
    "year",
    "number",
    "title",
    "issue_date",
    "summary",
    "visibility",
    "cover_thumbnail",
)


def year_links_html(counts: dict, year: int | None) -> str:
    """The ``<nav class="year-links">`` of the years with issues, and their counts."""
    if not counts:
        return ""
    current = ' aria-current="page"'
    label = _("%(year)s年")
    parts = [
        f'<nav class="year-links" aria-label="{esc(_("按年度归档"))}">\n'
        f'  <a href="{esc(reverse("bulletins:issue_list"))}"{"" if year else current}>'
        f"{esc(_('全部'))}</a>\n  "
    ]
    for y, count in counts.items():
        parts.append(
            f'<a href="{esc(url_with_id("bulletins:year_archive", y))}"'
            f"{current if y == year else ''}>{esc(label % {'year': y})}"
            f'<span class="year-links__count">{count}</span></a>'
        )
    parts.append("\n</nav>")
    return "".join(parts)


def _select(name: str, empty: str, choices) -> str:
    options = "".join(
        f'\n  <option value="{esc(str(value))}">{esc(str(text))}</option>\n'
        for value, text in choices
    )
    return (
        f'<select name="{name}" id="id_{name}">\n'
        f'  <option value="" selected>{esc(empty)}</option>\n{options}\n</select>'
    )


def _field(name: str, label: str, widget: str) -> str:
    return (
        f'\n    <p class="issue-filters__field issue-filters__field--{name}">\n'
        f'      <label for="id_{name}">{esc(label)}</label>{widget}\n      \n    </p>\n  '
    )


def empty_filter_form_html(*, series, years, with_year: bool, awaiting: bool) -> SafeString:
    """The filter form's fields as ``IssueFilter`` renders them with nothing filled in:
    ``series`` the (pk, name) choices, ``years`` the years offered (``with_year``: the
    year field is there, not on a year's archive), ``awaiting``: the 签收 box (unit users)."""
    parts = [
        _field("series", _("简报系列"), _select("series", _("全部系列"), series)),
    ]
    if with_year:
        parts.append(_field("year", _("年度"), _select("year", _("全部年度"), years)))
    parts += [
        _field(
            "date_from",
            _("起始日期"),
            '<input type="date" name="date_from" id="id_date_from">',
        ),
        _field("date_to", _("截止日期"), '<input type="date" name="date_to" id="id_date_to">'),
        _field(
            "q",
            _("关键词"),
            f'<input type="search" name="q" placeholder="{esc(_("标题或摘要中的词"))}"'
            f' maxlength="{KEYWORD_MAX_LENGTH}" id="id_q">',
        ),
    ]
    if awaiting:
        parts.append(
            _field(
                "awaiting",
                _("只看本单位未签收"),
                '<input type="checkbox" name="awaiting" id="id_awaiting">',
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 (built from escaped parts)
