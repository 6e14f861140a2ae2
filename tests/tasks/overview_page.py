"""What the overview shows, read from its markup (the page is written in Python: there
is no template context to read)."""

import re

STATS = (
    "total",
    "closed",
    "completion_rate",
    "on_time_rate",
    "on_time_with_extensions_rate",
    "extended",
    "red",
    "yellow",
    "green",
)


def shown_totals(html: str) -> dict[str, str]:
    """The totals of the overview's stats line, as printed ("12", "50%", "—")."""
    stats = html[html.index('<div class="stats">') : html.index('<div class="rates">')]
    return dict(zip(STATS, re.findall(r"<strong>([^<]*)</strong>", stats), strict=True))


def totals_shown(totals: dict) -> dict[str, str]:
    """``selectors.totals`` as the stats line prints them."""
    return {
        name: ("—" if totals[name] is None else f"{totals[name]}%")
        if name.endswith("rate")
        else str(totals[name])
        for name in STATS
    }


def shown_total(html: str) -> int:
    return int(shown_totals(html)["total"])


def shown_rows(html: str) -> list[int]:
    """The ids of the assignments in the table, in order (each row's link)."""
    table = html[html.index('<form method="get" action="/tasks/remind/">') :]
    return [int(pk) for pk in re.findall(r'<td><a href="/tasks/assignments/(\d+)/">', table)]


def page_count(html: str) -> int:
    """The number of pages the page links name (1 without them)."""
    found = re.search(r"第 \d+ / (\d+) 页", html)
    return int(found.group(1)) if found else 1
