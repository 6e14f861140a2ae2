"""Load the demo: units, accounts and each app's demo content (idempotent)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

# Each module's ``load(password=, stdout=)`` runs in this order; an app that has
# not landed yet is skipped.
DEMO_MODULES = [
    "portal.demo",
    "bulletins.demo",
    "bulletins.submissions.demo",
    "tasks.demo",
    "tasks.demo_followup",
]


class Command(BaseCommand):
    help = "Load demo units, accounts and content. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="One password for every demo account.")
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on a live site)."
        )

    def handle(self, *args, password=None, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo refuses to run with DEBUG off: it resets the demo accounts' passwords. "
                "Use --force if this really is a demo site."
            )
        accounts = []
        for path in DEMO_MODULES:
            try:
                load = import_string(f"{path}.load")
            except ImportError:
                continue
            accounts.extend(load(password=password, stdout=self.stdout) or [])
        self.stdout.write(self.style.SUCCESS("Demo loaded. Accounts (username / password / unit):"))
        name_width = max((len(username) for username, _pw, _role in accounts), default=0)
        pw_width = max((len(pw) for _username, pw, _role in accounts), default=0)
        for username, pw, role in accounts:
            self.stdout.write(f"  {username:<{name_width}}  {pw:<{pw_width}}  {role}")
