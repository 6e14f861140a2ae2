"""Running a search: candidates through the token index, confirmed, bounded, ordered, paged.

The queryset handed in already carries ``visible_to(user)`` and the filters, so
every count, facet and snippet comes only from documents the user may see.

- SQLite: the FTS5 table drives the join (``ORDER BY rowid`` = newest first,
  because rowid is ``sort_key``, which counts down with time), stopping at
  1,001 confirmed matches. Ascending on purpose: SQLite 3.40's FTS5 loses rows
  of phrase queries read in descending rowid order once segments are merged
  (found by the benchmark's recall check: 82 % for "350" at 10,000 articles).
- PostgreSQL: the newest 1,001 matches from time windows, newest first, each a
  GIN lookup of the words AND the window's month lexemes, stopping once there
  are enough (``newest_sql``); planner steered to bitmap scans (it misjudges
  rare n-grams). When the audience lexemes are the whole scope ("bare"), the
  windows run in the PL/pgSQL function ``search_newest`` (search 0006-0012):
  plans kept per connection, the windows laid out back from the newest document
  the reader may see, keys sorted alone and sent as one array, and the facets of
  a result that is not capped counted there; otherwise in one UNION ALL joined to
  the documents' WHERE. Walking the date index instead costs 1,000/density rows: fine for
  产业工人 (99 %), a full scan for a word in 2 % of the documents.
- Relevance ranks only that bounded set (at most 1,000 documents).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from operator import gt

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, transaction
from django.db.models import Case, FloatField, Value, When
from django.db.models.functions import Cast, Length, Replace, StrIndex
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.utils import timezone

from . import registry
from .models import SearchText, key_bound, key_code, kind_lexeme, uses_fts5, uses_tsvector
from .text import Query

LIMIT = 1000
NEWEST = "newest"
RELEVANCE = "relevance"
CANDIDATE_FIELDS = ("sort_key", "kind", "group", "year")


def match(queryset, query: Query, *, use_index: bool = True):
    """Narrow a ``SearchDocument`` queryset to documents containing every word of ``query``.

    ``use_index=False`` checks the folded text only (a scan).
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
        queryset = queryset.filter(tokens__matches=query.tsquery())
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
    # Each key's kind: a dict, or KindsOfKeys for a capped result of search_newest.
    kinds: Mapping[int, str] = field(default_factory=dict)
    # How many matches the result holds when ``keys`` holds only the first of them (a
    # capped result known from kept counts: search 0009), else None.
    count: int | None = None

    @property
    def total(self) -> int:
        return len(self.keys) if self.count is None else self.count


def _values(queryset, query, order):
    fields = list(CANDIDATE_FIELDS)
    if order == RELEVANCE:
        queryset = queryset.annotate(score=relevance(query))
        fields.append("score")
    return queryset.values_list(*fields)


# For PostgreSQL: never a sequential scan (the planner misjudges how many
# documents hold a rare n-gram), no parallel workers (the UNION ALL of time
# windows relies on a plain Append running its branches in order) and no JIT
# (compiling the plan of a dozen windows took 175 ms at 100,000 articles).
STEER = (
    "SET LOCAL enable_seqscan = off; SET LOCAL max_parallel_workers_per_gather = 0; "
    "SET LOCAL jit = off"
)
UNSTEER = "SET LOCAL enable_seqscan = on; RESET max_parallel_workers_per_gather; RESET jit"


def steered(connection, sql: str, params) -> list[tuple]:
    """Rows of one statement run under the steered planner (``STEER``), PostgreSQL only.

    Outside a transaction, in one round trip: the settings and the statement go as
    one string, which PostgreSQL runs as one implicit transaction, so ``SET LOCAL``
    lasts exactly that statement. Inside the caller's transaction (tests, a
    view in ``atomic``), in a savepoint, and the settings are put back after it
    (``UNSTEER``), since SET LOCAL would otherwise last to the caller's COMMIT.
    """
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"{STEER}; {sql}", params)
            return cursor.fetchall()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute(STEER)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        cursor.execute(UNSTEER)
        return rows


