"""What follows an account change, whatever path made it (admin, forms, shell):

- a new password: the old one joins the history; chosen by its owner (or through a
  reset link), it counts from now; set by someone else (an administrator), it
  must be changed at the next sign-in;
- deactivated, or moved to another unit: every session of the account ends.

Django upgrading a hash at sign-in (same password) saves ``update_fields=["password"]``
after clearing the raw password ``set_password`` keeps (``user._password``): that save
is left alone. A ``set_password`` saved with ``update_fields=["password"]`` is a change
like any other.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from portal.audit.request import current_request

from .models import PasswordHistory, new_session_token

User = get_user_model()


def _set_by_owner(user) -> bool | None:
    """True: the owner set it (or a reset link); False: someone else; None: no request."""
    request = current_request()
    if request is None:
        return None
    actor = getattr(request, "user", None)
    return actor is None or not actor.is_authenticated or actor.pk == user.pk


@receiver(pre_save, sender=User, dispatch_uid="accounts_before_save")
def _before_save(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._old_password = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= {"password", "last_login"}:
        if "password" not in update_fields or getattr(instance, "_password", None) is None:
            return  # a sign-in's last_login, or a hash upgrade of the same password
    before = User.objects.filter(pk=instance.pk).values("password", "is_active", "unit_id").first()
    if before is None:
        return
    if before["password"] != instance.password:
        instance._old_password = before["password"]
        owner = _set_by_owner(instance)
        instance.password_changed_at = timezone.now()
        if owner is not None:
            instance.must_change_password = not owner
    if (before["is_active"] and not instance.is_active) or before["unit_id"] != instance.unit_id:
        instance.session_token = new_session_token()


@receiver(post_save, sender=User, dispatch_uid="accounts_after_save")
def _after_save(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if created and instance.password:
        # An account made by an administrator starts with a password to change.
        instance.must_change_password = _set_by_owner(instance) is False
        if instance.must_change_password:
            User.objects.filter(pk=instance.pk).update(must_change_password=True)
    old = getattr(instance, "_old_password", None)
    if old:
        PasswordHistory.objects.create(user=instance, password=old)
        instance._old_password = None
        if update_fields is not None:  # the fields set before the save were not written
            User.objects.filter(pk=instance.pk).update(
                password_changed_at=instance.password_changed_at,
                must_change_password=instance.must_change_password,
            )
