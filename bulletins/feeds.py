"""Atom feed of public published issues (``/bulletins/feed/``).

The feed is public whoever asks for it: it always lists what an anonymous
visitor may see, so a signed-in reader's feed reader never receives (or
caches) internal issues.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.text import normalize_text, one_line

from .models import Issue

FEED_SIZE = 30


class PublicIssuesFeed(Feed):
    feed_type = Atom1Feed
    link = reverse_lazy("bulletins:issue_list")
    subtitle = gettext_lazy("产改办公开发布的简报")

    def title(self):
        return _("%(site)s · 简报") % {"site": settings.SITE_NAME}

    def items(self):
        return (
            Issue.objects.visible_to(AnonymousUser())
            .select_related("series")
            .order_by("-published_at", "-id")[:FEED_SIZE]
        )

    # Rows may hold control characters written before portal/text.py or around the
    # models (raw SQL); XML 1.0 refuses them and the whole feed would answer 500.
    def item_title(self, item):
        return one_line(f"{item.series.name} {item.number_label} {item.title}").strip()

    def item_description(self, item):
        return normalize_text(item.summary)

    def item_link(self, item):
        return reverse("bulletins:issue_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at
