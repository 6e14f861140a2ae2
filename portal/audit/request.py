"""The request being served, for audit entries written deep inside services.

``AuditRequestMiddleware`` keeps the current request in a context variable (per
thread and per task), so ``record`` finds the address and the signed-in account
without every service taking the request. ``client_address`` is also django-axes'
``AXES_CLIENT_IP_CALLABLE``: throttling and the audit trail see the same address.
"""

import contextvars
import ipaddress

from django.conf import settings

_current = contextvars.ContextVar("audit_request", default=None)


def current_request():
    """The ``HttpRequest`` being served in this thread or task, or None (commands, jobs)."""
    return _current.get()


def client_address(request) -> str | None:
    """The client's IP address, honouring ``PROXY_COUNT`` (env ``AXES_PROXY_COUNT``).

    With N trusted reverse proxies in front (nginx's ``$proxy_add_x_forwarded_for``
    appends the peer it saw), the client is the N-th address from the right of
    ``X-Forwarded-For``; addresses further left were written by the client and are
    not trusted. With no proxy (0, the default) or a shorter header, ``REMOTE_ADDR``.
    Returns None when the result is not an IP address.
    """
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    count = getattr(settings, "PROXY_COUNT", 0)
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            address = hops[-count]
    try:
        return str(ipaddress.ip_address(address or ""))
    except ValueError:
        return None


class AuditRequestMiddleware:
    """Make the request known to ``record`` while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(request)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
