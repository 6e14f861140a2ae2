"""The results page (templates/search/search.html on base.html), written in Python.

Rendered by the template engine, the page's frame, its tags and the context
processors cost about as much CPU as the search itself (issue 11). The markup is the
template's, byte for byte (tests/search/test_page_whole.py compares them for every
persona, both languages, hits, facets, pages, capped and empty results). A page
showing a form error still renders through the template (``views.search``): the
form's widgets then carry their error marks.
"""

from __future__ import annotations

import html

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext

from portal import chrome
from portal.pagination import pagination_html


def _escape(value) -> str:
    """``conditional_escape`` without its lazy-argument check (bulletins/issue_html.py)."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


# Texts that are a pure function of the language and what their key names (the
# heading, the capped summary per limit and order), translated once per process.
_kept: dict[tuple, str] = {}


@receiver(setting_changed, dispatch_uid="search_page_html_forget")
def _forget(**kwargs):
    """A changed setting (SITE_NAME, in tests) forgets them, as chrome.py's."""
    _kept.clear()


def _kept_text(key: tuple, make) -> str:
    key = (get_language(), *key)
    text = _kept.get(key)
    if text is None:
        if len(_kept) >= 64:
            _kept.clear()
        text = _kept[key] = make()
    return text


def _summary(context) -> str:
    """The ``<p class="search-summary">``'s text: capped, counted or nothing found."""
    outcome = context["outcome"]
    if outcome.capped:
        return _kept_text(
            ("capped", context["limit"], bool(context["relevance"])), lambda: _capped(context)
        )
    total = outcome.total
    if total:
        return ngettext(
            "找到 <strong>%(n)s</strong> 条结果。", "找到 <strong>%(n)s</strong> 条结果。", total
        ) % {"n": total}
    text = _escape(gettext("没有找到包含这些关键词的内容。"))
    if context["filtered"]:
        text += " " + _escape(gettext("可以试试去掉筛选条件。"))
    return text


def _capped(context) -> str:
    """The summary of a capped search, newest first or by relevance."""
    limit = {"limit": context["limit"]}
    if context["relevance"]:
        return (
            gettext(
                "找到 <strong>%(limit)s+</strong> 条结果，以下为最新的 %(limit)s 条按相关度排列。"
                "添加关键词或筛选条件可缩小范围。"
            )
            % limit
        )
    return (
        gettext(
            "找到 <strong>%(limit)s+</strong> 条结果，以下列出最新的 %(limit)s 条。"
            "添加关键词或筛选条件可缩小范围。"
        )
        % limit
    )


def _facets_label() -> str:
    return _escape(gettext("按类型、系列和年度细分"))


def _facets(facets) -> str:
    e = _escape
    out = [
        f'\n        <nav class="search-facets" aria-label="{_kept_text(("facets",), _facets_label)}">\n'
        "          "
    ]
    for name, items in facets:
        out.append(
            f'\n            <p><span class="search-facets__name">{e(name)}</span>\n            '
        )
        out += [
            f'<a href="{e(link)}">{e(label)} <span class="badge">{e(n)}</span></a>'
            for link, label, n in items
        ]
        out.append("</p>\n          ")
    out.append("\n        </nav>\n      ")
    return "".join(out)


def search_content(request, context) -> str:
    """The page's ``content`` block from the view's context, as the template has it
    when no field shows an error."""
    out = [
        '\n<section class="search" aria-labelledby="search-title">\n'
        f'  <h1 id="search-title">{_kept_text(("heading",), lambda: _escape(gettext("搜索")))}</h1>\n'
        '  <form method="get" action="" class="card search-form" role="search">\n'
        f"    {context['fields_html']}  </form>\n\n  "
    ]
    if context["searched"] and "outcome" in context:
        outcome = context["outcome"]
        out.append(
            '\n    \n      <p class="search-summary" role="status">\n'
            f"        \n          {_summary(context)}\n        \n      </p>\n\n      "
        )
        facets = context["facets"]
        if facets and outcome.total:
            out.append(_facets(facets))
        out.append("\n\n      ")
        hits = context["hits_html"]
        if hits:
            out.append(
                "\n        <ol "
                f'class="search-results" start="{context["page"].start_index()}">\n'
                f"          {hits}\n        </ol>\n      "
            )
        out.append(f"\n\n      {pagination_html(request, context['page'])}\n\n    \n  ")
    out.append("\n</section>\n")
    return "".join(out)


def search_page(request, context) -> SafeString:
    """The whole results page, as templates/search/search.html renders ``context``."""
    title = _kept_text(("title",), lambda: f"{gettext('搜索')} · {settings.SITE_NAME}")
    if context.get("query"):
        title = f"{context['form'].data.get('q', '')} · {title}"
    return chrome.page(
        request,
        title=title,
        body_class="page-search",
        extra_head=f'<link rel="stylesheet" href="{chrome.static_url("css/search.css")}">',
        content=mark_safe(search_content(request, context)),  # noqa: S308 (escaped parts)
    )
