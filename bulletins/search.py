"""What bulletins gives full-text search: issues (简报) and meeting records (会议纪要).

Registered from ``BulletinsConfig.ready()`` (portal/search/registry.py explains
the fields). Dates, numbers and the 抄送 line print as on the issue itself
(layout.py).
"""

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.search.registry import EVERY, Document, Facet, Follows, SearchKind, audience
from portal.search.visibility import kept_rows

from . import models
from .layout import chinese_date, local_date, printed_text, total_number_label
from .models import (
    AgendaItem,
    Article,
    Attachment,
    Issue,
    Meeting,
    Series,
    Visibility,
    issue_audience,
)

# Audiences of documents (SearchKind.audiences): everyone, and signed-in members.
PUBLIC, MEMBERS = "public", "members"


def meeting_audience(visibility: str) -> frozenset[str]:
    """Who reads a meeting record of this ``visibility`` (MeetingQuerySet.visible_to):
    everyone when public, signed-in members otherwise (the office among them)."""
    return frozenset({PUBLIC if visibility == Visibility.PUBLIC else MEMBERS})


def meeting_audiences_of(user):
    """The meeting audiences ``user`` reads: every record when signed in and active,
    else the public ones (MeetingQuerySet.visible_to)."""
    _office, _unit, signed_in = audience(user)
    return EVERY if signed_in else frozenset({PUBLIC})


def visible_series_query(user):
    """``(key, build)`` of the series with at least one issue the user may see (a
    hidden series' name is not offered), for ``kept_rows``: ``(id, name)`` rows, the
    query compiled once per ``audience``, all that Issue.visible_to depends on
    (IssueKind.visibility_key)."""
    return (
        ("bulletins.visible_series", audience(user)),
        lambda: Series.objects.filter(
            Exists(Issue.objects.visible_to(user).filter(series=OuterRef("pk")))
        ).values_list("pk", "name"),
    )


def visible_series(user):
    """The rows of ``visible_series_query``: ``[(id, name)]`` in the series' order."""
    return kept_rows(*visible_series_query(user))


def _issue_ids(queryset):
    return queryset.values_list("pk", flat=True)