class KindsOfKeys(Mapping):
    """Each key's kind name, read from the key itself (models.key_code): the kinds of a
    capped result, whose keys search_newest returns alone (search 0007)."""

    def __init__(self, keys: list[int]):
        self._keys = keys
        self._set = None
        self._names = None  # each kind's code to its name, read once (a page asks twenty times)

    def __getitem__(self, key):
        if self._set is None:
            self._set = frozenset(self._keys)
            self._names = _kind_names()
        if key not in self._set:
            raise KeyError(key)
        return self._names.get(key_code(key))

    def __iter__(self):
        return iter(self._keys)

    def __len__(self):
        return len(self._keys)


def _kind_names() -> dict[int, str]:
    return {kind.code: kind.name for kind in registry.kinds()}


def _from_keys(queryset, query: Query, order: str, keys: list[int], grouped, known) -> Outcome:
    """The Outcome of search_newest's answer (search 0007, 0009): the keys newest first
    (LIMIT + 1 when capped; only the page's when ``known``, i.e. the kept counts proved
    it capped) and, when not capped, the matches counted per (kind, group, year) in
    ``grouped`` (four lists), for the facets; the kinds of the keys from the keys
    themselves."""
    if known:
        return Outcome(keys=keys, capped=True, kinds=KindsOfKeys(keys), count=LIMIT)
    capped = len(keys) > LIMIT
    keys = keys[:LIMIT]
    if order == RELEVANCE and keys:
        scores = dict(
            queryset.model.objects.filter(sort_key__in=keys)
            .annotate(score=relevance(query))
            .values_list("sort_key", "score")
        )
        keys = sorted(keys, key=lambda key: (-scores.get(key, 0.0), key))
    facets = None
    if not capped:
        kinds, groups, years = Counter(), Counter(), Counter()
        for kind, group, year, n in zip(*grouped, strict=True):
            kinds[kind] += n
            if group:  # as counted from rows (find): a kind's own facet per (kind, group)
                groups[kind, group] += n
            if year:
                years[year] += n
        facets = {"kind": kinds, "group": groups, "year": years}
    return Outcome(keys=keys, capped=capped, facets=facets, kinds=KindsOfKeys(keys))


