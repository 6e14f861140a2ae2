from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        # Seconds before an unused session is signed out (static/js/idle.js).
        "IDLE_TIMEOUT": getattr(settings, "SESSION_IDLE_TIMEOUT", 1800),
    }
