"""Keep the search index following the content, in the same transaction.

Signals are the sanctioned place for an index (STYLE.md): publishing, editing,
withdrawing or deleting goes through ``save()``/``delete()`` and lands here.
Who may see a document is decided at query time from the models' own
``visible_to``, so a withdrawn issue vanishes from results even before this runs.
Bulk writes that bypass signals (``bulk_create``, ``QuerySet.update``) need
``manage.py rebuild_search_index`` afterwards.
"""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from bulletins.models import AgendaItem, Article, Attachment, Issue, Meeting, Series
from portal.units.models import Unit
from tasks.models import Assignment, Plan, ProgressReport, Task

from .index import remove_fts_rows, update_documents
from .models import SearchDocument, SearchText

ISSUE, MEETING, TASK, REPORT = (
    SearchDocument.Kind.ISSUE,
    SearchDocument.Kind.MEETING,
    SearchDocument.Kind.TASK,
    SearchDocument.Kind.REPORT,
)

# Saves that touch only these fields change nothing a search shows.
UNINDEXED_FIELDS = {
    Issue: {
        "generated_pdf",
        "generated_pdf_key",
        "cover",
        "cover_thumbnail",
        "official_pdf",
        "updated_at",
        "updated_by",
        "withdrawn_at",
        "publish_at",
    },
    Attachment: {"download_count", "sha256", "size", "content_type", "file"},
    Assignment: {
        "status",
        "progress",
        "acknowledged_at",
        "completion_requested_at",
        "closed_at",
        "version",
        "role",
    },
    ProgressReport: {"version", "percent", "requests_completion"},
    Unit: {"liaison", "phone", "email", "active", "ordering", "kind", "parent", "short_name"},
}


def _skip_save(sender, raw, update_fields) -> bool:
    if raw:  # fixtures: related rows may not exist yet; rebuild afterwards
        return True
    if update_fields is None:
        return False
    return set(update_fields) <= UNINDEXED_FIELDS.get(sender, set())


def _cascaded(sender, origin) -> bool:
    """Whether a delete started at another model (its cascade removes our document too)."""
    if origin is None:
        return False
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return model is not sender


# --- Issues ------------------------------------------------------------------------


@receiver(post_save, sender=Issue, dispatch_uid="search_issue_saved")
def issue_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if not _skip_save(sender, raw, update_fields):
        update_documents(ISSUE, [instance.pk])


@receiver(post_save, sender=Article, dispatch_uid="search_article_saved")
@receiver(post_save, sender=Attachment, dispatch_uid="search_attachment_saved")
def issue_part_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if not _skip_save(sender, raw, update_fields):
        update_documents(ISSUE, [instance.issue_id])


@receiver(post_delete, sender=Article, dispatch_uid="search_article_deleted")
@receiver(post_delete, sender=Attachment, dispatch_uid="search_attachment_deleted")
def issue_part_deleted(sender, instance, origin=None, **kwargs):
    if not _cascaded(sender, origin):
        update_documents(ISSUE, [instance.issue_id])


@receiver(m2m_changed, sender=Issue.distribution.through, dispatch_uid="search_distribution")
def distribution_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            update_documents(ISSUE, [instance.pk])
        return
    # From the unit's side: ``instance`` is a Unit, ``pk_set`` the issues.
    if action == "pre_clear":
        instance._search_cleared_issues = list(
            sender.objects.filter(unit_id=instance.pk).values_list("issue_id", flat=True)
        )
    elif action in ("post_add", "post_remove"):
        update_documents(ISSUE, pk_set or [])
    elif action == "post_clear":
        update_documents(ISSUE, getattr(instance, "_search_cleared_issues", []))


@receiver(post_save, sender=Series, dispatch_uid="search_series_saved")
def series_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if not created and not _skip_save(sender, raw, update_fields):
        update_documents(ISSUE, instance.issues.values_list("pk", flat=True))


# --- Meeting records -------------------------------------------------------------


@receiver(post_save, sender=Meeting, dispatch_uid="search_meeting_saved")
def meeting_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if not _skip_save(sender, raw, update_fields):
        update_documents(MEETING, [instance.pk])


@receiver(post_save, sender=AgendaItem, dispatch_uid="search_agenda_saved")
def agenda_item_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if not _skip_save(sender, raw, update_fields):
        update_documents(MEETING, [instance.meeting_id])


@receiver(post_delete, sender=AgendaItem, dispatch_uid="search_agenda_deleted")
def agenda_item_deleted(sender, instance, origin=None, **kwargs):
    if not _cascaded(sender, origin):
        update_documents(MEETING, [instance.meeting_id])


# --- Tasks and progress reports ----------------------------------------------------


@receiver(post_save, sender=Plan, dispatch_uid="search_plan_saved")
def plan_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if not created and not _skip_save(sender, raw, update_fields):
        update_documents(TASK, instance.tasks.values_list("pk", flat=True))


@receiver(post_save, sender=Task, dispatch_uid="search_task_saved")
def task_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if _skip_save(sender, raw, update_fields):
        return
    update_documents(TASK, [instance.pk])
    if not created:  # a report's title carries its task's
        update_documents(
            REPORT,
            ProgressReport.objects.filter(assignment__task=instance).values_list("pk", flat=True),
        )


@receiver(post_save, sender=Assignment, dispatch_uid="search_assignment_saved")
def assignment_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    # Who sees a task or report follows assignments at query time; only the
    # unit named in a report's document can change here.
    if not created and not _skip_save(sender, raw, update_fields):
        update_documents(REPORT, instance.reports.values_list("pk", flat=True))


@receiver(post_save, sender=ProgressReport, dispatch_uid="search_report_saved")
def report_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if not _skip_save(sender, raw, update_fields):
        update_documents(REPORT, [instance.pk])


# --- Units (their names appear in 抄送 lines and reports) ----------------------------


@receiver(post_save, sender=Unit, dispatch_uid="search_unit_saved")
def unit_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if created or _skip_save(sender, raw, update_fields):
        return
    update_documents(ISSUE, instance.distributed_issues.values_list("pk", flat=True))
    update_documents(
        REPORT,
        ProgressReport.objects.filter(assignment__unit=instance).values_list("pk", flat=True),
    )


# --- The documents themselves --------------------------------------------------------


@receiver(pre_delete, sender=SearchText, dispatch_uid="search_text_deleting")
def text_deleting(sender, instance, **kwargs):
    # Before the row goes (cascades included): the FTS5 'delete' needs the
    # tokens it was indexed with, recomputed from the stored folded text.
    remove_fts_rows([(instance.document_id, instance.text)])
