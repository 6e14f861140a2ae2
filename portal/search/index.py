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

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q

from . import documents, registry
from .models import (
    AUDIENCE_PREFIX,
    SearchDocument,
    SearchText,
    audience_lexeme,
    kind_lexeme,
    time_lexemes,
    uses_fts5,
    uses_tsvector,
)
from .text import token_string, tsvector_literal

FTS_TABLE = "search_fts"
GIN_INDEX = "search_doc_tokens_gin"
# search_lexeme_docs (search 0009) keeps the lexemes in at least this many documents:
# one in fewer cannot prove a search capped (engine.LIMIT + 1).
KEPT_MIN_DOCS = 1001
COMPARED = ["group", "year", "date", "title", "label"]
# The audience lexemes a document's tokens hold (PostgreSQL), read back to compare.
OLD_AUDIENCES = (
    'ARRAY(SELECT lexeme FROM unnest("search_searchdocument"."tokens") '
    "WHERE starts_with(lexeme, %s))"
)


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


def _kind(kind: registry.SearchKind | str) -> registry.SearchKind:
    return registry.get(kind) if isinstance(kind, str) else kind


def update_documents(kind: registry.SearchKind | str, ids: Iterable[int]) -> int:
    """Re-read the given objects of one kind (or its name) and bring their documents up to date.

    Objects that no longer exist lose their document. Unchanged documents are
    not rewritten. Returns the number of documents written or removed. Runs in
    the caller's transaction (or its own), so the index never lags a commit.
    """
    kind = _kind(kind)
    ids = sorted({int(i) for i in ids if i})
    if not ids:
        return 0
    with transaction.atomic():
        # Lock the existing documents first, then read the sources: a concurrent
        # edit of the same source waits here and then sees the committed rows.
        old_qs = _documents_of(kind, ids)
        if connection.features.has_select_for_update:
            old_qs = old_qs.select_for_update(of=("self",))
        fields = ["sort_key", "object_id", "content__body", *COMPARED]
        if uses_tsvector(connection):
            old_qs = old_qs.extra(
                select={"audience_lexemes": OLD_AUDIENCES}, select_params=[AUDIENCE_PREFIX]
            )
            fields.append("audience_lexemes")
        old = {row["object_id"]: row for row in old_qs.values(*fields)}
        new = documents.build(kind, ids)
        return _write(ids, old, new)


def remove_documents(kind: registry.SearchKind | str, ids: Iterable[int]) -> int:
    """Drop the documents of these object ids (the objects are being deleted).

    Through the ORM, so the FTS5 rows go too. Returns the number of documents removed.
    """
    ids = [int(i) for i in ids if i]
    if not ids:
        return 0
    return _documents_of(_kind(kind), ids).delete()[1].get(SearchDocument._meta.label, 0)


def _documents_of(kind: registry.SearchKind, ids) -> models.QuerySet:
    return SearchDocument.objects.filter(
        content_type_id=documents.content_type_id(kind), object_id__in=ids
    )


def _audience_lexemes(doc) -> list[str]:
    return [audience_lexeme(doc.kind, name) for name in sorted(doc.audiences or ())]


def _unchanged(before: dict, doc) -> bool:
    """Whether the stored row equals ``doc``: on PostgreSQL its audience lexemes too
    (``audience_lexemes``), so a change of who may read it rewrites the tokens."""
    return (
        before["sort_key"] == doc.sort_key
        and before["content__body"] == doc.body
        and all(before[f] == getattr(doc, f) for f in COMPARED)
        and (
            "audience_lexemes" not in before
            or set(before["audience_lexemes"] or ()) == set(_audience_lexemes(doc))
        )
    )


