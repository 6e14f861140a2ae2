"""What the home page shows: each app contributes a panel through ``home_panels``.

An app lists itself in ``HOME_PANEL_PROVIDERS`` with a function
``(user) -> dict | None`` that returns ``{"template": ..., **context}``.
"""

from django.utils.module_loading import import_string

from portal.accounts.models import acting_unit

HOME_PANEL_PROVIDERS: list[str] = [
    "bulletins.panels.issues_panel",
    "bulletins.submissions.panels.submissions_panel",
    "tasks.views.home.home_panel",
]


def home_context(user) -> dict:
    panels = []
    for path in HOME_PANEL_PROVIDERS:
        panel = import_string(path)(user)
        if panel:
            panels.append(panel)
    return {"unit": acting_unit(user), "panels": panels}
