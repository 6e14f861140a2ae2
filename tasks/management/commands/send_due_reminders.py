"""Daily: remind liaisons of assignments due within 7 days or overdue (once a day each),
and units under their monthly 信息报送 quota near month end (once a month each)."""

import datetime

from django.core.management.base import BaseCommand

from bulletins.submissions.services import send_quota_reminders
from tasks import services


class Command(BaseCommand):
    help = "Send the daily due and overdue reminders; running it twice a day sends nothing more."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="Run as of this day (YYYY-MM-DD)."
        )

    def handle(self, *args, date=None, verbosity=1, **options):
        made = services.send_due_reminders(today=date)
        # The same daily run reminds units under their 信息报送 quota near month end.
        quota = send_quota_reminders(today=date)
        if verbosity:
            self.stdout.write(f"{len(made)} reminder(s) sent.")
            self.stdout.write(f"{len(quota)} quota reminder(s) sent.")
