"""From a kind's ``Document`` to the row the index stores: display text, folded text, sort key."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from portal.text import one_line

from . import registry
from .models import sort_key
from .text import fold, plain_text


@dataclass
class DocumentData:
    kind: str
    content_type_id: int
    source_id: int
    sort_key: int
    title: str
    label: str
    body: str
    group: int | None = None
    year: int | None = None
    date: date | None = None
    # registry.SearchKind.audiences of the object, None when its kind declares none.
    audiences: frozenset[str] | None = None

    @property
    def text(self) -> str:
        return fold(self.body)

    def document_values(self) -> dict:
        return {
            "sort_key": self.sort_key,
            "kind": self.kind,
            "content_type_id": self.content_type_id,
            "object_id": self.source_id,
            "group": self.group,
            "year": self.year,
            "date": self.date,
            "title": self.title,
            "label": self.label,
        }


def make(kind: registry.SearchKind, obj) -> DocumentData:
    """The stored form of ``kind.document(obj)``: the title on the first line, then each part."""
    doc = kind.document(obj)
    title_line = " ".join(plain_text(doc.title).split("\n"))[:300]
    lines = [title_line]
    for part, is_html in doc.parts:
        text = plain_text(part, is_html=is_html)
        if text:
            lines.append(text)
    return DocumentData(
        kind=kind.name,
        content_type_id=content_type_id(kind),
        source_id=obj.pk,
        sort_key=sort_key(kind.code, obj.pk, doc.when),
        title=title_line,
        # Unit and series names of rows written before portal/text.py: resolved here.
        label=one_line(doc.label)[:300],
        body="\n".join(lines),
        group=doc.group,
        year=doc.year,
        date=doc.date,
    )


def content_type_id(kind: registry.SearchKind) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(kind.model, for_concrete_model=False).pk


def build(kind: registry.SearchKind, ids: Iterable[int]) -> dict[int, DocumentData]:
    """Documents for the given object ids of one kind; ids that no longer exist are absent.
    Each carries its audiences (registry.SearchKind.audiences) read in one more query."""
    ids = list(ids)
    if not ids:
        return {}
    docs = {obj.pk: make(kind, obj) for obj in kind.queryset().filter(pk__in=ids)}
    if docs:
        audiences = kind.audiences(list(docs))
        if audiences is not None:
            for pk, doc in docs.items():
                doc.audiences = frozenset(audiences.get(pk, ()))
    return docs


def iter_ids(kind: registry.SearchKind, batch: int = 500) -> Iterator[list[int]]:
    """Every object id of a kind, in batches (keyset pagination, so rows may change meanwhile)."""
    last = 0
    while True:
        ids = list(
            kind.model._base_manager.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def count(kind: registry.SearchKind) -> int:
    return kind.model._base_manager.count()
