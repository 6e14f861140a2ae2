"""The overview's statements kept per process under a stamp of the tables they read
(tasks 0010, PostgreSQL; issue 11).

The plans and categories, the units, the rates and the page's rows are pure functions
of their SQL, its parameters (the lights' day, the month's period, the time zone and
the filters' values among them) and the content of ``STAMPED_TABLES``. Tasks 0010
writes a new random value to ``STAMP_TABLE`` in the commit of every transaction that
changes one of them, whatever the path. A request reads the stamp once (``current``),
then each statement's rows are those kept under the same key and the same stamp when
there are, else fetched and kept (``fetchall``, ``rows``): a day that changes, a
report that arrives, a task's due date or an assignment that changes gives a new
key or a new stamp, so nothing kept outlives what it was read from.

The stamp is read before the rows, and moves in the same commit as the rows it
names, so rows kept under a stamp are at least as new as it. Nothing is kept or taken
on SQLite, without the stamp's row, or inside a transaction (whose own writes move the
stamp only at its commit): the statements then run as they did.

Kept rows are shared by every request of the process: callers read them, never
change them (tuples in a tuple).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import NamedTuple

from django.db import connections

from portal.kept_sql import KeptQuery

STAMP_TABLE = "tasks_overview_stamp"
# What tasks 0010's triggers watch: every table the kept statements read (a test
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
    kept or taken: not PostgreSQL, inside a transaction, or no stamp row."""
    connection = connections[using]
    # Inside a transaction (``atomic``: autocommit off) its own writes would not have
    # moved the stamp yet.
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {STAMP_TABLE} WHERE id = 1")  # noqa: S608 - a constant
        row = cursor.fetchone()
    return None if row is None else Stamp(using, row[0])


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
