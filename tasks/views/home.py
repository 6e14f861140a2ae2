"""The task panel of the home page (``portal.home`` provider)."""

from portal.accounts.models import acting_unit_id, is_office

from .. import selectors
from ..models import today


def home_panel(user) -> dict | None:
    """The assignments ``user`` may see by light, with the unit's unread 催办 notices or
    the office's reports waiting for review; None for anyone with no tasks to follow."""
    office = is_office(user)
    if not (office or acting_unit_id(user)):
        return None
    return {
        "template": "tasks/includes/home_panel.html",
        "counts": selectors.light_counts(user, today()),
        "unread": selectors.unread_notices(user).count(),
        "pending_reviews": selectors.pending_review_count(user),
        "pending_extensions": selectors.pending_extension_count(user),
        "is_office": office,
    }
