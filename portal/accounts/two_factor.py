"""Two-factor sign-in (TOTP, RFC 6238) with recovery codes, on django-otp.

An account with a confirmed authenticator must enter a code after its password
before reaching any page (``TwoFactorMiddleware``); with ``OTP_REQUIRED_FOR_STAFF``
on, staff accounts (the admin included) without one are sent to set it up. Each
account gets ``RECOVERY_CODES`` single-use recovery codes when it confirms.
"""

import base64
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.models import AuditEntry
from portal.audit.services import record

from .middleware import exempt_paths, signed_in_user

RECOVERY_CODES = 10
# Whether the signed-in account has an authenticator, asked once at sign-in (no
# query on each page); set again when this session enables or disables one.
HAS_DEVICE = "_otp_has_device"
MAX_FAILURES = 5
FAILURES = "_otp_failures"


def pending_device(user) -> TOTPDevice:
    """The account's authenticator being set up (made when first asked for)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` address of ``device`` as an inline SVG QR code (segno)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The key in base32 groups of four, for typing into an app by hand."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm_device(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app; return the new recovery codes
    (shown once), or None when the code is wrong. Signs this session in as verified."""
    if not device.verify_token((token or "").replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=device.user).delete()
    static = StaticDevice.objects.create(user=device.user, name=_("恢复码"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    static.token_set.bulk_create([StaticToken(device=static, token=c) for c in codes])
    otp_login(request, device)
    request.session[HAS_DEVICE] = True
    record("account.otp_enabled", by=device.user, obj=device.user, label=str(device.user))
    return codes


@transaction.atomic
def disable(request, user) -> None:
    """Remove the account's authenticator and recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    request.session[HAS_DEVICE] = False
    record("account.otp_disabled", by=user, obj=user, label=str(user))


def verify(request, token: str) -> bool:
    """Check a code (authenticator or recovery code) for ``request.user``.

    Right: the session is verified, recorded. Wrong: recorded as refused; after
    ``MAX_FAILURES`` in one session the account is signed out (returns False).
    """
    user = request.user
    device = match_token(user, (token or "").replace(" ", "").strip().lower())
    if device is not None:
        otp_login(request, device)
        request.session.pop(FAILURES, None)
        record("auth.otp_verified", by=user, obj=user, label=str(user))
        return True
    failures = request.session.get(FAILURES, 0) + 1
    request.session[FAILURES] = failures
    record(
        "auth.otp_failed",
        by=user,
        obj=user,
        label=str(user),
        result=AuditEntry.Result.REFUSED,
        reason=_("验证码错误（第 %(n)d 次）") % {"n": failures},
    )
    return False


@receiver(user_logged_in, dispatch_uid="accounts_otp_has_device")
def _remember_device(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE] = user_has_device(user, confirmed=True)


class TwoFactorMiddleware:
    """Ask for the second factor before any page; make staff set it up when required."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = signed_in_user(request)
        if (
            user is not None
            and not request.path.startswith(settings.STATIC_URL)
            and request.path_info not in exempt_paths()
        ):
            if request.session.get(HAS_DEVICE):
                if not user.is_verified():
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse('accounts:otp_verify')}?{query}")
            elif getattr(settings, "OTP_REQUIRED_FOR_STAFF", False) and user.is_staff:
                return redirect("accounts:two_factor")
        return self.get_response(request)
