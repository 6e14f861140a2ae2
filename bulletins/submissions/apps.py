from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    # Its own app (label "submissions") inside the bulletins package: the bulletin's
    # input side is one idea with its own tables and migrations (DESIGN.md, "Shape").
    name = "bulletins.submissions"
    label = "submissions"
    verbose_name = _("信息报送")

    def ready(self):
        # What 信息报送 gives full-text search (bulletins/submissions/search.py).
        from portal.search.registry import register

        from .search import SubmissionKind

        register(SubmissionKind())
