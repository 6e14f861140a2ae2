"""Session rules of 等保 2.0: sign-out after idleness, and passwords that must change.

``IdleTimeoutMiddleware``: a signed-in session unused for ``SESSION_IDLE_TIMEOUT``
seconds (1800) is signed out at its next request and sent to the sign-in page;
pages carry the timeout (``data-idle-timeout``) so ``static/js/idle.js`` warns a
minute before and can keep the session alive (``accounts:keepalive``).

``PasswordPolicyMiddleware``: an account whose password was set by someone else,
or is older than ``PASSWORD_MAX_AGE_DAYS`` (180), reaches only the password change
page (and sign-out); older than ``PASSWORD_REMIND_DAYS`` (90), each session is
reminded once.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

LAST_SEEN = "_idle_last_seen"
REMINDED = "_password_reminded"
# Write the session at most this often for activity alone (seconds): the idle clock
# is exact to a minute, and pages cost no session write within a minute of the last.
TOUCH_EVERY = 60


@receiver(user_logged_in, dispatch_uid="accounts_idle_clock")
def _start_clock(sender, request, user, **kwargs):
    """The idle clock starts at sign-in, in the session sign-in saves anyway."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())


def signed_in_user(request):
    """The signed-in user, or None (anonymous, or the session unreadable because the
    database is down: the view then meets the outage and answers its 503 page)."""
    try:
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None
    except DatabaseError:
        return None


def idle_timeout() -> int:
    return int(getattr(settings, "SESSION_IDLE_TIMEOUT", 1800))


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if signed_in_user(request) is not None:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - int(last) > idle_timeout():
                request._idle_sign_out = True
                logout(request)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
                return redirect_to_login(request.get_full_path())
            if last is None or now - int(last) >= TOUCH_EVERY or request.path_info == _keepalive():
                request.session[LAST_SEEN] = now
        return self.get_response(request)


def _keepalive() -> str:
    return _paths()[0]


def exempt_paths() -> frozenset[str]:
    """The account pages a session may reach whatever it still owes (a new
    password, the second factor), as ``request.path_info`` reads them (the address
    without the script prefix)."""
    return _paths()[1]


# Reversed once per process (every signed-in request asks), without the script prefix
# they were reversed under: (keep-alive, exempt). Compared with ``path_info``, they hold
# under any prefix, and no request has to ask for the prefix (a context variable).
_reversed: list = []


@receiver(setting_changed, dispatch_uid="accounts_middleware_paths")
def _forget_paths(**kwargs):
    _reversed.clear()


def _paths() -> tuple[str, frozenset[str]]:
    try:
        return _reversed[0]
    except IndexError:
        names = [
            "password_change",
            "password_change_done",
            "logout",
            "accounts:keepalive",
            "accounts:otp_verify",
            "accounts:two_factor",
        ]
        cut = len(get_script_prefix()) - 1

        def info(name):
            return reverse(name)[cut:]

        paths = (info("accounts:keepalive"), frozenset(info(name) for name in names))
        _reversed[:] = [paths]
        return paths


class PasswordPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = signed_in_user(request)
        if user is not None and not request.path.startswith(settings.STATIC_URL):
            changed = user.password_changed_at
            age = timezone.now() - changed if changed else timedelta(0)
            max_age = timedelta(days=int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 180)))
            remind = timedelta(days=int(getattr(settings, "PASSWORD_REMIND_DAYS", 90)))
            if user.must_change_password or age > max_age:
                if request.path_info not in exempt_paths():
                    messages.warning(request, _must_change_text(user))
                    return redirect("password_change")
            elif age > remind and not request.session.get(REMINDED):
                request.session[REMINDED] = True
                messages.warning(
                    request,
                    _("您的密码已使用 %(n)d 天，请尽快修改（超过 %(max)d 天将强制修改）。")
                    % {"n": age.days, "max": max_age.days},
                )
        return self.get_response(request)


def _must_change_text(user) -> str:
    if user.must_change_password:
        return _("您的密码由管理员设置，请先修改密码。")
    return _("您的密码已超过使用期限，请先修改密码。")
