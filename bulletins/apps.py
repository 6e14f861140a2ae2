from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("简报与会议纪要")

    def ready(self):
        from portal.search.registry import register

        from . import checks, pdf_signals  # noqa: F401  (system checks, PDF digest signals)
        from .search import IssueKind, MeetingKind

        register(IssueKind())
        register(MeetingKind())
