"""Keep each issue's PDF content digest current, and its PDF made, as the content changes.

Saving an issue, one of its articles or attachments, or its distribution
stores the new digest at once (``Issue.pdf_content_digest``: downloads read it
instead of hashing the content again) and, for a published issue, renders its
PDF in the background job once the transaction commits, so no reader waits
for a render. Renaming a series or a unit only clears the digests it touches:
they are computed again on the next download or save.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from portal.units.models import Unit

from .models import Article, Attachment, Issue, Series
from .pdf_content import content_digest, pdf_key

# Saves that touch nothing the PDF shows (the cache itself, counters, thumbnails).
_PDF_NEUTRAL = {"generated_pdf", "generated_pdf_key", "pdf_content_digest", "cover_thumbnail"}


def refresh_content_digest(issue_id: int) -> None:
    """Store the digest of issue ``issue_id``'s content; queue its PDF when it is published."""
    issue = Issue.objects.select_related("series").filter(pk=issue_id).first()
    if issue is None:
        return
    digest = content_digest(issue)
    if digest != issue.pdf_content_digest:
        # update(): the digest is no edit (no updated_at, no revision).
        Issue.objects.filter(pk=issue_id).update(pdf_content_digest=digest)
        issue.pdf_content_digest = digest
    if (
        issue.status == Issue.Status.PUBLISHED
        and not issue.official_pdf
        and issue.generated_pdf_key != pdf_key(issue)
    ):
        transaction.on_commit(lambda: _enqueue(issue_id))


def _enqueue(issue_id: int) -> None:
    from .tasks import render_issue_pdf_job

    render_issue_pdf_job.enqueue(issue_id)


@receiver(post_save, sender=Issue)
def _issue_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields and set(update_fields) <= _PDF_NEUTRAL):
        return
    refresh_content_digest(instance.pk)


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Attachment)
@receiver(post_delete, sender=Attachment)
def _part_changed(sender, instance, raw=False, **kwargs):
    if not raw and instance.issue_id:
        refresh_content_digest(instance.issue_id)


@receiver(m2m_changed, sender=Issue.distribution.through)
def _distribution_changed(sender, instance, action, reverse=False, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_content_digest(instance.pk)
    else:  # a unit's issues changed
        Issue.objects.filter(pk__in=pk_set or []).update(pdf_content_digest="")


@receiver(post_save, sender=Series)
def _series_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        Issue.objects.filter(series=instance).update(pdf_content_digest="")


@receiver(post_save, sender=Unit)
def _unit_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        Issue.objects.filter(distribution=instance).update(pdf_content_digest="")
