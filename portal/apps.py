"""Site-wide pieces: home page, health check, shared file helpers, the demo command."""

import warnings

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("门户")

    def ready(self):
        from PIL import Image

        from . import checks  # noqa: F401 (registers the system checks)
        from .storage import cleanup

        cleanup.connect()

        # A decompression bomb is refused, never merely warned about (SECURITY.md).
        Image.MAX_IMAGE_PIXELS = 40_000_000
        warnings.simplefilter("error", Image.DecompressionBombWarning)
