"""Site-wide views: home page, health check, sign-in, error pages."""

import sys
from urllib.parse import urlsplit

from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health
from .home import home_context
from .outage import is_outage, outage_response


@require_safe
def home(request):
    return render(request, "portal/home.html", home_context(request.user))


@never_cache
@require_safe
def healthz(request):
    """200 when the database, the cache and the private storage each answer within
    ``health.CHECK_TIMEOUT_SECONDS``; else 503 naming the failing parts, e.g.
    ``{"status": "error", "failing": ["database"], "database": "timeout", …}``."""
    results = health.run_checks()
    failing = [name for name, result in results.items() if result != "ok"]
    body = {"status": "error" if failing else "ok", "failing": failing, **results}
    return JsonResponse(body, status=503 if failing else 200)


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
    """The 500 page; a database outage raised outside a view gets the 503 page."""
    if is_outage(sys.exc_info()[1]):
        return outage_response()
    return render(request, "500.html", status=500)


class LoginView(auth_views.LoginView):
    """The stock sign-in page; a ``next=`` back to sign-in or sign-out goes home instead.

    Django raises "Redirection loop for authenticated user detected" (a 500)
    when a signed-in user opens ``/accounts/login/?next=/accounts/login/``, and
    ``next=/accounts/logout/`` would land on a page that only answers POST.
    """

    redirect_authenticated_user = True

    def get_redirect_url(self):
        url = super().get_redirect_url()
        if url and urlsplit(url).path in (reverse("login"), reverse("logout")):
            return ""
        return url
