"""Background jobs of the bulletins (django-tasks): they call ``services.py`` and the PDF cache."""

from django_tasks import task

from . import pdf_cache, services


@task()
def publish_due_issues_job() -> list[int]:
    """Publish the scheduled issues that are due; return their ids (JSON-serialisable)."""
    return [issue.pk for issue in services.publish_due_issues()]


@task()
def render_issue_pdf_job(issue_id: int) -> bool:
    """Make and store the PDF of a published issue (after publishing or an edit).

    Returns whether a PDF was rendered (False: already current, or nothing to
    render). Rerunning is harmless.
    """
    return pdf_cache.store_issue_pdf(issue_id)