def find(
    queryset, query: Query, *, order: str = NEWEST, kinds=None, indexed=None, need=None
) -> Outcome:
    """Matching documents of ``queryset`` (already visible_to-filtered), newest or best first.

    ``kinds``: the only kinds ``queryset`` can hold, when the caller knows it (those
    the reader may see, those a filter keeps), or None. ``indexed`` (PostgreSQL):
    ``(counted, lexemes)``, the same scope with the visibility of some kinds left to
    the token index (``visible_where(trusted=…)``) and the audience lexemes that
    apply it (visibility.token_scope); the time windows then read those, and
    ``queryset`` serves only when they cannot. ``(counted, lexemes, bare)``: ``bare``
    when the lexemes are the whole scope (every kind in it trusted, no filter on a
    document's columns), so that no document is read twice (``newest_sql``).
    ``need``: how many keys, newest first, the caller reads (``keys_needed``), or None
    (all): a capped result may then hold only those in ``keys`` (``Outcome.count``).
    """
    connection = connections[queryset.db]
    matched = None if uses_tsvector(connection) else match(queryset, query)
    if uses_fts5(connection):
        rows = list(
            _values(matched.extra(order_by=["search_fts.rowid"]), query, order)[: LIMIT + 1]
        )
    elif uses_tsvector(connection):
        try:
            if indexed is not None:
                counted, lexemes, bare = indexed
                needed = need if order == NEWEST else None  # relevance ranks all LIMIT
                compiled = newest_sql(counted, query, lexemes=lexemes, bare=bare, need=needed)
            else:
                compiled = newest_sql(queryset, query, kinds)
        except EmptyResultSet:
            compiled, rows = None, []
        else:
            if compiled is None:
                rows = None
            elif compiled[0] is NEWEST_CALL:  # the function brings its own settings
                with connection.cursor() as cursor:
                    cursor.execute(*compiled)
                    keys, *grouped, known = cursor.fetchone()
                if not any(map(gt, keys, keys[1:])):
                    return _from_keys(queryset, query, order, keys, grouped, known)
                rows = None
            else:
                rows = steered(connection, *compiled)
        keys = None if rows is None else keys_of(rows)
        if keys is None or any(map(gt, keys, keys[1:])):
            # No windows, or they came back out of order: sort every match.
            matched = match(queryset, query)
            every = _values(matched.order_by("sort_key"), query, NEWEST)[: LIMIT + 1]
            try:
                rows = steered(connection, *every.query.get_compiler(queryset.db).as_sql())
            except EmptyResultSet:
                rows = []
        if order == RELEVANCE and rows:
            scores = dict(
                queryset.model.objects.filter(sort_key__in=[row[0] for row in rows[:LIMIT]])
                .annotate(score=relevance(query))
                .values_list("sort_key", "score")
            )
            rows = [(*row, scores.get(row[0], 0.0)) for row in rows]
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
            # A kind's own facet (registry.Facet): counted per (kind, group).
            "group": Counter((row[1], row[2]) for row in rows if row[2]),
            "year": Counter(row[3] for row in rows if row[3]),
        }
    return Outcome(
        keys=[row[0] for row in rows],
        capped=capped,
        facets=facets,
        kinds={row[0]: row[1] for row in rows},
    )


FIRST_YEAR, LAST_YEAR = 1970, 2229  # what a sort key can encode (models.MINUTE_BITS)


def _month(year: int, month: int) -> str:
    return f"'\u00a6t{year:04d}{month:02d}'"


def _year(year: int) -> str:
    # An exact year lexeme, not the prefix of its months: GIN skips through an
    # exact entry's postings but reads a prefix's in full first.
    return f"'\u00a6y{year:04d}'"


def _span(newest: int, oldest: int) -> list[str]:
    """Alternatives for the months ``oldest..newest`` (month numbers since year 0):
    whole years as year prefixes, the rest as single months."""
    out = []
    month = newest
    while month >= oldest:
        year, index = divmod(month, 12)
        if index == 11 and month - 11 >= oldest:
            out.append(_year(year))
            month -= 12
        else:
            out.append(_month(year, index + 1))
            month -= 1
    return out


def time_windows(now: datetime) -> tuple[tuple[str, ...], ...]:
    """Newest-first windows of time, each as tsquery alternatives of month lexemes.

    The future, then windows of 1, 1, 2, 4, 8, … months back to 1970, so that
    the window where the 1,001st match falls holds about as many documents as
    all newer ones together. Every document's month lexeme
    (models.time_lexemes) lie in exactly one window.
    """
    now = now.astimezone(UTC)
    return _month_windows(now.year, now.month)


@cache
def _month_windows(y: int, m: int) -> tuple[tuple[str, ...], ...]:
    """time_windows of any moment of month ``m`` of year ``y`` (UTC); kept per month."""
    return tuple(window for window, _bound in _windows_and_bounds(y, m))


