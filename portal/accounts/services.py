"""Account rules: the 产改办 group and its permissions; signing accounts out and
releasing lock-outs (the security administrator's work)."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit.services import audited, record_refusal

from .models import OFFICE_GROUP, new_session_token

# Apps whose every permission the office needs; plus viewing and managing users.
OFFICE_APPS = ["units", "bulletins", "submissions", "tasks"]
OFFICE_EXTRA = [("accounts", "view_user"), ("accounts", "add_user"), ("accounts", "change_user")]


def ensure_office_group(*, using: str = "default") -> Group:
    """Create the 产改办 group if missing and grant it the office's permissions (idempotent)."""
    if not apps.is_installed("django.contrib.auth"):
        return None
    group, _ = Group.objects.using(using).get_or_create(name=OFFICE_GROUP)
    perms = list(Permission.objects.using(using).filter(content_type__app_label__in=OFFICE_APPS))
    for app_label, codename in OFFICE_EXTRA:
        perms.extend(
            Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            )
        )
    group.permissions.add(*perms)
    return group


# -- security administration (三员分立: 安全管理员) ---------------------------------------


def can_manage_security(user) -> bool:
    """The security administrator: an active account granted ``accounts.manage_security``."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("accounts.manage_security")
    )


def _check_end_sessions(user, by) -> None:
    if by is None or not by.is_authenticated or not by.is_active:
        raise PermissionDenied(_("请先登录。"))
    if by.pk != user.pk and not can_manage_security(by):
        raise PermissionDenied(_("只有安全管理员可以让其他账号下线。"))


@audited("account.sessions_ended", obj="user")
@transaction.atomic
def end_sessions(*, user, by) -> None:
    """Sign ``user`` out everywhere (every browser, the current one included).

    ``by`` is the user themself or the security administrator. A new session
    token makes every session's check fail at its next request (``User``'s
    ``_get_session_auth_hash``). Raises ``PermissionDenied`` for anyone else.
    """
    _check_end_sessions(user, by)
    user.session_token = new_session_token()
    get_user_model().objects.filter(pk=user.pk).update(session_token=user.session_token)


def locked_out_attempts():
    """Lock-outs in force: django-axes' attempts at or over ``AXES_FAILURE_LIMIT``."""
    from axes.models import AccessAttempt

    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)


def release_lockout(*, username: str, by) -> int:
    """Release the lock-out of ``username`` (every address); return the attempts removed.

    Security administrator only, else ``PermissionDenied`` (recorded). The release
    itself is recorded by the audit trail's receiver of axes' deletions.
    """
    from axes.utils import reset

    if not can_manage_security(by):
        exc = PermissionDenied(_("只有安全管理员可以解除锁定。"))
        record_refusal("auth.lockout_released", exc, by=by, label=username)
        raise exc
    return reset(username=username)
