"""Running a search: candidates through the token index, confirmed, bounded, ordered, paged.

The queryset handed in already carries ``visible_to(user)`` and the filters, so
every count, facet and snippet comes only from documents the user may see.

- SQLite: the FTS5 table drives the join (``ORDER BY rowid`` = newest first,
  because rowid is ``sort_key``, which counts down with time), stopping at
  1,001 confirmed matches. Ascending on purpose: SQLite 3.40's FTS5 loses rows
  of phrase queries read in descending rowid order once segments are merged
  (found by the benchmark's recall check: 82 % for "350" at 10,000 articles).
- PostgreSQL: up to 1,001 matching rows through the GIN index (bitmap scan,
  planner steered: it misjudges rare bigrams and phrases); when more than 1,000
  match, the newest 1,001 come from one UNION ALL over time windows, newest
  first, each a GIN lookup of the words AND the window's month lexemes, under a
  LIMIT that stops the later windows from running (``newest``). Walking the
  date index instead costs 1,000/density rows: fine for 产业工人 (99 %), a
  full scan for a word in 2 % of the documents.
- Relevance ranks only that bounded set (at most 1,000 documents).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connections, transaction
from django.db.models import Case, FloatField, Value, When
from django.db.models.functions import Cast, Length, Replace, StrIndex
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone

from .models import key_bound, uses_fts5, uses_tsvector
from .text import Query

LIMIT = 1000
NEWEST = "newest"
RELEVANCE = "relevance"
CANDIDATE_FIELDS = ("sort_key", "kind", "series_id", "year")


def match(queryset, query: Query, *, use_index: bool = True, tsquery: str | None = None):
    """Narrow a ``SearchDocument`` queryset to documents containing every word of ``query``.

    ``use_index=False`` checks the folded text only (a scan). ``tsquery``
    replaces the words' tsquery on PostgreSQL (``newest`` adds time windows).
    """
    connection = connections[queryset.db]
    table = queryset.model._meta.db_table
    indexed, phrases = use_index, False
    if use_index and uses_fts5(connection):
        phrases = True
        queryset = queryset.extra(
            tables=["search_fts"],
            where=[f'search_fts.rowid = "{table}"."sort_key"', "search_fts MATCH %s"],
            params=[query.fts5_match()],
        )
    elif use_index and uses_tsvector(connection):
        queryset = queryset.filter(content__tokens__matches=tsquery or query.tsquery())
    else:  # a plain scan (other databases, or walking in date order), still exact
        indexed = False
    for word in query.words:
        if not indexed or query.needs_confirmation(word, phrases=phrases):
            queryset = queryset.filter(GreaterThan(StrIndex("content__text", Value(word)), 0))
    return queryset


def relevance(query: Query):
    """Score: a word in the title counts most, then how densely the words occur."""
    text = "content__text"
    score = Value(0.0, output_field=FloatField())
    for word in query.words:
        occurrences = Cast(
            (Length(text) - Length(Replace(text, Value(word), Value("")))) / len(word),
            FloatField(),
        )
        in_title = Case(
            When(LessThanOrEqual(StrIndex(text, Value(word)), Length("title")), then=20.0),
            default=0.0,
            output_field=FloatField(),
        )
        score = score + in_title + occurrences * 1000.0 / (Length(text) + 1000.0)
    return score


@dataclass
class Outcome:
    """Matches in display order (at most ``LIMIT``), and whether there were more."""

    keys: list[int]
    capped: bool
    facets: dict[str, Counter] | None = field(default=None)

    @property
    def total(self) -> int:
        return len(self.keys)


def _values(queryset, query, order):
    fields = list(CANDIDATE_FIELDS)
    if order == RELEVANCE:
        queryset = queryset.annotate(score=relevance(query))
        fields.append("score")
    return queryset.values_list(*fields)


def _set_local(connection, **settings):
    with connection.cursor() as cursor:
        cursor.execute(
            "; ".join(
                f"SET LOCAL enable_{name} = {'on' if on else 'off'}"
                for name, on in settings.items()
            )
        )


def find(queryset, query: Query, *, order: str = NEWEST) -> Outcome:
    """Matching documents of ``queryset`` (already visible_to-filtered), newest or best first."""
    connection = connections[queryset.db]
    matched = match(queryset, query)
    if uses_fts5(connection):
        rows = list(
            _values(matched.extra(order_by=["search_fts.rowid"]), query, order)[: LIMIT + 1]
        )
    elif uses_tsvector(connection):
        with transaction.atomic(using=queryset.db):
            # Through the GIN index (bitmap scans): the planner misjudges how many
            # documents hold a rare bigram or a phrase and would scan otherwise.
            _set_local(connection, seqscan=False)
            rows = list(_values(matched.order_by(), query, order)[: LIMIT + 1])
            if len(rows) > LIMIT:
                parts = [_values(part, query, order) for part in newest(queryset, query)]
                rows = list(parts[0].union(*parts[1:], all=True)[: LIMIT + 1])
            else:
                rows.sort(key=lambda row: row[0])
            _set_local(connection, seqscan=True)
    else:
        rows = list(_values(matched.order_by("sort_key"), query, order)[: LIMIT + 1])
    capped = len(rows) > LIMIT
    rows = rows[:LIMIT]
    if order == RELEVANCE:
        rows.sort(key=lambda row: (-row[4], row[0]))
    facets = None
    if not capped:
        facets = {
            "kind": Counter(row[1] for row in rows),
            "series": Counter(row[2] for row in rows if row[2]),
            "year": Counter(row[3] for row in rows if row[3]),
        }
    return Outcome(keys=[row[0] for row in rows], capped=capped, facets=facets)


def _months_back(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 - n
    return index // 12, index % 12 + 1


def time_windows(now: datetime):
    """Newest-first windows as (tsquery alternatives, or a sort-key range).

    Future months, then the last 24 months in windows of 1, 1, 2, 4, 8, 8
    months, the rest of that year, 15 years as year prefixes in windows of 1, 2,
    4, 8, and everything older. Together they hold every document exactly once.
    """
    now = now.astimezone(UTC)
    y, m = now.year, now.month
    next_month = datetime(*_months_back(y, m, -1), 1, tzinfo=UTC)
    windows = [("range", (None, key_bound(next_month)))]
    months = [_months_back(y, m, n) for n in range(24)]
    start = 0
    for size in (1, 1, 2, 4, 8, 8):
        chunk = months[start : start + size]
        windows.append(("lexemes", [f"'\u00a6t{yy:04d}{mm:02d}'" for yy, mm in chunk]))
        start += size
    oldest_year, oldest_month = months[-1]
    if oldest_month > 1:
        windows.append(
            (
                "lexemes",
                [f"'\u00a6t{oldest_year:04d}{mm:02d}'" for mm in range(oldest_month - 1, 0, -1)],
            )
        )
    year = oldest_year - 1
    for size in (1, 2, 4, 8):
        windows.append(("lexemes", [f"'\u00a6t{yy:04d}':*" for yy in range(year, year - size, -1)]))
        year -= size
    older = key_bound(datetime(year + 1, 1, 1, tzinfo=UTC))
    windows.append(("range", (older + 1, None)))
    return windows


def newest(queryset, query: Query):
    """Querysets of the matches per time window, newest window first (PostgreSQL).

    The caller unites them (UNION ALL) under a LIMIT: PostgreSQL's Append stops
    running windows once the LIMIT is met, so a common word reads one or two
    recent windows only.
    """
    base = query.tsquery()
    parts = []
    for kind, window in time_windows(timezone.now()):
        if kind == "range":
            low, high = window
            part = match(queryset, query)
            if low is not None:
                part = part.filter(sort_key__gte=low)
            if high is not None:
                part = part.filter(sort_key__lte=high)
        else:
            alternatives = " | ".join(window)
            part = match(queryset, query, tsquery=f"({base}) & ({alternatives})")
        parts.append(part.order_by("sort_key"))
    return parts


def all_matches(queryset, query: Query) -> list[int]:
    """Every matching sort key, newest first, with no bound (benchmark recall checks)."""
    matched = match(queryset, query)
    if uses_fts5(connections[queryset.db]):
        matched = matched.extra(order_by=["search_fts.rowid"])
    else:
        matched = matched.order_by("sort_key")
    return list(matched.values_list("sort_key", flat=True))
