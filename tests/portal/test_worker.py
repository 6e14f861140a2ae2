"""``manage.py db_worker`` survives a PostgreSQL restart, and a job left RUNNING by a
dead worker is picked up again, on a throwaway cluster of the test's own."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pgcluster import throwaway_cluster

ROOT = Path(__file__).resolve().parents[2]
TABLE = "django_tasks_database_dbtaskresult"

ENQUEUE = (
    "import sys, django; django.setup();"
    "from tests.portal.worker_jobs import mark;"
    "print(mark.enqueue(sys.argv[1], float(sys.argv[2])).id)"
)


@pytest.fixture(scope="module")
def cluster():
    pg = throwaway_cluster()
    yield pg
    pg.destroy()


@pytest.fixture(scope="module")
def migrated(cluster, tmp_path_factory):
    """The environment of a portal process on its own migrated database of ``cluster``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": cluster.create_database("portal_worker"),
        "TASKS_BACKEND": "database",
        "DB_CONNECT_TIMEOUT": "2",
        "DEBUG": "",
    }
    run(env, "manage.py", "migrate", "--noinput")
    return env


@pytest.fixture
def portal(cluster, migrated, tmp_path):
    """``migrated`` with an empty job queue and a marks file of this test."""
    sql(cluster, migrated, f"DELETE FROM {TABLE}")
    return {**migrated, "WORKER_TEST_MARKS": str(tmp_path / "marks.txt")}


def run(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def enqueue(env, name: str, seconds: float = 0.0) -> str:
    return run(env, "-c", ENQUEUE, name, str(seconds))


def sql(cluster, env, query: str) -> str:
    dbname = env["DATABASE_URL"].rsplit("/", 1)[1]
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d", dbname,
         "-tAc", query],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def start_worker(env, log: Path, worker_id: str = "slot-1") -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--worker-id", worker_id, "--interval",
         "0.2", "--no-startup-delay", "--retry-max", "2", "--no-reload"],
        cwd=ROOT, env=env, stdout=log.open("a"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def marks(env) -> list[str]:
    path = Path(env["WORKER_TEST_MARKS"])
    return path.read_text().split() if path.exists() else []


def wait_for(condition, seconds: float = 90.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_worker_waits_out_a_database_restart_and_goes_on(cluster, portal, tmp_path):
    log = tmp_path / "worker.log"
    worker = start_worker(portal, log)
    try:
        enqueue(portal, "before")
        assert wait_for(lambda: marks(portal) == ["before"]), log.read_text()
        cluster.stop()
        time.sleep(5)  # django-tasks-db's own worker exits within a second of this
        assert worker.poll() is None, log.read_text()
        cluster.start()
        enqueue(portal, "after")
        assert wait_for(lambda: marks(portal) == ["before", "after"]), log.read_text()
        assert worker.poll() is None
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
    text = log.read_text()
    assert "Database unavailable" in text and "retries in" in text
    assert "Traceback" not in text


def test_a_job_left_running_by_a_dead_worker_runs_again(cluster, portal, tmp_path):
    log = tmp_path / "worker.log"
    worker = start_worker(portal, log)
    job = enqueue(portal, "killed-mid-run", seconds=4)
    is_running = f"SELECT status FROM {TABLE} WHERE id = '{job}'"
    assert wait_for(lambda: sql(cluster, portal, is_running) == "RUNNING"), log.read_text()
    worker.kill()  # SIGKILL: no chance to record anything
    worker.wait(10)
    assert sql(cluster, portal, is_running) == "RUNNING"
    # Another worker, gone for good, left one more job running two hours ago.
    orphan = enqueue(portal, "orphan")
    sql(
        cluster,
        portal,
        f"UPDATE {TABLE} SET status = 'RUNNING', worker_ids = '{json.dumps(['gone'])}',"
        f" started_at = now() - interval '2 hours' WHERE id = '{orphan}'",
    )
    fresh = enqueue(portal, "fresh-from-another")  # running elsewhere right now: left alone
    sql(
        cluster,
        portal,
        f"UPDATE {TABLE} SET status = 'RUNNING', worker_ids = '[\"slot-2\"]',"
        f" started_at = now() WHERE id = '{fresh}'",
    )
    worker = start_worker(portal, log)  # the supervisor restarts the slot
    try:
        assert wait_for(lambda: sorted(marks(portal)) == ["killed-mid-run", "orphan"]), (
            log.read_text()
        )
        time.sleep(1)
        states = sql(cluster, portal, f"SELECT status FROM {TABLE} ORDER BY enqueued_at")
        assert states.split() == ["SUCCESSFUL", "SUCCESSFUL", "RUNNING"]
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
    assert marks(portal).count("killed-mid-run") == 1  # the killed run never finished
    assert "left running by worker gone requeued" in log.read_text()
