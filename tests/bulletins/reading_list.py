"""What a reader sees on the reading list (/bulletins/ and a year's archive), read from
its HTML: the rows' titles in order, the year links with their counts, the pages."""

import html
import re

_TITLE = re.compile(r'<h2 class="issue-item__title"><a href="[^"]*">(.*?)</a></h2>')
_YEAR = re.compile(
    r'<a href="[^"]*/archive/(\d+)/"[^>]*>[^<]*<span class="year-links__count">(\d+)</span></a>'
)
# "第 n / m 页" (Chinese), "Page n of m" (English)
_PAGES = re.compile(r'<nav class="pagination"[^>]*>.*?<span>\D*\d+\D+(\d+)\D*</span>', re.S)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def titles(response) -> list[str]:
    """The titles of the page's rows, top to bottom ([] for an empty list)."""
    return [html.unescape(title) for title in _TITLE.findall(_text(response))]


def year_links(response) -> dict[int, int]:
    """The year links' years and counts, in the order shown ({} when there are none)."""
    return {int(year): int(count) for year, count in _YEAR.findall(_text(response))}


def page_count(response) -> int:
    """How many pages the list says it has ("第 n / m 页"; 1 without page links)."""
    found = _PAGES.search(_text(response))
    return int(found.group(1)) if found else 1
