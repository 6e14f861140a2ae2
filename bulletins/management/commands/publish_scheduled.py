"""Publish scheduled issues whose time has come. Idempotent: safe from cron every minute."""

from django.core.management.base import BaseCommand

from bulletins import services


class Command(BaseCommand):
    help = "Publish the scheduled bulletin issues that are due (safe to run every minute)."

    def handle(self, *args, **options):
        published = services.publish_due_issues()
        if options["verbosity"] >= 1:
            for issue in published:
                self.stdout.write(f"Published issue {issue.pk}: {issue}")
            self.stdout.write(f"{len(published)} issue(s) published.")
