"""Home-page panel of the bulletins: the latest issues, and for a unit what it has not yet 签收."""

from portal.accounts.models import acting_unit_id

from .layout import chinese_date
from .models import Issue, Visibility
from .receipts import issues_awaiting

LATEST = 5
PENDING = 5


def _row(issue):
    return {
        "issue": issue,
        "number": issue.number_label,
        "date": chinese_date(issue.issue_date),
        "is_internal": issue.visibility == Visibility.INTERNAL,
    }


def issues_panel(user) -> dict | None:
    """``portal.home`` provider: None when there is nothing to show."""
    visible = Issue.objects.visible_to(user).published().select_related("series")
    latest = [_row(issue) for issue in visible[:LATEST]]
    panel = {"template": "bulletins/includes/home_panel.html", "latest": latest}
    unit_id = acting_unit_id(user)
    if unit_id:
        # Waiting for 签收: the issues whose unacknowledged units include this one,
        # the rule the office's 签收情况 page and the 催签 mail follow.
        pending = issues_awaiting(visible, unit_id)
        panel["pending"] = [_row(issue) for issue in pending[:PENDING]]
        panel["pending_count"] = (
            len(panel["pending"]) if len(panel["pending"]) < PENDING else pending.count()
        )
        panel["shows_pending"] = True
        # What is listed as waiting for 签收 is not listed twice.
        shown = {row["issue"].pk for row in panel["pending"]}
        panel["latest"] = [row for row in latest if row["issue"].pk not in shown]
    if not latest and not panel.get("pending"):
        return None
    return panel


# --- panels other apps add to the meeting page -----------------------------------
# An app that relates rows to meetings (tasks: 议定事项) registers a provider from its
# AppConfig.ready(): ``(meeting, user) -> {"template": ..., **context} | None``. The
# meeting page includes each answer, so bulletins never imports those apps.
_MEETING_PANELS: list = []


def register_meeting_panel(provider) -> None:
    """Add ``provider`` to the meeting page (once, however often it is registered)."""
    if provider not in _MEETING_PANELS:
        _MEETING_PANELS.append(provider)


def meeting_panels(meeting, user) -> list[dict]:
    """The registered panels for ``meeting`` as ``user`` sees it, in registration order."""
    return [panel for provider in _MEETING_PANELS if (panel := provider(meeting, user))]
