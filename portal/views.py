"""Site-wide views: home page, health check, sign-in, error pages."""

from urllib.parse import urlsplit

from django.contrib.auth import views as auth_views
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .home import home_context


@require_safe
def home(request):
    return render(request, "portal/home.html", home_context(request.user))


@never_cache
@require_safe
def healthz(request):
    """200 after a database round trip; 503 when the database does not answer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


def error_500(request):
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
