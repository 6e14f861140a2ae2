"""What the private store should hold and what it holds: ``manage.py check_storage``.

The rows that name private files are found from the models (every ``FileField``
whose storage is the private store, revision-history copies excluded), so a new
file field is covered without being listed here.
"""

import datetime as dt
import posixpath
from collections.abc import Iterable, Iterator

from django.apps import apps
from django.db.models import FileField
from django.utils import timezone


def _is_private(field) -> bool:
    from portal.files import private_storage

    return isinstance(field, FileField) and getattr(field, "_storage_callable", None) is (
        private_storage
    )


def _is_history(model) -> bool:
    return any(f.name == "history_id" for f in model._meta.concrete_fields)


def private_file_fields() -> list[tuple[type, FileField]]:
    """``(model, field)`` of every live model's field stored in the private store."""
    return [
        (model, field)
        for model in apps.get_models()
        if not model._meta.proxy and not _is_history(model)
        for field in model._meta.concrete_fields
        if _is_private(field)
    ]


def referenced_names(names: Iterable[str] | None = None) -> set[str]:
    """The stored names rows point to (only among ``names`` when given: a few queries)."""
    names = None if names is None else list(names)
    found: set[str] = set()
    for model, field in private_file_fields():
        rows = model._base_manager.exclude(**{field.attname: ""})
        if names is not None:
            rows = rows.filter(**{f"{field.attname}__in": names})
        found.update(rows.values_list(field.attname, flat=True).iterator())
    found.discard(None)
    return found


def rows_with_files() -> Iterator[tuple[str, int, str, str]]:
    """``(model label, pk, field name, stored name)`` of every row naming a private file."""
    for model, field in private_file_fields():
        rows = model._base_manager.exclude(**{field.attname: ""}).exclude(
            **{f"{field.attname}__isnull": True}
        )
        for pk, name in rows.values_list("pk", field.attname).iterator():
            yield model._meta.label, pk, field.name, name


def stored_names(storage, folder: str = "") -> Iterator[str]:
    """Every file name under ``folder`` of ``storage`` (recursive; S3 lists by prefix)."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield posixpath.join(folder, name) if folder else name
    for sub in dirs:
        yield from stored_names(storage, posixpath.join(folder, sub) if folder else sub)


def older_than(storage, name: str, minutes: int) -> bool:
    """Whether ``name`` was last written more than ``minutes`` ago (unknown counts as old)."""
    try:
        modified = storage.get_modified_time(name)
    except (NotImplementedError, OSError):
        return True
    return timezone.now() - modified > dt.timedelta(minutes=minutes)
