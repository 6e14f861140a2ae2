"""Keep the search index following the content, in the same transaction, for every registered kind.

Signals are the sanctioned place for an index (STYLE.md): publishing, editing,
withdrawing or deleting goes through ``save()``/``delete()`` and lands here.
``registry.register`` calls ``connect(kind)``, which listens to the kind's own
model, the models it ``follows`` and its ``m2m`` fields. Who may read a document
is written with it too (``SearchKind.audiences``, PostgreSQL's lexemes for the count
and facets), so every change of visibility must reach here; the hits shown are
checked against the kind's ``visible_to`` at query time all the same. Bulk writes
that bypass signals (``bulk_create``, ``QuerySet.update``) need
``manage.py rebuild_search_index``.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from .index import remove_documents, remove_fts_rows, update_documents
from .models import SearchText


def _skip_save(raw, update_fields, ignore, fields=None) -> bool:
    if raw:  # fixtures: related rows may not exist yet; rebuild afterwards
        return True
    if update_fields is None:
        return False
    if fields is not None and not set(update_fields) & fields:
        return True
    return set(update_fields) <= ignore


def _cascaded(sender, origin) -> bool:
    """Whether a delete started at another model (its cascade removes or rewrites the document)."""
    if origin is None:
        return False
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is not sender


def _uid(kind, what: str) -> str:
    return f"search:{kind.name}:{what}"


def _receivers(kind):
    """(signal, sender, receiver, dispatch uid) of everything that changes ``kind``'s documents."""

    def saved(sender, instance, raw=False, update_fields=None, **kwargs):
        if not _skip_save(raw, update_fields, kind.ignore):
            update_documents(kind, [instance.pk])

    def deleted(sender, instance, **kwargs):
        remove_documents(kind, [instance.pk])

    yield post_save, kind.model, saved, _uid(kind, "saved")
    yield post_delete, kind.model, deleted, _uid(kind, "deleted")

    for n, follow in enumerate(kind.follows):
        model = apps.get_model(follow.model) if isinstance(follow.model, str) else follow.model

        def part_saved(sender, instance, created=False, raw=False, update_fields=None,
                       _follow=follow, **kwargs):  # fmt: skip
            if (created and not _follow.created) or _skip_save(
                raw, update_fields, _follow.ignore, _follow.fields
            ):
                return
            update_documents(kind, _follow.sources(instance))

        yield post_save, model, part_saved, _uid(kind, f"follows{n}:saved")
        if follow.deleted:

            def part_deleted(sender, instance, origin=None, _follow=follow, **kwargs):
                if not _cascaded(sender, origin):
                    update_documents(kind, _follow.sources(instance))

            yield post_delete, model, part_deleted, _uid(kind, f"follows{n}:deleted")

    for name in kind.m2m:
        field = kind.model._meta.get_field(name)
        through = field.remote_field.through
        own, other = field.m2m_field_name(), field.m2m_reverse_field_name()

        def m2m(sender, instance, action, reverse, pk_set, _own=own, _other=other, **kwargs):
            if not reverse:  # ``instance`` is the kind's object
                if action in ("post_add", "post_remove", "post_clear"):
                    update_documents(kind, [instance.pk])
                return
            # From the other side: ``instance`` is e.g. a Unit, ``pk_set`` the kind's ids.
            if action == "pre_clear":
                setattr(
                    instance,
                    f"_search_cleared_{kind.name}",
                    list(
                        sender.objects.filter(**{f"{_other}_id": instance.pk}).values_list(
                            f"{_own}_id", flat=True
                        )
                    ),
                )
            elif action in ("post_add", "post_remove"):
                update_documents(kind, pk_set or [])
            elif action == "post_clear":
                update_documents(kind, getattr(instance, f"_search_cleared_{kind.name}", []))

        yield m2m_changed, through, m2m, _uid(kind, f"m2m:{name}")


def connect(kind) -> None:
    """Listen to every save, delete and m2m change that alters ``kind``'s documents."""
    for signal, sender, handler, uid in _receivers(kind):
        signal.connect(handler, sender=sender, dispatch_uid=uid, weak=False)


def disconnect(kind) -> None:
    for signal, sender, _handler, uid in _receivers(kind):
        signal.disconnect(sender=sender, dispatch_uid=uid)


@receiver(pre_delete, sender=SearchText, dispatch_uid="search_text_deleting")
def text_deleting(sender, instance, **kwargs):
    # Before the row goes (cascades included): the FTS5 'delete' needs the
    # tokens it was indexed with, recomputed from the stored folded text.
    remove_fts_rows([(instance.document_id, instance.text)])
