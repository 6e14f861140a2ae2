"""Background jobs of the task app (django-tasks); each only calls a service."""

from django_tasks import task

from . import services


@task()
def send_due_reminders_job() -> int:
    """The daily reminder run as a background job; returns how many reminders it sent."""
    return len(services.send_due_reminders())