def _write(ids, old: dict, new: dict) -> int:
    """Replace changed documents: delete the old rows (and tokens), insert the new ones."""
    fts = uses_fts5(connection)
    tsv = uses_tsvector(connection)
    stale: list[int] = []
    docs: list[SearchDocument] = []
    texts: list[SearchText] = []
    for source_id in ids:
        before, doc = old.get(source_id), new.get(source_id)
        if before is not None and doc is not None and _unchanged(before, doc):
            continue
        if before is not None:
            stale.append(before["sort_key"])
        if doc is not None:
            text = doc.text
            tokens = None
            if tsv:
                lexemes = [*time_lexemes(doc.sort_key), kind_lexeme(doc.kind)]
                tokens = tsvector_literal(text, [*lexemes, *_audience_lexemes(doc)])
            docs.append(SearchDocument(**doc.document_values(), tokens=tokens))
            texts.append(SearchText(document_id=doc.sort_key, text=text, body=doc.body))
    if stale:
        # Through the ORM so the pre_delete receiver takes the FTS5 rows out.
        SearchDocument.objects.filter(pk__in=stale).delete()
    if docs:
        # Batches of 100: on PostgreSQL each row carries its tokens (tens of KB).
        SearchDocument.objects.bulk_create(docs, batch_size=100)
        SearchText.objects.bulk_create(texts, batch_size=100)
        if fts:
            with connection.cursor() as cursor:
                fts_insert(cursor, [(t.document_id, t.text) for t in texts])
    return len(docs) + len(set(stale) - {d.sort_key for d in docs})


def remove_fts_rows(rows: Iterable[tuple[int, str]]) -> None:
    """Called when documents are deleted through the ORM (cascades included)."""
    if uses_fts5(connection):
        with connection.cursor() as cursor:
            fts_delete(cursor, rows)


# --- Rebuilding ------------------------------------------------------------------


def total_sources() -> int:
    return sum(documents.count(kind) for kind in registry.kinds())


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
    kinds = registry.kinds()
    for kind in kinds:
        for ids in documents.iter_ids(kind, batch_size):
            written += update_documents(kind, ids)
            if progress:
                progress(len(ids))
    with transaction.atomic():
        # Documents of a kind no longer registered, and of objects deleted
        # behind the signals' back (raw SQL, a restored table), are dropped.
        stale = ~Q(kind__in=[kind.name for kind in kinds])
        for kind in kinds:
            gone = ~Exists(kind.model._base_manager.filter(pk=OuterRef("object_id")))
            stale |= Q(content_type_id=documents.content_type_id(kind)) & gone
        stale = SearchDocument.objects.filter(stale)
        if stale.exists():
            stale.delete()
    if reset:
        finish_bulk_load()
    return written


def clear() -> None:
    """Empty the index (documents and tokens) in one transaction."""
    # TRUNCATE gives PostgreSQL's space back at once (DELETE leaves gigabytes of
    # dead tuples until a VACUUM FULL); its lock lasts only this short
    # transaction. Inside someone else's transaction (tests) rows written
    # earlier in it would make TRUNCATE refuse, so DELETE there.
    truncate = uses_tsvector(connection) and not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if truncate:
            cursor.execute(f"TRUNCATE {SearchText._meta.db_table}, {SearchDocument._meta.db_table}")
        else:
            cursor.execute(f"DELETE FROM {SearchText._meta.db_table}")
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
            cursor.execute("ANALYZE")
        if uses_tsvector(connection):
            # Inside an outer transaction, deferred FK checks still pending would
            # make CREATE INDEX refuse; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET maintenance_work_mem = '256MB'")
            cursor.execute(create_gin_sql())
            cursor.execute("RESET maintenance_work_mem")
            # The documents per lexeme (search 0009), emptied by clear()'s TRUNCATE and
            # not kept since: counted afresh in one statement.
            cursor.execute("SELECT search_recount_lexemes(%s)", [KEPT_MIN_DOCS])
            cursor.execute(f"ANALYZE {SearchDocument._meta.db_table}")
            cursor.execute(f"ANALYZE {SearchText._meta.db_table}")


def index_size_bytes() -> dict[str, int]:
    """Bytes taken by the index (documents and texts; token index), for the benchmark."""
    tables = [SearchDocument._meta.db_table, SearchText._meta.db_table]
    with connection.cursor() as cursor:
        if uses_tsvector(connection):
            cursor.execute(
                "SELECT pg_total_relation_size(%s) + pg_total_relation_size(%s), "
                "pg_relation_size(%s)",
                [*tables, GIN_INDEX],
            )
            total, gin = cursor.fetchone()
            return {"documents": total - gin, "tokens": gin}
        if uses_fts5(connection):
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE tbl_name IN (%s, %s) "
                "AND type IN ('table', 'index')",
                tables,
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
