"""System checks: private files must never sit under a folder served by URL."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register("security", deploy=False)
def private_media_outside_public_folders(app_configs=None, **kwargs):
    private = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    errors = []
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = Path(getattr(settings, name)).resolve()
        if private == public or public in private.parents or private in public.parents:
            errors.append(
                Error(
                    f"PRIVATE_MEDIA_ROOT ({private}) overlaps {name} ({public}).",
                    hint="Private files (attachments, evidence, PDFs) must live outside every "
                    "folder the web server publishes; choose separate folders.",
                    id="portal.E001",
                )
            )
    return errors