class IssueKind(SearchKind):
    name = "issue"
    label = gettext_lazy("简报")
    code = 1
    model = Issue
    url_name = "bulletins:issue_detail"
    # Saves that touch only these change nothing a search shows.
    ignore = frozenset(
        {"generated_pdf", "generated_pdf_key", "cover", "cover_thumbnail", "official_pdf",
         "updated_at", "updated_by", "withdrawn_at", "publish_at"}
    )  # fmt: skip
    follows = (
        Follows(Article, lambda article: [article.issue_id], deleted=True),
        Follows(
            Attachment,
            lambda attachment: [attachment.issue_id],
            ignore=frozenset({"download_count", "sha256", "size", "content_type", "file"}),
            deleted=True,
        ),
        # The series name is in every issue's text and label.
        Follows(Series, lambda series: _issue_ids(series.issues), created=False),
        # Unit names are in the 抄送 line; nothing else of a unit is.
        Follows(
            "units.Unit",
            lambda unit: _issue_ids(unit.distributed_issues),
            fields=frozenset({"name"}),
            created=False,
        ),
    )
    m2m = ("distribution",)
    facet = Facet(
        param="series",
        label=gettext_lazy("简报系列"),
        empty_label=gettext_lazy("全部系列"),
        choices=visible_series,
        query=visible_series_query,
        # bulletins 0007: new on every change of the issues or the series.
        stamp="SELECT value FROM bulletins_series_stamp",
    )

    def visibility_key(self, user):
        """IssueQuerySet.visible_to branches on the office and being signed in."""
        return audience(user)

    def audiences(self, ids):
        """A published public issue is everyone's, a published internal one the
        members'; any other state the office's alone (no audience). Status and
        visibility are not in ``ignore``: every save changing them re-indexes."""
        rows = Issue._base_manager.filter(pk__in=ids).values_list("pk", "status", "visibility")
        return {
            pk: frozenset(
                {PUBLIC if visibility == Visibility.PUBLIC else MEMBERS}
                if status == Issue.Status.PUBLISHED
                else ()
            )
            for pk, status, visibility in rows
        }

    def audiences_of(self, user):
        """IssueQuerySet.visible_to, on what it branches on (``issue_audience``): the
        office every issue, members the published ones, anyone else the public ones."""
        who = issue_audience(user)
        if who == models.OFFICE:
            return EVERY
        return frozenset({PUBLIC, MEMBERS}) if who == models.MEMBERS else frozenset({PUBLIC})

    def queryset(self):
        return Issue.objects.select_related("series").prefetch_related(
            "articles",
            "distribution",
            Prefetch("attachments", queryset=Attachment.objects.filter(is_inline=False)),
        )

    def document(self, issue) -> Document:
        number = issue.number_label
        if issue.total_number:
            number = f"{number} {total_number_label(issue.total_number)}"
        series = issue.series.name if issue.series_id else ""
        label_parts = [p for p in (series, number.strip(), chinese_date(issue.issue_date)) if p]
        if not issue.is_published:
            label_parts.append(str(issue.get_status_display()))
        units = "、".join(unit.name for unit in issue.distribution.all())
        distribution = "、".join(p for p in (units, issue.distribution_line) if p)
        # Content first, so a snippet with no match past the title opens on the text.
        parts = [(issue.summary, None)]
        for article in issue.articles.all():
            if article.title != issue.title:  # a one-article issue repeats its title
                parts.append((article.title, False))
            parts.append((article.body, True))
        for attachment in issue.attachments.all():
            parts.append((attachment.title, False))
            parts.append((attachment.original_name, False))
        parts += [
            (series, False),
            (number, False),
            (issue.issuing_office, False),
            (chinese_date(issue.issue_date), False),
            (printed_text(chinese_date(issue.printed_on)), False),
            (_("抄送：") + distribution if distribution else "", False),
        ]
        return Document(
            title=issue.title,
            parts=parts,
            when=issue.issue_date or issue.published_at or issue.created_at,
            label=" · ".join(label_parts),
            year=issue.year,
            date=issue.issue_date or local_date(issue.published_at),
            group=issue.series_id,
        )


class MeetingKind(SearchKind):
    name = "meeting"
    label = gettext_lazy("会议纪要")
    code = 2
    model = Meeting
    url_name = "bulletins:meeting_detail"
    follows = (Follows(AgendaItem, lambda item: [item.meeting_id], deleted=True),)

    def visibility_key(self, user):
        """MeetingQuerySet.visible_to branches on being signed in."""
        return audience(user)

    def audiences(self, ids):
        """By the record's visibility (a save of the meeting re-indexes it)."""
        rows = Meeting._base_manager.filter(pk__in=ids).values_list("pk", "visibility")
        return {pk: meeting_audience(visibility) for pk, visibility in rows}

    def audiences_of(self, user):
        return meeting_audiences_of(user)

    def queryset(self):
        return Meeting.objects.prefetch_related("agenda_items")

    def document(self, meeting) -> Document:
        when = chinese_date(meeting.starts_at)
        parts = [(meeting.key_points, None)]
        for item in meeting.agenda_items.all():
            parts.append((item.title, False))
            parts.append((item.body, None))
        parts += [
            (when, False),
            (meeting.place, False),
            (_("主持：") + meeting.chair if meeting.chair else "", False),
            (meeting.leaders_present, None),
            (meeting.attendees, None),
            (meeting.absent, None),
            (meeting.observers, None),
        ]
        local = local_date(meeting.starts_at)
        return Document(
            title=meeting.title,
            parts=parts,
            when=meeting.starts_at,
            label=" · ".join(p for p in (when, meeting.place) if p),
            year=local.year if local else None,
            date=local,
        )
