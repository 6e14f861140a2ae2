"""Events recorded from signals: sign-in and lock-outs, account changes, deletions.

Signals catch every path that changes an account (admin, password forms, shell,
commands) and every deletion of an issue or meeting, so no view has to remember
them. The actor is the signed-in user of the request being served (see
``services.record``), the system otherwise.
"""

from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _

from .models import AuditEntry
from .services import record

User = get_user_model()
REFUSED = AuditEntry.Result.REFUSED


def _account_label(user) -> str:
    name = user.get_full_name()
    return f"{user.get_username()}（{name}）" if name else user.get_username()


# -- sign-in ------------------------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def _signed_in(sender, request, user, **kwargs):
    record("auth.sign_in", by=user, obj=user, label=_account_label(user), request=request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.sign_out", by=user, obj=user, label=_account_label(user), request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # recorded as a lock-out below
    record(
        "auth.sign_in_failed",
        actor_name=username,
        label=username,
        result=REFUSED,
        reason=_("用户名或密码错误"),
        request=request,
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(
        "auth.locked_out",
        actor_name=str(username or "")[:150],
        label=str(username or ""),
        result=REFUSED,
        reason=_("连续登录失败 %(n)d 次，账号已锁定") % {"n": settings.AXES_FAILURE_LIMIT},
        request=request,
    )


@receiver(post_delete, sender=AccessAttempt, dispatch_uid="audit_lockout_released")
def _lockout_released(sender, instance, **kwargs):
    """A lock-out ends when its attempts are reset (by the security administrator,
    ``axes_reset``, or a successful sign-in after the cool-off)."""
    if instance.failures_since_start >= settings.AXES_FAILURE_LIMIT:
        record(
            "auth.lockout_released",
            label=instance.username or instance.ip_address or "",
            detail=_("来源 %(ip)s") % {"ip": instance.ip_address or "-"},
        )


# -- accounts -----------------------------------------------------------------------

WATCHED = ("is_active", "unit_id", "password", "is_staff", "is_superuser")


@receiver(pre_save, sender=User, dispatch_uid="audit_account_before")
def _account_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._audit_before = None
    if raw or instance.pk is None:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    instance._audit_before = User.objects.filter(pk=instance.pk).values(*WATCHED).first()


def _unit_name(unit_id) -> str:
    from portal.units.models import Unit

    unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    return unit.name if unit is not None else "-"


@receiver(post_save, sender=User, dispatch_uid="audit_account_after")
def _account_after(sender, instance, created, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    label = _account_label(instance)
    if created:
        record("account.create", obj=instance, label=label)
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    if before["is_active"] != instance.is_active:
        action = "account.reactivate" if instance.is_active else "account.deactivate"
        record(action, obj=instance, label=label)
    if before["unit_id"] != instance.unit_id:
        detail = f"{_unit_name(before['unit_id'])} → {_unit_name(instance.unit_id)}"
        record("account.unit", obj=instance, label=label, detail=detail)
    if before["password"] != instance.password and set(update_fields or ()) != {"password"}:
        # ``update_fields=["password"]`` alone is Django upgrading a hash at sign-in.
        record("account.password", obj=instance, label=label)
    flags = [
        f"{name}: {before[name]} → {getattr(instance, name)}"
        for name in ("is_staff", "is_superuser")
        if before[name] != getattr(instance, name)
    ]
    if flags:
        record("account.permissions", obj=instance, label=label, detail="；".join(flags))


def _m2m_recorder(action: str, what: str):
    def changed(sender, instance, action: str = "", pk_set=None, model=None, reverse=False, **kw):
        if action not in ("post_add", "post_remove", "post_clear") or reverse:
            return
        if action == "post_clear":
            detail = _("清空%(what)s") % {"what": what}
        else:
            names = ", ".join(sorted(str(o) for o in model.objects.filter(pk__in=pk_set or [])))
            if not names:
                return
            verb = _("加入") if action == "post_add" else _("移出")
            detail = f"{verb}{what}：{names}"
        record(audit_action, obj=instance, label=_account_label(instance), detail=detail)

    audit_action = action
    return changed


_groups_changed = _m2m_recorder("account.groups", _("角色"))
_permissions_changed = _m2m_recorder("account.permissions", _("权限"))
m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="audit_groups")
m2m_changed.connect(
    _permissions_changed, sender=User.user_permissions.through, dispatch_uid="audit_perms"
)


# -- content the apps ask to watch ------------------------------------------------------


def watch(model, *, created: str | None = None, deleted: str | None = None) -> None:
    """Record ``created`` when a row of ``model`` is first saved and ``deleted`` when one
    is deleted, whatever deletes it (the admin, a cascade, the shell).

    Called by an app from its ``AppConfig.ready()`` (the audit trail knows no app);
    both are action names of ``actions.ACTIONS``.
    """
    label = model._meta.label_lower
    if created:

        def on_save(sender, instance, created: bool = False, raw=False, **kwargs):
            if created and not raw:
                record(on_save.action, obj=instance)

        on_save.action = created
        post_save.connect(on_save, sender=model, weak=False, dispatch_uid=f"audit_new_{label}")
    if deleted:

        def on_delete(sender, instance, **kwargs):
            record(on_delete.action, obj=instance)

        on_delete.action = deleted
        post_delete.connect(on_delete, sender=model, weak=False, dispatch_uid=f"audit_del_{label}")
