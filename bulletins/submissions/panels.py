"""The 信息报送 panel of the home page (``portal.home`` provider)."""

from portal.accounts.models import acting_unit_id, is_office, is_unit_leader

from . import selectors


def submissions_panel(user) -> dict | None:
    """What waits for ``user`` (the office's 待处理, a leader's 待审签, a unit's returned
    pieces); None for anyone who neither sends nor receives pieces."""
    if not (is_office(user) or acting_unit_id(user)):
        return None
    return {
        "template": "submissions/includes/home_panel.html",
        "waiting": selectors.waiting_count(user),
        "is_office": is_office(user),
        "is_leader": is_unit_leader(user),
    }
