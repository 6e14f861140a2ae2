"""A web server's wait for PostgreSQL has a deadline: a database that stops answering on
a connection already open fails within seconds (OperationalError → the 503 page), and
the next query gets a new connection. On a throwaway cluster whose backend is frozen
with SIGSTOP (the shared cluster is never touched)."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pgcluster import throwaway_cluster

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys, time
import portal.wsgi  # the web entry point: PORTAL_PROCESS=web, the deadline installed
from django.conf import settings
from django.db import connection, OperationalError
with connection.cursor() as c:
    c.execute("SELECT pg_backend_pid()"); pid = c.fetchone()[0]
    c.execute("SHOW statement_timeout"); timeout = c.fetchone()[0]
print(json.dumps({"pid": pid, "statement_timeout": timeout,
                  "deadline_ms": settings.DB_QUERY_DEADLINE_MS}), flush=True)
sys.stdin.readline()  # the parent froze the backend
started = time.monotonic()
try:
    with connection.cursor() as c:
        c.execute("SELECT 1")
    outcome = "answered"
except OperationalError as exc:
    outcome = type(exc).__name__ + ": " + str(exc)
elapsed = round(time.monotonic() - started, 2)
connection.close()  # what Django does at the end of a request after an error
with connection.cursor() as c:
    c.execute("SELECT 2"); again = c.fetchone()[0]
print(json.dumps({"outcome": outcome, "seconds": elapsed, "again": again}), flush=True)
"""


@pytest.fixture(scope="module")
def cluster():
    pg = throwaway_cluster()
    yield pg
    pg.destroy()


def test_frozen_database_on_an_open_connection_fails_within_the_deadline(cluster):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": cluster.url("postgres"),
        "DB_QUERY_DEADLINE_MS": "2000",
    }
    env.pop("PORTAL_PROCESS", None)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], cwd=ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        first = json.loads(child.stdout.readline())
        assert first["statement_timeout"] == "10s"  # the web default
        assert first["deadline_ms"] == 2000
        os.kill(first["pid"], signal.SIGSTOP)
        try:
            child.stdin.write("go\n")
            child.stdin.flush()
            line = child.stdout.readline()
        finally:
            os.kill(first["pid"], signal.SIGCONT)
        assert line, child.stderr.read()
        second = json.loads(line)
    finally:
        child.kill()
        child.wait()
    assert second["outcome"].startswith("OperationalError: the database did not answer within 2 s")
    assert second["seconds"] < 5
    assert second["again"] == 2


def test_commands_have_no_statement_timeout_unless_set():
    script = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.DATABASES['default']['OPTIONS'].get('options', ''),"
        " settings.DB_QUERY_DEADLINE_MS)"
    )
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    base["DATABASE_URL"] = "postgres://postgres@127.0.0.1:1/none"
    base.pop("PORTAL_PROCESS", None)
    base.pop("DB_STATEMENT_TIMEOUT_MS", None)

    def options(**env):
        result = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env={**base, **env},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        # tests/settings.py adds the suite's own portal.kept_rows (search 0011) after
        # the real settings' options: what portal/settings.py set is the rest.
        return result.stdout.replace("-c portal.kept_rows=at_write", "").split()

    assert options() == ["0"]
    assert options(PORTAL_PROCESS="web") == ["-c", "statement_timeout=10000", "12000"]
    assert options(DB_STATEMENT_TIMEOUT_MS="600000") == ["-c", "statement_timeout=600000", "602000"]
