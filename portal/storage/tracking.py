"""Files written inside a transaction that rolls back are removed with it.

Django has no rollback hook, so each write inside an atomic block registers an
``on_commit`` marker: a marker that neither ran nor is still pending when the
scope closes belongs to a transaction (or savepoint) that rolled back, and its
file is deleted. A write made outside any transaction is kept, unless the scope
ends in failure and no row points to the file. Scopes: every request
(``portal.storage.middleware``), and ``tracked_writes()`` around jobs and
commands that write files. A process killed between the write and the commit
leaves an orphan that ``manage.py check_storage --delete-orphans`` removes.
"""

import logging
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

logger = logging.getLogger(__name__)

_scope: ContextVar[list | None] = ContextVar("portal_storage_writes", default=None)


class _Committed:
    """The ``on_commit`` marker of one write: set when its transaction commits."""

    __slots__ = ("done",)

    def __init__(self):
        self.done = False

    def __call__(self):
        self.done = True


def record_write(storage, name: str) -> None:
    """Note that ``name`` was just written to ``storage`` (called by the private storages)."""
    writes = _scope.get()
    if writes is None:
        return
    marker = None
    if connection.in_atomic_block:
        marker = _Committed()
        transaction.on_commit(marker)
    writes.append((storage, name, marker))


def _pending(marker) -> bool:
    return any(entry[1] is marker for entry in connection.run_on_commit)


def _discard(writes: list, *, failed: bool) -> list[str]:
    from .inventory import referenced_names

    removed = []
    unsure = []
    for storage, name, marker in writes:
        if marker is None:
            if failed:
                unsure.append((storage, name))
        elif not marker.done and not _pending(marker):
            removed.append((storage, name))
    if unsure:
        try:
            known = referenced_names(names=[name for _, name in unsure])
        except Exception:  # the database is what failed: keep them, check_storage decides
            logger.warning("Could not check %d written files after a failure", len(unsure))
        else:
            removed += [(storage, name) for storage, name in unsure if name not in known]
    for storage, name in removed:
        try:
            storage.delete(name)
        except Exception:  # the store may be what failed; check_storage finds it later
            logger.warning("Could not remove %s after a failed write", name, exc_info=True)
    return [name for _, name in removed]


@contextmanager
def tracked_writes():
    """Remove the files written inside this block whose transaction rolled back.

    Yields the list of writes; setting its ``failed`` attribute (or an exception
    leaving the block) also removes files written outside a transaction that no
    row points to. Nested scopes share the outermost one.
    """
    if _scope.get() is not None:
        yield _scope.get()
        return
    writes = _WriteList()
    token = _scope.set(writes)
    try:
        yield writes
    except BaseException:
        writes.failed = True
        raise
    finally:
        _scope.reset(token)
        _discard(writes, failed=writes.failed)


class _WriteList(list):
    failed = False
