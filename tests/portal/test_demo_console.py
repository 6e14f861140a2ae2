"""`make run`'s console: the demo accounts stay readable, the demo's mail goes to files."""

import re
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_account_table_columns_line_up(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", password="demo-pass-xyz", stdout=out)
    rows = [line for line in out.getvalue().splitlines() if "demo-pass-xyz" in line]
    assert any(row.split()[0] == "renshe_lead" for row in rows)
    # The password column starts at the same place on every row, the longest name included.
    assert len({row.index("demo-pass-xyz") for row in rows}) == 1
    assert any(re.search(r"renshe_lead  demo-pass-xyz  \S", row) for row in rows)


def test_make_run_writes_the_demo_mail_to_files_not_the_console():
    """The demo sends notices while loading and when serving (reminders): on the console
    they buried the account table, so `make run` gives Django's file backend a folder."""
    dry_run = subprocess.run(
        ["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    load_line = next(line for line in dry_run.splitlines() if "load_demo" in line)
    assert "EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend" in load_line
    assert "EMAIL_FILE_PATH=var/demo-mail" in load_line
    assert "LOG_LEVEL=WARNING" in load_line  # no job log line per published issue
    serve_line = next(line for line in dry_run.splitlines() if "serve_demo" in line)
    assert "EMAIL_FILE_PATH=var/demo-mail" in serve_line
