"""Background jobs of the bulletins (django-tasks): they only call ``services.py``."""

from django_tasks import task

from . import services


@task()
def publish_due_issues_job() -> list[int]:
    """Publish the scheduled issues that are due; return their ids (JSON-serialisable)."""
    return [issue.pk for issue in services.publish_due_issues()]
