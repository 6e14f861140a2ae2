"""The issue page's stored reading copy (``IssueReading``), kept in step with every save.

The page shows each article's body cleaned and with its codes kept whole
(bulletins/html.py), the issue's downloads and its meeting records. Those change
only when an article, an attachment or a meeting link is saved or deleted, so
each such change stores them again, in the same transaction; the page then
reads them with the issue in one query (issue 11). A new issue gets its (empty)
row; the migration made the rows of the issues already there.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from .html import article_html
from .models import Article, Attachment, Issue, IssueReading, Meeting

_MEETING_LINKS = Meeting.issues.through


def reading_of(issue: Issue) -> dict:
    """The reading copy's values for ``issue``, read from its articles, files and meetings."""
    return {
        "articles": [
            [article.title, article_html(article.body, article.title)]
            for article in issue.articles.order_by("order", "id").only("title", "body")
        ],
        "attachments": [
            [pk, title or original_name, size]
            for pk, title, original_name, size in issue.attachments.filter(is_inline=False)
            .order_by("order", "id")
            .values_list("pk", "title", "original_name", "size")
        ],
        "has_meetings": _MEETING_LINKS.objects.filter(issue_id=issue.pk).exists(),
    }


def reading_copy(issue: Issue) -> IssueReading:
    """``issue``'s stored reading copy, or one made now (not stored) when it has none."""
    try:
        return issue.reading
    except IssueReading.DoesNotExist:
        return IssueReading(issue=issue, **reading_of(issue))


def refresh_reading(issue_id: int, *, create: bool = False) -> None:
    """Store the reading copy of issue ``issue_id`` again; ``create`` makes a missing row.

    Without ``create`` only an existing row changes: an article deleted with its
    issue must not make a row for the issue being deleted.
    """
    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return
    values = reading_of(issue)
    if create:
        IssueReading.objects.update_or_create(issue=issue, defaults=values)
    else:
        IssueReading.objects.filter(issue=issue).update(**values)


@receiver(post_save, sender=Issue)
def _issue_created(sender, instance, created=False, raw=False, **kwargs):
    if created and not raw:
        IssueReading.objects.create(issue=instance)  # no article or file yet


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Attachment)
@receiver(post_delete, sender=Attachment)
def _part_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.issue_id:
        refresh_reading(instance.issue_id)


@receiver(m2m_changed, sender=_MEETING_LINKS)
def _meetings_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action == "pre_clear" and not reverse:
        # meeting.issues.clear() names no issues afterwards: remember them now.
        instance._reading_cleared = list(instance.issues.values_list("pk", flat=True))
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # issue.meetings changed
        issue_ids = [instance.pk]
    elif action == "post_clear":
        issue_ids = getattr(instance, "_reading_cleared", [])
    else:
        issue_ids = list(pk_set or [])
    _refresh_has_meetings(issue_ids)


def _refresh_has_meetings(issue_ids) -> None:
    IssueReading.objects.filter(issue_id__in=issue_ids).update(
        has_meetings=Exists(_MEETING_LINKS.objects.filter(issue_id=OuterRef("issue_id")))
    )


@receiver(pre_delete, sender=Meeting)
def _meeting_deleting(sender, instance, **kwargs):
    # Deleting a meeting deletes its links without m2m_changed: remember its issues.
    instance._reading_linked = list(instance.issues.values_list("pk", flat=True))


@receiver(post_delete, sender=Meeting)
def _meeting_deleted(sender, instance, **kwargs):
    _refresh_has_meetings(getattr(instance, "_reading_linked", []))
