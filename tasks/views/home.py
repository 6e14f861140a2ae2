"""The task panel of the home page (``portal.home`` provider)."""

from django.db.models import Count, Q

from ..models import Assignment, Light, ProgressReport, Reminder, today


def home_panel(user):
    """Home page panel: the unit's open assignments by light and unread 催办."""
    if not (user.is_authenticated and (user.unit_id or user.is_office)):
        return None
    day = today()
    counts = (
        Assignment.objects.visible_to(user)
        .with_light(day)
        .aggregate(
            red=Count("pk", filter=Q(light=Light.RED)),
            yellow=Count("pk", filter=Q(light=Light.YELLOW)),
            green=Count("pk", filter=Q(light=Light.GREEN)),
            done=Count("pk", filter=Q(light=Light.DONE)),
        )
    )
    unread = (
        Reminder.objects.visible_to(user)
        .filter(kind=Reminder.Kind.MANUAL, read_at__isnull=True)
        .count()
        if user.unit_id
        else 0
    )
    pending_reviews = (
        ProgressReport.objects.filter(review_status=ProgressReport.Review.PENDING).count()
        if user.is_office
        else 0
    )
    return {
        "template": "tasks/includes/home_panel.html",
        "counts": counts,
        "unread": unread,
        "pending_reviews": pending_reviews,
        "is_office": user.is_office,
    }
