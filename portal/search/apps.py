from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "portal.search"
    label = "search"
    verbose_name = _("全文搜索")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The receiver that keeps FTS5 rows in step with deleted documents; each
        # kind's own receivers are connected when its app registers it.
        from . import signals  # noqa: F401
