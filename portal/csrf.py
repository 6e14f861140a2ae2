"""The CSRF token of a page's forms, masked as Django masks it, its mask drawn from one
``os.urandom`` call (issue 11).

``django.middleware.csrf.get_token`` draws each of the 32 characters of a token's mask
with ``secrets.choice``: a system call each, about 40 µs of CPU on every signed-in page
(the header's sign-out form). ``get_token`` here draws the same uniform mask from one
call (bytes of 248 and over dropped, the others taken modulo 62: each of the 62
characters from 4 byte values) and otherwise does what Django's does: the secret of the
request's cookie (or session) masked, the cookie flagged for renewal; a request that
has no secret yet gets Django's, which makes one.
"""

import os

from django.middleware import csrf

_CHARS = csrf.CSRF_ALLOWED_CHARS
_INDEX = {char: index for index, char in enumerate(_CHARS)}
_BOUND = 256 - 256 % len(_CHARS)  # bytes below it map onto the characters evenly


def get_token(request) -> str:
    """``django.middleware.csrf.get_token(request)``: a new masked token of the request's
    CSRF secret."""
    secret = request.META.get("CSRF_COOKIE")
    if not isinstance(secret, str) or len(secret) != csrf.CSRF_SECRET_LENGTH:
        return csrf.get_token(request)
    try:
        indexes = [_INDEX[char] for char in secret]
    except KeyError:
        return csrf.get_token(request)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    n = len(_CHARS)
    mask: list[int] = []
    while len(mask) < csrf.CSRF_SECRET_LENGTH:
        mask += [byte % n for byte in os.urandom(48) if byte < _BOUND]
    mask = mask[: csrf.CSRF_SECRET_LENGTH]
    cipher = [_CHARS[(i + m) % n] for i, m in zip(indexes, mask, strict=True)]
    return "".join([_CHARS[m] for m in mask] + cipher)
