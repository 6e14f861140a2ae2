"""Writing the index: documents and their tokens follow the content in the same transaction.

Signals (``signals.py``) call ``update_documents`` for whatever changed; the
``rebuild_search_index`` command calls ``rebuild``. On SQLite the tokens go to
the contentless FTS5 table ``search_fts`` (rowid = ``sort_key``); such a table
cannot read back what it holds, so removing a row means the FTS5 'delete'
command with the old tokens, recomputed from the stored folded text. On
PostgreSQL the tokens are the row's own ``tokens`` tsvector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from . import documents
from .models import SearchDocument, uses_fts5, uses_tsvector
from .text import token_string, tsvector_literal

FTS_TABLE = "search_fts"
GIN_INDEX = "search_doc_tokens_gin"
KINDS = [
    SearchDocument.Kind.ISSUE,
    SearchDocument.Kind.MEETING,
    SearchDocument.Kind.TASK,
    SearchDocument.Kind.REPORT,
]
COMPARED = ["sort_key", "series_id", "year", "date", "title", "label", "body"]


# --- SQL of the two token stores --------------------------------------------------


def create_fts_sql() -> str:
    # ascii tokenizer: our tokens are space-separated bigrams; every non-ASCII
    # character is a token character there, whatever SQLite's Unicode tables say.
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "tokens, content='', tokenize='ascii', detail=full, columnsize=0)"
    )


def create_gin_sql() -> str:
    return (
        f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON search_searchdocument "
        "USING gin (tokens) WITH (fastupdate = on)"
    )


def fts_insert(cursor, rows: Iterable[tuple[int, str]]) -> None:
    """Add ``(sort_key, folded text)`` rows to the FTS5 table."""
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE}(rowid, tokens) VALUES (%s, %s)",
        [(key, token_string(text)) for key, text in rows],
    )


def fts_delete(cursor, rows: Iterable[tuple[int, str]]) -> None:
    """Remove rows from the contentless FTS5 table: the 'delete' command needs the old tokens."""
    cursor.executemany(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, tokens) VALUES ('delete', %s, %s)",
        [(key, token_string(text)) for key, text in rows],
    )


# --- Following the content -------------------------------------------------------


def update_documents(kind: str, ids: Iterable[int]) -> int:
    """Re-read the given sources of one kind and bring their documents up to date.

    Sources that no longer exist lose their document. Unchanged documents are
    not rewritten. Returns the number of documents written or removed. Runs in
    the caller's transaction (or its own), so the index never lags a commit.
    """
    ids = sorted({int(i) for i in ids if i})
    if not ids:
        return 0
    fk = f"{kind}_id"
    with transaction.atomic():
        # Lock the existing documents first, then read the sources: a concurrent
        # edit of the same source waits here and then sees the committed rows.
        old_qs = SearchDocument.objects.filter(**{f"{fk}__in": ids})
        if connection.features.has_select_for_update:
            old_qs = old_qs.select_for_update()
        old = {row[fk]: row for row in old_qs.values("pk", fk, "text", *COMPARED)}
        new = documents.build(kind, ids)
        return _write(kind, ids, old, new)


def _write(kind, ids, old: dict, new: dict) -> int:
    fts = uses_fts5(connection)
    tsv = uses_tsvector(connection)
    gone = [old[i]["pk"] for i in ids if i in old and i not in new]
    inserts: list[SearchDocument] = []
    fts_out: list[tuple[int, str]] = []
    fts_in: list[tuple[int, str]] = []
    written = 0
    for source_id in ids:
        doc = new.get(source_id)
        if doc is None:
            continue
        values = doc.field_values()
        before = old.get(source_id)
        if before and all(before[f] == values[f] for f in COMPARED):
            continue
        if tsv:
            values["tokens"] = tsvector_literal(values["text"])
        if fts:
            fts_in.append((doc.sort_key, values["text"]))
        if before:
            if fts:
                fts_out.append((before["sort_key"], before["text"]))
            SearchDocument.objects.filter(pk=before["pk"]).update(**values)
        else:
            inserts.append(SearchDocument(**values))
        written += 1
    if fts and (fts_out or fts_in):
        with connection.cursor() as cursor:
            if fts_out:
                fts_delete(cursor, fts_out)
            if fts_in:
                fts_insert(cursor, fts_in)
    if inserts:
        SearchDocument.objects.bulk_create(inserts, batch_size=100)
    if gone:
        # The post_delete receiver takes the rows out of the FTS5 table.
        SearchDocument.objects.filter(pk__in=gone).delete()
    return written + len(gone)


def remove_fts_rows(rows: Iterable[tuple[int, str]]) -> None:
    """Called when documents are deleted through the ORM (cascades included)."""
    if uses_fts5(connection):
        with connection.cursor() as cursor:
            fts_delete(cursor, rows)


# --- Rebuilding ------------------------------------------------------------------


def total_sources() -> int:
    return sum(documents.count(kind) for kind in KINDS)


def rebuild(
    *, reset: bool = False, batch_size: int = 200, progress: Callable[[int], None] | None = None
) -> int:
    """Rebuild every document from its source, one short transaction per batch.

    Safe while the site runs: each batch locks only its own documents, edits
    made meanwhile go through the signals as usual, and readers always see a
    complete index. ``reset`` first empties the index (searches are incomplete
    until it finishes): for a damaged FTS5 table or after a tokenizer change.
    Returns the number of documents written.
    """
    written = 0
    if reset:
        clear()
    for kind in KINDS:
        for ids in documents.iter_ids(kind, batch_size):
            written += update_documents(kind, ids)
            if progress:
                progress(len(ids))
    with transaction.atomic():
        # Documents whose source row is gone cannot exist (CASCADE), but a
        # document of an unknown kind could (an older version): drop it.
        stale = SearchDocument.objects.exclude(kind__in=KINDS)
        if stale.exists():
            stale.delete()
    if reset:
        finish_bulk_load()
    return written


def clear() -> None:
    """Empty the index (documents and tokens) in one transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SearchDocument._meta.db_table}")
        if uses_fts5(connection):
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
        if uses_tsvector(connection):
            # Building the GIN index once at the end is far faster than
            # maintaining it row by row during a full load.
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


def finish_bulk_load() -> None:
    """After a full load: merge FTS5 segments, or build the GIN index and refresh statistics."""
    with connection.cursor() as cursor:
        if uses_fts5(connection):
            with transaction.atomic():
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")
        if uses_tsvector(connection):
            # Inside an outer transaction, deferred FK checks still pending would
            # make CREATE INDEX refuse; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(create_gin_sql())
            cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")


def index_size_bytes() -> dict[str, int]:
    """Bytes taken by the index (documents table and token index), for the benchmark."""
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        if uses_tsvector(connection):
            cursor.execute(
                "SELECT pg_total_relation_size(%s), pg_relation_size(%s)", [table, GIN_INDEX]
            )
            total, gin = cursor.fetchone()
            return {"documents": total - gin, "tokens": gin}
        if uses_fts5(connection):
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE tbl_name = %s AND type IN ('table', 'index')",
                [table],
            )
            doc_objects = {row[0] for row in cursor.fetchall()}
            try:
                cursor.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")
            except Exception:  # SQLite built without the dbstat table
                return {}
            sizes = dict(cursor.fetchall())
            return {
                "documents": sum(v for k, v in sizes.items() if k in doc_objects),
                "tokens": sum(v for k, v in sizes.items() if k.startswith(FTS_TABLE + "_")),
            }
    return {}
