"""Background jobs of the task app (django-tasks); each only calls a service."""

from django_tasks import task

from . import services


@task()
def send_due_reminders_job() -> int:
    """The daily reminder run as a background job (with the 信息报送 quota reminders, as
    the command); returns how many reminders it sent."""
    from bulletins.submissions.services import send_quota_reminders

    return len(services.send_due_reminders()) + len(send_quota_reminders())
