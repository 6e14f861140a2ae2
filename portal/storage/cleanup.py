"""A replaced or deleted private file's old object goes once the change commits.

Connected for every model with a private file field (``inventory``): the
names a row was loaded with are remembered; after a save that changed one, or
a delete, the old object is deleted when the transaction commits (never before:
a rollback keeps the row pointing at it), unless another row still names it.
Revision-history rows are not live rows: an old revision may name a file that
is gone.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_init, post_save

from .inventory import private_file_fields, referenced_names

logger = logging.getLogger(__name__)

_ATTR = "_private_file_names"


def _names(instance, fields) -> dict[str, str | None]:
    names = {}
    for field in fields:
        # Deferred (``.only()``) fields are unknown: not in __dict__, skipped.
        if field.attname in instance.__dict__:
            value = instance.__dict__[field.attname]
            names[field.attname] = getattr(value, "name", value) or ""
    return names


def _delete_later(storage, names: list[str]) -> None:
    def delete():
        still_named = referenced_names(names=names)
        for name in names:
            if name in still_named:
                continue
            try:
                storage.delete(name)
            except Exception:  # the store is down: check_storage finds the orphan later
                logger.warning("Could not delete the replaced file %s", name, exc_info=True)

    transaction.on_commit(delete, robust=True)


def connect() -> None:
    """Connect the signal handlers (``PortalConfig.ready``)."""
    by_model: dict[type, list] = {}
    for model, field in private_file_fields():
        by_model.setdefault(model, []).append(field)
    for model, fields in by_model.items():

        def remember(sender, instance, fields=fields, **kwargs):
            instance.__dict__[_ATTR] = _names(instance, fields)

        def saved(sender, instance, fields=fields, **kwargs):
            before = instance.__dict__.get(_ATTR, {})
            now = _names(instance, fields)
            gone = [old for key, old in before.items() if old and now.get(key, old) != old]
            if gone:
                _delete_later(fields[0].storage, gone)
            instance.__dict__[_ATTR] = {**before, **now}

        def deleted(sender, instance, fields=fields, **kwargs):
            gone = [name for name in _names(instance, fields).values() if name]
            if gone:
                _delete_later(fields[0].storage, gone)

        uid = f"private-files-{model._meta.label}"
        post_init.connect(remember, sender=model, weak=False, dispatch_uid=uid)
        post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)
