"""State changes of site-wide rows: the background job queue (django-tasks-db)."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("portal.worker")


@transaction.atomic
def requeue_stale_jobs(
    *, older_than: datetime.timedelta | None = None, worker_id: str | None = None
) -> list[str]:
    """Put back in the queue the jobs left RUNNING by a worker that died or lost the
    database before it could record the result; return their ids.

    A job is requeued when it was started more than ``older_than`` ago (any worker),
    or when ``worker_id`` is given and that worker claimed it last: a worker that
    has just (re)started, or reconnected after an outage, is certainly not running
    anything, so its own RUNNING jobs are requeued at once. Rows another worker is
    finishing right now are skipped (``skip_locked``), never waited for.

    Every job of the portal may run twice (publishing, reminders and PDFs are
    idempotent), which is what makes running one again safe. Called by
    ``manage.py db_worker`` at start and after each reconnect, and by
    ``manage.py requeue_stale_jobs`` (cron).
    """
    if older_than is None and worker_id is None:
        raise ValueError("older_than or worker_id is required")
    running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
        status=TaskResultStatus.RUNNING
    )
    stale = []
    cutoff = timezone.now() - older_than if older_than is not None else None
    for job in running:
        mine = worker_id is not None and job.worker_ids[-1:] == [worker_id]
        old = cutoff is not None and job.started_at is not None and job.started_at < cutoff
        if mine or old:
            stale.append(job)
    for job in stale:
        job.status = TaskResultStatus.READY
        job.started_at = None
        job.save(update_fields=["status", "started_at"])
        logger.warning(
            "Job %s (%s) left running by worker %s requeued",
            job.id,
            job.task_path,
            (job.worker_ids or ["?"])[-1],
        )
    return [str(job.id) for job in stale]
