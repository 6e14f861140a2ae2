from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("简报与会议纪要")

    def ready(self):
        from portal.search.registry import register

        # System checks; the signals that keep PDF digests, reading copies and year
        # counts stored.
        from . import checks, pdf_signals, reading, year_counts  # noqa: F401
        from .search import IssueKind, MeetingKind

        register(IssueKind())
        register(MeetingKind())

        # Deleting an issue, and publishing (adding) or deleting a meeting record.
        from portal.audit.signals import watch

        from .models import Issue, Meeting

        watch(Issue, deleted="issue.delete")
        watch(Meeting, created="meeting.publish", deleted="meeting.delete")
