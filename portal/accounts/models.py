"""Accounts: office staff and unit users, each unit user in exactly one unit."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from portal.text import CleanCharField

OFFICE_GROUP = "产改办"
# User._get_session_auth_hash's digests by (secret, password and session token).
_session_hashes: dict[tuple[str, str], str] = {}


def is_office(user) -> bool:
    """True for office staff (产改办); False for anyone else, anonymous included."""
    return bool(user is not None and user.is_authenticated and getattr(user, "is_office", False))


def acting_unit_id(user) -> int | None:
    """The id of the unit ``user`` acts for, or None: the one answer to "which unit?".

    A signed-in, active user who belongs to a unit acts for it: 签收 of issues and
    assignments, progress reports, problems, read receipts, "my tasks". Office staff
    (产改办) act as the office, never for a unit, even when their account names one;
    anonymous and inactive users act for nobody. No query for non-staff users.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if not user.unit_id or is_office(user):
        return None
    return user.unit_id


def is_unit_leader(user) -> bool:
    """True for a 负责人 (unit leader) acting for a unit: they sign off (审签) what the
    unit sends to the office. No query."""
    return bool(acting_unit_id(user) and getattr(user, "is_unit_leader", False))


def new_session_token() -> str:
    """A fresh value of ``User.session_token`` (32 hex digits)."""
    return secrets.token_hex(16)


def acting_unit(user):
    """The ``Unit`` ``user`` acts for (see ``acting_unit_id``), or None."""
    return user.unit if acting_unit_id(user) else None


class User(AbstractUser):
    # AbstractUser's name fields, declared again to store them normalised (portal/text.py).
    first_name = CleanCharField(_("first name"), max_length=150, blank=True)
    last_name = CleanCharField(_("last name"), max_length=150, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("非工作人员账号必须属于一个成员单位。"),
    )
    # 负责人: the unit's leader, who signs off (审签) the news pieces the unit sends.
    is_unit_leader = models.BooleanField(
        _("单位负责人"),
        default=False,
        help_text=_("负责人审签本单位报送的信息后，信息才送达产改办。"),
    )
    # Password rules (portal/accounts/passwords.py): when the owner last chose the
    # password, and whether someone else set it (then it must be changed at sign-in).
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # Part of every session's check (``_get_session_auth_hash``): a new value signs
    # the account out everywhere (``services.end_sessions``).
    session_token = models.CharField(max_length=32, default=new_session_token, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        # The security administrator's right (portal/accounts/roles.py).
        permissions = [("manage_security", _("解除锁定、强制下线"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_staff=True) | Q(unit__isnull=False),
                name="non_staff_user_has_unit",
                violation_error_message=_("非工作人员账号必须属于一个成员单位。"),
            )
        ]

    @property
    def is_office(self) -> bool:
        """Office staff (产改办): superusers and staff in the 产改办 group."""
        if not self.is_active or not self.is_staff:
            return False
        if self.is_superuser:
            return True
        cached = getattr(self, "_is_office", None)
        if cached is None:
            cached = self.groups.filter(name=OFFICE_GROUP).exists()
            self._is_office = cached
        return cached

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret=None):
        # Django's check of each session, over the session token as well as the
        # password: ``end_sessions`` changes the token to sign the account out.
        # Every signed-in request asks it; an HMAC of what it is given, so it is kept
        # per process by what it is given (any new password or token is a new key).
        message = f"{self.password}:{self.session_token}"
        key = (settings.SECRET_KEY if secret is None else secret, message)
        digest = _session_hashes.get(key)
        if digest is None:
            if len(_session_hashes) >= 10_000:
                _session_hashes.clear()
            digest = _session_hashes[key] = salted_hmac(
                "portal.accounts.User.session_auth_hash",
                message,
                secret=key[0],
                algorithm="sha256",
            ).hexdigest()
        return digest


class PasswordHistory(models.Model):
    """A password the account had (its hash), for the "not the last five" rule."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("用户")
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
