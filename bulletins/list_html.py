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

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from portal import chrome
from portal.chrome import url_parts, url_with_id

from .filters import KEYWORD_MAX_LENGTH
from .layout import DATE
from .models import Visibility
from .numerals import chinese_number

SUMMARY_LENGTH = 140

# (language, script prefix) -> the list's fixed texts and URLs (``_texts``).
_texts_memo: dict[tuple[str | None, str], dict[str, str]] = {}


@receiver(setting_changed, dispatch_uid="bulletins_list_html_forget")
def _forget(**kwargs):
    """A changed setting (in tests: the site's name, URLs, static files) forgets them."""
    _texts_memo.clear()


def _texts() -> dict[str, str]:
    """The list's fixed texts and URLs in the active language, kept per language and
    script prefix (labels and URLs, not data): the page looked each up per request,
    several per row. Markup-ready (escaped) but for the formats, filled in first."""
    key = (get_language(), get_script_prefix())
    try:
        return _texts_memo[key]
    except KeyError:
        pass
    detail_before, detail_after = url_parts("bulletins:issue_detail")
    texts = _texts_memo[key] = {
        # rows
        "empty": esc(_("暂无简报。")),
        "empty_filtered": esc(_("没有符合条件的简报。")),
        "internal": f'<span class="badge badge--internal">{esc(_("内部"))}</span>',
        "done": f'<span class="badge badge--done">{esc(_("已签收"))}</span>',
        "todo": f'<span class="badge badge--todo">{esc(_("未签收"))}</span>',
        "number_format": _("%(year)s年%(number)s"),
        "number_label": _("第%(n)s期"),
        "date_format": _(DATE),
        "detail_before": esc(detail_before),
        "detail_after": esc(detail_after),
        # year links
        "year_label": _("%(year)s年"),
        "years_open": (
            f'<nav class="year-links" aria-label="{esc(_("按年度归档"))}">\n'
            f'  <a href="{esc(reverse("bulletins:issue_list"))}"'
        ),
        "all_years": esc(_("全部")),
        # the empty filter form
        "series_label": _("简报系列"),
        "all_series": _("全部系列"),
        "year_field_label": _("年度"),
        "all_field_years": _("全部年度"),
        "dates_and_words": "".join(
            [
                _field(
                    "date_from",
                    _("起始日期"),
                    '<input type="date" name="date_from" id="id_date_from">',
                ),
                _field(
                    "date_to", _("截止日期"), '<input type="date" name="date_to" id="id_date_to">'
                ),
                _field(
                    "q",
                    _("关键词"),
                    f'<input type="search" name="q" placeholder="{esc(_("标题或摘要中的词"))}"'
                    f' maxlength="{KEYWORD_MAX_LENGTH}" id="id_q">',
                ),
            ]
        ),
        "awaiting": _field(
            "awaiting",
            _("只看本单位未签收"),
            '<input type="checkbox" name="awaiting" id="id_awaiting">',
        ),
        # the page
        "title": esc(_("简报")),
        "year_title": _("%(year)s年简报"),
        "feed": (
            f'<p class="feed-link"><a href="{esc(reverse("bulletins:feed"))}"'
            f' aria-describedby="feed-help">{esc(_("RSS 订阅"))}</a>\n'
            '    <span id="feed-help" class="feed-link__help">'
            f"{esc(_('把此链接加入 Outlook、Foxmail 或手机阅读器，新的公开简报发布后自动收到。'))}"
            "</span></p>"
        ),
        "zip_label": _("打包下载%(year)s年全部简报（ZIP）"),
        "filter": esc(_("筛选")),
        "clear": esc(_("清除条件")),
        # the frame (templates/bulletins/issue_list.html's blocks)
        "site_name": esc(settings.SITE_NAME),
        "extra_head": f'<link rel="stylesheet" href="{chrome.static_url("css/bulletin.css")}">',
    }
    return texts


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

    Per row only string work: the labels and formats are kept per language
    (``_texts``: ``number_label``'s and ``chinese_date``'s formats), the URLs are the
    kept text around the id, values go through the standard library's escape (Django's
    ``escape`` is the same, behind a lazy-string check)."""
    texts = _texts()
    if not rows:
        empty = texts["empty_filtered"] if is_filtered else texts["empty"]
        return f'<ol class="issue-list">\n  <li class="issue-list__empty">{empty}</li>\n</ol>'
    internal, done, todo = texts["internal"], texts["done"], texts["todo"]
    number_format, number_label = texts["number_format"], texts["number_label"]
    date_format = texts["date_format"]
    detail_before, detail_after = texts["detail_before"], texts["detail_after"]
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
    texts = _texts()
    label = texts["year_label"]
    parts = [f"{texts['years_open']}{'' if year else current}>{texts['all_years']}</a>\n  "]
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
    texts = _texts()
    parts = [
        _field("series", texts["series_label"], _select("series", texts["all_series"], series))
    ]
    if with_year:
        parts.append(
            _field(
                "year",
                texts["year_field_label"],
                _select("year", texts["all_field_years"], years),
            )
        )
    parts.append(texts["dates_and_words"])
    if awaiting:
        parts.append(texts["awaiting"])
    return mark_safe("".join(parts))  # noqa: S308 (built from escaped parts)


def title_html(year: int | None) -> str:
    """The page's title (and heading): 简报, or 2020年简报 in a year's archive; as the
    template's ``{% translate %}`` (escaped) and ``{% blocktranslate %}`` (the
    translation as it is, the year in it) printed it."""
    texts = _texts()
    return texts["year_title"] % {"year": year} if year else texts["title"]


def content_html(
    *,
    year: int | None,
    year_links: str,
    form_fields: str,
    is_filtered: bool,
    path: str,
    rows: str,
    pagination: str,
) -> SafeString:
    """The page's ``content`` block, as templates/bulletins/issue_list.html printed it
    before it was written here (tests/bulletins/test_list_html.py keeps that template
    and compares): the heading, the feed and (a year's archive) ZIP links, the year
    links, the filter form around ``form_fields``, the rows and the page links, all
    given as markup but ``year`` and ``path`` (the request's, for "clear the filters")."""
    texts = _texts()
    zip_link = (
        f'<a class="zip-link" href="{esc(url_with_id("bulletins:year_zip", year))}" download>'
        f"{texts['zip_label'] % {'year': year}}</a>"
        if year
        else ""
    )
    clear = f'<a href="{esc(path)}">{texts["clear"]}</a>' if is_filtered else ""
    return mark_safe(  # noqa: S308 (built from escaped parts)
        f'\n<header class="listing-head">\n  <h1>{title_html(year)}</h1>\n'
        f"  {texts['feed']}\n  {zip_link}\n</header>\n\n{year_links}\n\n"
        '<form method="get" class="filters card issue-filters" role="search">\n'
        f"  {form_fields}\n"
        '  <p class="issue-filters__actions">\n'
        f'    <button class="button" type="submit">{texts["filter"]}</button>\n'
        f"    {clear}\n  </p>\n</form>\n\n\n{rows}\n{pagination}\n\n"
    )


def list_page(request, page: dict) -> SafeString:
    """The whole reading list, as templates/bulletins/issue_list.html renders it on
    base.html (``chrome.page``, the frame the issue page is written on): the title
    (``page["title"]``, ``title_html``) and the site's name, bulletins/base.html's style
    sheet, ``page["content"]`` (``content_html``). The other values of ``page`` are
    what the template's test renders the old page from
    (tests/bulletins/test_list_html.py)."""
    texts = _texts()
    return chrome.page(
        request,
        title=mark_safe(f"{page['title']} · {texts['site_name']}"),  # noqa: S308 (escaped parts)
        body_class="page-issues",
        extra_head=texts["extra_head"],
        content=page["content"],
    )
