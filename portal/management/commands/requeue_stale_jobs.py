"""Requeue background jobs left RUNNING longer than a limit (a worker died); for cron."""

import datetime

from django.core.management.base import BaseCommand

from portal import services


class Command(BaseCommand):
    help = "Requeue background jobs left RUNNING for longer than --older-than seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=900,
            help="Seconds a job may run before it counts as abandoned (default: %(default)s).",
        )

    def handle(self, *args, older_than, verbosity=1, **options):
        ids = services.requeue_stale_jobs(older_than=datetime.timedelta(seconds=older_than))
        if verbosity:
            self.stdout.write(f"{len(ids)} job(s) requeued.")
