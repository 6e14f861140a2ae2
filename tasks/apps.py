from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("改革任务")

    def ready(self):
        # The meeting page shows each 议定事项 with its task's light and progress.
        from bulletins.panels import register_meeting_panel
        from portal.search.registry import register

        from .search import DecisionKind, ReportKind, TaskKind
        from .views.decisions import meeting_panel

        register_meeting_panel(meeting_panel)

        # Calendar addresses die with the account or its unit (SECURITY.md).
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from .services.calendar import revoke_with_account

        post_save.connect(
            revoke_with_account, sender=get_user_model(), dispatch_uid="tasks_calendar_revoke"
        )
        # What tasks gives full-text search (tasks/search.py).
        # SQLite's triggers of the task copies stand aside while migrate rebuilds
        # tables (tasks/task_copies.py).
        from django.db.models.signals import post_migrate, pre_migrate

        from .task_copies import after_migrate, before_migrate

        pre_migrate.connect(before_migrate, sender=self, dispatch_uid="tasks_copies_before")
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="tasks_copies_after")
        register(TaskKind())
        register(ReportKind())
        register(DecisionKind())
