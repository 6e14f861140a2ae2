"""The background worker that outlives a database outage (``manage.py db_worker``).

django-tasks-db's worker exits on the first ``OperationalError`` (a PostgreSQL
restart of a few seconds is enough) and leaves the job it was running RUNNING for
ever. This one logs one line, waits, reconnects and goes on; once the database is
back it requeues its own job that lost its result, and at start it requeues jobs
that a dead worker left behind (``portal.services.requeue_stale_jobs``).
"""

import datetime
import logging
import time

from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker

from portal import services
from portal.outage import OUTAGE_ERRORS, first_line

logger = logging.getLogger("portal.worker")


def close_broken_connections() -> None:
    """Drop every connection of this thread so the next query opens a new one."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except Exception:  # closing a dead socket may fail; the wrapper is reset anyway
            conn.connection = None


class ResilientWorker(Worker):
    """``Worker`` that survives database outages and sweeps stale jobs.

    ``stale_after`` (timedelta): a RUNNING job started longer ago is requeued at
    start, whoever claimed it. ``retry_max`` (seconds): the longest wait between two
    reconnection attempts (1, 2, 4 … seconds up to it).
    """

    def __init__(self, *, stale_after: datetime.timedelta, retry_max: float, **kwargs):
        super().__init__(**kwargs)
        self.stale_after = stale_after
        self.retry_max = retry_max
        self.outages = 0

    def run(self) -> None:
        wait = 1.0
        sweep = {"older_than": self.stale_after, "worker_id": self.worker_id}
        while self.running:
            try:
                if sweep:
                    services.requeue_stale_jobs(**sweep)
                    sweep = {}
                super().run()
                return
            except OUTAGE_ERRORS as exc:
                self.outages += 1
                self.running_task = False
                logger.warning(
                    "Database unavailable (%s: %s); worker %s retries in %.0f s",
                    type(exc).__name__,
                    first_line(exc),
                    self.worker_id,
                    wait,
                )
                close_broken_connections()
                time.sleep(wait)
                wait = min(wait * 2, self.retry_max)
                # A job this worker was running may have lost its result with the
                # connection: requeue it once the database answers again.
                sweep = {"worker_id": self.worker_id}
            else:
                wait = 1.0
