"""The overview's statements kept per process under a stamp of the tables they read
(tasks 0010, 0012; PostgreSQL; issue 11).

The plans and categories, the units, the rates and the page's rows are pure functions
of their SQL, its parameters (the lights' day, the month's period, the time zone and
the filters' values among them) and the content of ``STAMPED_TABLES``. A request
reads the stamp once (``current``), then each statement's rows are those kept under
the same key and the same stamp when there are, else fetched and kept (``fetchall``,
``rows``): a day that changes, a report that arrives, a task's due date or an
assignment that changes gives a new key or a new stamp, so nothing kept outlives what
it was read from.

The stamp (tasks 0012; 0010 had one shared row, written at commit under search
0011's lock, and could deadlock with the deferred foreign-key checks that follow).
``STAMP_TABLE`` holds a base row (an epoch, a UUID that a restore renews, and the
values of backends that have exited) and one row per backend that has written the
stamped tables. The commit of every transaction that writes them sets its own
backend's row to the next value of one sequence; no two transactions write the same
row, and nobody waits for the stamp. The stamp is ``(epoch, sum of the values)``:

- Every such commit makes the sum larger: a backend runs one transaction at a time,
  so the value it writes is larger than the one its row held, and a new row adds a
  positive value. Pruning an exited backend's row adds its value to the base row in
  the same statement: the sum does not move. So, within an epoch, the sum never
  comes back to a value it had, and two reads that give the same stamp saw the same
  committed content of the stamped tables.
- Not the largest value: T2 may take a larger value than T1 and commit first; T1's
  commit would then leave the largest value where it was, and rows read between the
  two commits would be kept under a stamp that T1's changes did not move.
- The stamp moves in the same commit as the rows it names and is read before them,
  so rows kept under a stamp are at least as new as the content it names: a commit
  between a request's stamp and its statements only makes the kept rows newer, and
  that commit moves the stamp, so the next request (which reads the new stamp) does
  not take them; a request that still read the old stamp gets rows it could have
  read itself after its stamp.
- A restore gives a new epoch (``portal/backup.py``): the restored sums may repeat
  sums the database had after the backup.

Nothing is kept or taken on SQLite, without the base row, or inside a transaction
(whose own writes move the stamp only at its commit): the statements then run as
they did.

Kept rows are shared by every request of the process: callers read them, never
change them (tuples in a tuple).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import NamedTuple

from django.db import connections

from portal.kept_sql import KeptQuery

STAMP_TABLE = "tasks_overview_stamps"
# The stamp in one statement: the base row's epoch and version (its xmin: the
# transaction that last wrote it, new after any restore, whichever release's code ran
# it, since pg_restore writes every row again) and the sum of every row's value (None,
# None without the base row or any row).
STAMP_SQL = (
    "SELECT (SELECT epoch::text || '/' || xmin::text FROM tasks_overview_stamps "
    "WHERE pid = 0), sum(value) FROM tasks_overview_stamps"
)
# What tasks 0012's triggers watch: every table the kept statements read (a test
# compiles them for every filter and checks).
STAMPED_TABLES = frozenset(
    ("tasks_plan", "tasks_task", "tasks_assignment", "tasks_progressreport", "units_unit")
)

MEMO_SIZE = 512  # statements × filters × pages; cleared whole if ever exceeded
_kept: dict[Hashable, tuple] = {}


class Stamp(NamedTuple):
    """The stamp of database ``using`` as a request read it."""

    using: str
    value: object


def current(using: str) -> Stamp | None:
    """The stamp of database ``using`` now (one statement), or None when nothing may be
    kept or taken: not PostgreSQL, inside a transaction, or no base row."""
    connection = connections[using]
    # Inside a transaction (``atomic``: autocommit off) its own writes would not have
    # moved the stamp yet.
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        return None
    with connection.cursor() as cursor:
        cursor.execute(STAMP_SQL)
        epoch, total = cursor.fetchone()
    return None if epoch is None else Stamp(using, (epoch, total))


def kept(stamp: Stamp | None, using: str, key: Hashable, fetch: Callable[[], list]) -> tuple:
    """``fetch()``'s rows (a tuple), those kept under ``key`` when they were read at
    ``stamp`` of database ``using``; else fetched now and kept. ``key`` must name
    everything the rows depend on but the stamped tables' content."""
    if stamp is None or stamp.using != using:
        return tuple(fetch())
    key = (using, key)
    try:
        found = _kept.get(key)
    except TypeError:  # a parameter that cannot be a key (a list): not kept
        return tuple(fetch())
    if found is not None and found[0] == stamp.value:
        return found[1]
    rows = tuple(fetch())
    if len(_kept) >= MEMO_SIZE:
        _kept.clear()
    _kept[key] = (stamp.value, rows)
    return rows


def fetchall(stamp: Stamp | None, using: str, sql: str, params) -> tuple:
    """The rows of ``sql`` with ``params`` on database ``using``, kept under ``stamp``
    (``kept``): the statement and its parameters are the key."""

    def fetch():
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return kept(stamp, using, ("sql", sql, tuple(params)), fetch)


def query_rows(stamp: Stamp | None, query: KeptQuery) -> tuple:
    """``query.rows()`` (a kept query run without values), kept under ``stamp``."""
    return kept(stamp, query.using, ("query", query.sql, query.params), query.rows)


def query_dicts(stamp: Stamp | None, query: KeptQuery) -> list[dict]:
    """``query.dicts()`` (a kept query run without values), kept under ``stamp``."""
    names = query.names
    return [dict(zip(names, row, strict=True)) for row in query_rows(stamp, query)]


def forget() -> None:
    """Drop every kept row (tests)."""
    _kept.clear()
