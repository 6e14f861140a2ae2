"""Home-page panel of the bulletins: the latest issues, and for a unit what it has not yet 签收."""

from portal.accounts.models import acting_unit_id

from .layout import chinese_date
from .models import Issue, Visibility
from .receipts import issues_awaiting

LATEST = 5
PENDING = 5
# When nothing came since the account was made, the most recent unsigned issues remind.
LAST_UNSIGNED = 3


def _row(issue):
    return {
        "issue": issue,
        "series": issue.series.name,
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
        # the rule the office's 签收情况 page and the 催签 mail follow. What needs
        # attention is what came since this account exists (a new account does not
        # open on years of backlog), else the last few; the rest is one click away.
        pending = issues_awaiting(visible, unit_id)
        total = pending.count()
        recent = pending.filter(published_at__gte=user.date_joined)
        recent_count = recent.count() if total else 0
        listed = recent[:PENDING] if recent_count else pending[:LAST_UNSIGNED]
        panel["pending"] = [_row(issue) for issue in listed]
        panel["pending_count"] = recent_count
        panel["older_count"] = total - (recent_count or len(panel["pending"]))
        panel["more_pending"] = total > len(panel["pending"])
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
