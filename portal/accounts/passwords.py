"""Password rules of 等保 2.0 (身份鉴别): complexity, not the account name, not one of the
last passwords, and a change at first sign-in and after a period.

Settings: ``PASSWORD_MIN_LENGTH`` (8), ``PASSWORD_MIN_CLASSES`` (3 of lower case,
upper case, digits, symbols), ``PASSWORD_HISTORY`` (5), ``PASSWORD_REMIND_DAYS``
(90: a reminder on each page), ``PASSWORD_MAX_AGE_DAYS`` (180: the change is forced).
A password set by someone else (an administrator creating the account or resetting
it) must be changed by its owner at the next sign-in.
"""

import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def character_classes(password: str) -> int:
    """How many of the four classes (a-z, A-Z, 0-9, anything else: symbols, Chinese
    characters) ``password`` uses."""
    return sum(
        [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        ]
    )


class ComplexityValidator:
    """At least ``PASSWORD_MIN_LENGTH`` characters of ``PASSWORD_MIN_CLASSES`` classes."""

    def validate(self, password, user=None):
        length, classes = _setting("PASSWORD_MIN_LENGTH", 8), _setting("PASSWORD_MIN_CLASSES", 3)
        errors = []
        if len(password) < length:
            errors.append(
                ValidationError(
                    _("密码至少需要 %(n)d 个字符。") % {"n": length}, code="password_too_short"
                )
            )
        if character_classes(password) < classes:
            errors.append(
                ValidationError(
                    _("密码需包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。")
                    % {"n": classes},
                    code="password_too_simple",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _("至少 %(n)d 个字符，包含小写字母、大写字母、数字、符号中的至少 %(k)d 类。") % {
            "n": _setting("PASSWORD_MIN_LENGTH", 8),
            "k": _setting("PASSWORD_MIN_CLASSES", 3),
        }


class NotUsernameValidator:
    """The password may not contain the account name (nor the name reversed)."""

    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "").lower()
        if len(username) >= 3 and (
            username in password.lower() or username[::-1] in password.lower()
        ):
            raise ValidationError(_("密码不能包含账号名。"), code="password_contains_username")

    def get_help_text(self):
        return _("不能包含账号名。")


class HistoryValidator:
    """Not one of the last ``PASSWORD_HISTORY`` passwords (the current one included)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        count = _setting("PASSWORD_HISTORY", 5)
        hashes = [user.password] if user.password else []
        hashes += list(
            user.password_history.order_by("-created_at", "-id").values_list("password", flat=True)[
                : max(count - 1, 0)
            ]
        )
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("不能使用最近 %(n)d 次用过的密码。") % {"n": count}, code="password_reused"
            )

    def get_help_text(self):
        return _("不能与最近 %(n)d 次用过的密码相同。") % {"n": _setting("PASSWORD_HISTORY", 5)}
