"""Serve the portal for the demo, running the periodic jobs in the same process.

Production runs gunicorn plus cron (or a worker) instead; see README.md.
"""

import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections

# (dotted path of a management command name, seconds between runs). Commands
# that are not installed yet are skipped.
PERIODIC_COMMANDS = [("publish_scheduled", 60), ("send_due_reminders", 3600)]


class Command(BaseCommand):
    help = "Run the development server and the periodic jobs (scheduled publishing, reminders)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--addr", default="127.0.0.1")

    def handle(self, *args, port, addr, **options):
        from django.core.management import get_commands

        available = get_commands()
        jobs = [(name, every) for name, every in PERIODIC_COMMANDS if name in available]
        if jobs:
            threading.Thread(target=self._loop, args=(jobs,), daemon=True).start()
        call_command("runserver", f"{addr}:{port}", use_reloader=False)

    def _loop(self, jobs):
        last = dict.fromkeys((name for name, _ in jobs), 0.0)
        while True:
            now = time.monotonic()
            for name, every in jobs:
                if now - last[name] >= every:
                    last[name] = now
                    try:
                        call_command(name, verbosity=0)
                    except Exception as exc:  # keep serving; the job logs its own errors
                        self.stderr.write(f"{name} failed: {exc}")
                    finally:
                        close_old_connections()
            time.sleep(5)
