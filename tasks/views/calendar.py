"""The personal calendar (.ics) address: issue, renew, revoke, and the feed itself."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from portal.files import content_disposition

from .. import calendar, services
from ..models import CalendarToken
from .common import private


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@private
def calendar_settings(request):
    """Issue, renew or revoke the user's calendar (.ics) address."""
    new_url = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.revoke_calendar_token(by=request.user)
            messages.success(request, _("日历订阅地址已停用。"))
            return redirect("tasks:calendar")
        token = services.renew_calendar_token(by=request.user)
        new_url = request.build_absolute_uri(reverse("tasks:calendar_feed", args=[token]))
    has_token = CalendarToken.objects.filter(user=request.user).exists()
    return render(request, "tasks/calendar.html", {"new_url": new_url, "has_token": has_token})


@require_safe
def calendar_feed(request, token):
    """The unit's due dates and milestones; the URL is the credential (404 when dead)."""
    user = services.calendar_user(token)
    if user is None:
        raise Http404
    content = calendar.build_calendar(user, host=request.get_host())
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    response["Content-Disposition"] = content_disposition("tasks.ics", inline=True)
    return response
