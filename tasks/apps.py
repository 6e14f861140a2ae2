from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("改革任务")

    def ready(self):
        # The meeting page shows each 议定事项 with its task's light and progress.
        from bulletins.panels import register_meeting_panel
        from portal.search.registry import register

        from .search import ReportKind, TaskKind
        from .views.decisions import meeting_panel

        register_meeting_panel(meeting_panel)
        # What tasks gives full-text search (tasks/search.py).
        register(TaskKind())
        register(ReportKind())
