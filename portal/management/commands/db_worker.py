"""``manage.py db_worker``: django-tasks-db's worker that survives database outages.

Same options as django-tasks-db's command (it replaces it: ``portal`` comes first in
INSTALLED_APPS), plus ``--stale-after`` and ``--retry-max``. Run it under a
supervisor (deploy/portal-worker@.service) with one fixed ``--worker-id`` per slot.
"""

import datetime

from django_tasks_db.management.commands import db_worker

from portal.worker import ResilientWorker


class Command(db_worker.Command):
    help = (
        "Run the database background worker; it waits out database outages and requeues "
        "jobs left running by a dead worker."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--stale-after",
            type=int,
            default=900,
            help="Seconds after which a RUNNING job is taken as abandoned and requeued at "
            "start (default: %(default)s).",
        )
        parser.add_argument(
            "--retry-max",
            type=float,
            default=30.0,
            help="Longest wait in seconds between reconnection attempts (default: %(default)s).",
        )

    def handle(self, *args, stale_after, retry_max, **options):
        original = db_worker.Worker
        db_worker.Worker = lambda **kwargs: ResilientWorker(
            stale_after=datetime.timedelta(seconds=stale_after), retry_max=retry_max, **kwargs
        )
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
