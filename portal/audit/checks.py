"""The retention setting may not go below the legal six months (网络安全法 第二十一条)."""

from django.conf import settings
from django.core.checks import Error, register

LEGAL_MINIMUM_DAYS = 180


@register()
def retention_check(app_configs, **kwargs):
    days = getattr(settings, "AUDIT_RETENTION_DAYS", LEGAL_MINIMUM_DAYS)
    if days < LEGAL_MINIMUM_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS is {days}; the law asks for at least {LEGAL_MINIMUM_DAYS}.",
                id="audit.E001",
            )
        ]
    return []
