"""What 信息报送 gives full-text search: the pieces (信息) units send.

Registered from ``SubmissionsConfig.ready()`` (portal/search/registry.py explains the
fields). Who finds a piece is ``Submission.objects.visible_to``: the submitting
unit (its drafts included) and the office (once the piece reached it); anyone
else finds none.
"""

from django.utils.translation import gettext_lazy

from bulletins.layout import local_date
from portal.accounts.models import acting_unit_id, is_office
from portal.search.registry import Document, Follows, SearchKind, audience

from .models import Category, Submission

OFFICE = "office"  # the audience of pieces that reached the office (SearchKind.audiences)


class SubmissionKind(SearchKind):
    name = "submission"
    label = gettext_lazy("信息报送")
    code = 5
    model = Submission
    url_name = "submissions:detail"
    ignore = frozenset({"version", "updated_at", "resent_at", "signed_off_by", "decided_by"})
    follows = (
        Follows(
            "units.Unit",
            lambda unit: Submission.objects.filter(unit=unit).values_list("pk", flat=True),
            fields=frozenset({"name"}),
            created=False,
        ),
        Follows(
            Category,
            lambda category: category.submissions.values_list("pk", flat=True),
            fields=frozenset({"name"}),
            created=False,
        ),
    )

    def visibility_key(self, user):
        """SubmissionQuerySet.visible_to branches on the office and the acting unit."""
        return audience(user)

    def audiences(self, ids):
        """The unit's own (``u<id>``, as tasks and reports), and the office's once sent:
        ``sent_at`` is saved with the status by the services and is not in ``ignore``."""
        rows = Submission._base_manager.filter(pk__in=ids).values_list("pk", "unit_id", "sent_at")
        return {
            pk: frozenset({f"u{unit_id}", *((OFFICE,) if sent_at else ())})
            for pk, unit_id, sent_at in rows
        }

    def audiences_of(self, user):
        """SubmissionQuerySet.visible_to: the office the sent pieces, a unit its own."""
        office, unit_id, _signed_in = audience(user)
        if office:
            return frozenset({OFFICE})
        return frozenset({f"u{unit_id}"}) if unit_id is not None else frozenset()

    def queryset(self):
        return Submission.objects.select_related("unit", "category")

    def offered_to(self, user) -> bool:
        return is_office(user) or acting_unit_id(user) is not None

    def document(self, piece) -> Document:
        when = piece.sent_at or piece.created_at
        day = local_date(when)
        status = str(piece.get_status_display())
        return Document(
            title=piece.title,
            parts=[
                (piece.unit.name, False),
                (piece.category.name, False),
                (piece.author, False),
                (piece.body, True),
            ],
            when=when,
            label=" · ".join(p for p in (piece.unit.name, piece.category.name, status) if p),
            year=day.year if day else None,
            date=day,
        )