def _future(y: int, m: int) -> list[tuple[str, int]]:
    """The future window's alternatives after month ``m`` of ``y``, oldest first, each
    with its oldest month (months since year 0)."""
    future = [(_month(y, mm), y * 12 + mm - 1) for mm in range(m + 1, 13)]
    # Years up to the end of the decade after next, then decade and century
    # prefixes ('¦y204':* is 2040-2049, '¦y21':* the 2100s).
    last_year = min((y + 10) // 10 * 10 + 9, LAST_YEAR)
    future += [(_year(yy), yy * 12) for yy in range(y + 1, last_year + 1)]
    decade = last_year // 10 + 1
    while decade * 10 <= LAST_YEAR and decade % 10:
        future.append((f"'\u00a6y{decade:03d}':*", decade * 120))
        decade += 1
    future += [(f"'\u00a6y{c:02d}':*", c * 1200) for c in range(decade // 10, LAST_YEAR // 100 + 1)]
    return future


@cache
def _windows_and_bounds(y: int, m: int) -> tuple[tuple[tuple[str, ...], int], ...]:
    """``(window, bound)`` for the time_windows of month ``m`` of ``y``. search_newest
    (search 0012) lays out the same windows, the future one left out, from the month of
    the newest document its reader may see."""
    future = [alternative for alternative, _oldest in _future(y, m)]
    newest, first = y * 12 + m - 1, FIRST_YEAR * 12
    windows = [(future, newest + 1)]  # with the oldest month of each (months since year 0)
    size = 1
    while newest >= first:
        oldest = max(newest - size + 1, first)
        windows.append((_span(newest, oldest), oldest))
        newest = oldest - 1
        if len(windows) > 2:
            size *= 2
    return tuple((tuple(window), _month_bound(oldest)) for window, oldest in windows if window)


def _month_bound(month: int) -> int:
    """models.key_bound of the first minute of ``month`` (months since year 0, UTC)."""
    year, index = divmod(month, 12)
    if year > LAST_YEAR:
        return -1  # past what a key can encode: no document
    return key_bound(datetime(year, index + 1, 1, tzinfo=UTC))


# The bare windows (newest_sql): search 0012's function, under its own planner settings.
NEWEST_CALL = "SELECT * FROM search_newest(%s, %s::text[], %s, %s::text[], %s::text[], %s::integer)"


def keys_needed(page, per_page: int) -> int | None:
    """The keys a list's page ``page`` (``?page=``'s text, or None: the first) shows
    and the ones before it: ``page * per_page``; None when ``page`` is not a whole
    number from 1 or lies past LIMIT (then every key is read, and the paginator
    answers as before)."""
    try:
        number = int(page or 1)
    except (TypeError, ValueError):
        return None
    return number * per_page if 1 <= number <= LIMIT // per_page + 1 else None


_PLAIN_LEXEME = re.compile(r"'([^'\\]+)'")


def _plain_lexemes(tsquery: str) -> list[str] | None:
    """The lexemes of ``tsquery`` when it is only quoted lexemes ANDed (Query.tsquery),
    else None."""
    lexemes = []
    for part in tsquery.split(" & "):
        found = _PLAIN_LEXEME.fullmatch(part)
        if found is None:
            return None
        lexemes.append(found[1])
    return lexemes or None


def keys_of(rows) -> list[int]:
    return [row[0] for row in rows]


def newest_sql(
    queryset, query: Query, kinds=None, lexemes=None, bare=False, need=None
) -> tuple[str, list] | None:
    """SQL for the newest LIMIT + 1 matches of ``queryset`` (PostgreSQL), or None.

    A UNION ALL of the time windows, newest first, each a GIN lookup of the
    words AND the window's month lexemes on the documents' tokens, sorted; joined
    to the documents again, which ``queryset``'s WHERE (visible_to and the filters,
    compiled by Django) narrows. Under the LIMIT, PostgreSQL's Append stops
    running windows once it has enough rows, so a common word reads one or two.
    The windows sort by ``sort_key + 0`` so that no plan walks the primary
    key reading every row's tsvector. A word the n-grams cannot prove is confirmed
    in the candidate's folded text (``SearchText``, one wide row each). None when
    the queryset needs joins (the caller then sorts every match instead). ``kinds`` (see ``find``) joins the
    lookup as their kind lexemes (models.kind_lexeme), so documents of other kinds
    (an anonymous reader's progress reports) stay in the index. ``lexemes``, when
    given, replaces them: alternatives from visibility.token_scope, so only
    documents the reader may see leave the index (None: every document; an empty
    list: none, EmptyResultSet).

    ``bare``: ``queryset``'s WHERE says nothing the lexemes do not (the caller
    knows: visibility.token_scope trusted every kind, and no filter reads a
    document's columns), so it is left out, and the windows return the kind, group
    and year of the rows they read: no second read of any document. Bare, the
    windows run in ``search_newest`` (search 0006, ``NEWEST_CALL``): one call, each
    window's plan kept per connection instead of 13 planned on every search, the
    windows those of ``time_windows`` but laid out from the month of the newest
    document rather than from the clock (of the newest document ``lexemes`` admit,
    search 0010; search 0012); ``need`` (see ``find``) lets it
    stop at the page's keys when the counts it keeps prove the result capped (search
    0009).
    """
    words = query.tsquery()
    base = words
    if lexemes is None and kinds:
        lexemes = [kind_lexeme(kind) for kind in sorted(kinds)]
    if lexemes is not None:
        if not lexemes:
            raise EmptyResultSet
        # Kind and audience names are letters, digits and _ (registry): no quoting needed.
        alternatives = " | ".join(f"'{lexeme}'" for lexeme in lexemes)
        base = f"{base} & ({alternatives})"
    confirm = [w for w in query.words if query.needs_confirmation(w, phrases=False)]
    if bare:
        # The windows through search_newest (search 0012): each window's plan kept
        # per connection, laid out from the newest document the reader may see.
        plain = None if confirm or need is None else _plain_lexemes(words)
        return NEWEST_CALL, [
            base,
            confirm or None,
            LIMIT + 1,
            plain,
            lexemes,
            need if plain is not None else None,
        ]
    windows = time_windows(timezone.now())
    queries = [f"({base}) & ({' | '.join(window)})" for window in windows]
    connection = connections[queryset.db]
    docs = queryset.query.chain()
    if sum(1 for count in docs.alias_refcount.values() if count) > 1:
        return None  # a filter joins another table
    compiler = docs.get_compiler(connection=connection)
    try:
        where, where_params = compiler.compile(docs.where)
    except FullResultSet:
        where, where_params = "TRUE", []
    table = queryset.model._meta.db_table
    branch = f'SELECT w."sort_key" FROM "{table}" AS w WHERE w.tokens @@ (%s)::tsquery'
    if confirm:
        # The words the n-grams cannot prove, confirmed in the folded text (a row of
        # its own per document, read only for the candidates).
        branch += (
            f" AND EXISTS(SELECT 1 FROM {SearchText._meta.db_table} AS t "
            "WHERE t.document_id = w.sort_key"
            + "".join(" AND strpos(t.text, %s) > 0" for _ in confirm)
            + ")"
        )
    branch += " ORDER BY w.sort_key + 0"
    union = " UNION ALL ".join([f"({branch})"] * len(windows))
    params = [param for window_query in queries for param in (window_query, *confirm)]
    fields = ", ".join(f'"{table}"."{f}"' for f in CANDIDATE_FIELDS)
    sql = (
        f"SELECT {fields} FROM ({union}) AS matches "
        f'JOIN "{table}" ON "{table}"."sort_key" = matches.sort_key '
        f"WHERE {where} LIMIT %s"
    )
    return sql, [*params, *where_params, LIMIT + 1]


def all_matches(queryset, query: Query) -> list[int]:
    """Every matching sort key, newest first, with no bound (benchmark recall checks)."""
    matched = match(queryset, query)
    if uses_fts5(connections[queryset.db]):
        matched = matched.extra(order_by=["search_fts.rowid"])
    else:
        matched = matched.order_by("sort_key")
    return list(matched.values_list("sort_key", flat=True))
