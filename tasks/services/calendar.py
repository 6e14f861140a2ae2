"""Calendar (.ics) tokens: issued once, stored as a SHA-256, dead once revoked or the
user leaves or moves to another unit."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit.services import record

from ..models import (
    CalendarToken,
)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def renew_calendar_token(*, by) -> str:
    """Issue a new calendar token for ``by`` (the old URL stops working); return it once."""
    if not (by and by.is_authenticated and by.is_active):
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    renewed, _ = CalendarToken.objects.filter(user=by).delete()
    row = CalendarToken.objects.create(user=by, unit_id=by.unit_id, token_hash=hash_token(token))
    record("calendar.renew" if renewed else "calendar.issue", by=by, obj=row)
    return token


@transaction.atomic
def revoke_calendar_token(*, by) -> None:
    if not (by and by.is_authenticated):
        raise PermissionDenied
    if CalendarToken.objects.filter(user=by).delete()[0]:
        record("calendar.revoke", by=by, obj=by, label=str(by))


def revoke_with_account(sender, instance, created=False, raw=False, **kwargs):
    """``post_save`` of a user: a deactivated account, or one moved to another unit,
    loses its calendar addresses (reactivation does not bring them back)."""
    if created or raw:
        return
    stale = CalendarToken.objects.filter(user=instance)
    if instance.is_active:
        stale = stale.exclude(unit_id=instance.unit_id)
    if stale.delete()[0]:
        record("calendar.revoke", obj=instance, label=str(instance), detail=_("账号停用或调动"))


def calendar_user(token: str):
    """The user a live token belongs to, or None (unknown, revoked, user left or moved)."""
    if not token or len(token) > 100:
        return None
    row = CalendarToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if row is None or not row.is_alive:
        return None
    return row.user
