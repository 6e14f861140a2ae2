"""A database outage: users get the Chinese 503 page, the log one line per request, and
a database that accepts connections but never answers fails within the connect timeout.

The outage is real: the portal runs in a child process whose DATABASE_URL points at a
closed port, or at a socket that listens and never answers (the shared PostgreSQL
cluster is never touched)."""

import json
import logging
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from portal.outage import OneLineOutageFilter
from portal.views import error_500

ROOT = Path(__file__).resolve().parents[2]

CLIENT = textwrap.dedent(
    """
    import json, time, django
    django.setup()
    from django.test import Client
    anonymous = Client(raise_request_exception=False)
    returning = Client(raise_request_exception=False)
    returning.cookies["sessionid"] = "s" * 32  # a signed-in user's cookie: the session is read
    for client, path in [(anonymous, "/"), (returning, "/tasks/"), (anonymous, "/bulletins/"),
                         (anonymous, "/healthz")]:
        started = time.monotonic()
        response = client.get(path)
        print(json.dumps({"path": path, "status": response.status_code,
                          "seconds": round(time.monotonic() - started, 2),
                          "retry_after": response.get("Retry-After"),
                          "body": response.content.decode()}), flush=True)
    """
)


def run_portal_against(database_url: str, **env) -> tuple[list[dict], str]:
    result = subprocess.run(
        [sys.executable, "-c", CLIENT],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_down_answers_chinese_503_and_logs_one_line_per_request():
    port = free_port()  # nothing listens there
    pages, log = run_portal_against(f"postgres://postgres@127.0.0.1:{port}/portal")
    by_path = {page["path"]: page for page in pages}
    for path in ("/", "/tasks/", "/bulletins/"):
        assert by_path[path]["status"] == 503, path
        assert "服务暂时不可用" in by_path[path]["body"]
        assert by_path[path]["retry_after"] == "30"
    health = json.loads(by_path["/healthz"]["body"])
    assert by_path["/healthz"]["status"] == 503
    assert health["failing"] == ["database"] and health["cache"] == health["storage"] == "ok"
    assert "Traceback" not in log
    outage_lines = [line for line in log.splitlines() if "Database unavailable" in line]
    assert len(outage_lines) == 3
    assert "GET /tasks/" in log


def test_a_database_that_never_answers_fails_within_the_connect_timeout():
    with socket.socket() as silent:  # listens, the kernel accepts, nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(50)
        port = silent.getsockname()[1]
        pages, log = run_portal_against(
            f"postgres://postgres@127.0.0.1:{port}/portal", DB_CONNECT_TIMEOUT="2"
        )
    by_path = {page["path"]: page for page in pages}
    assert by_path["/"]["status"] == 503
    # 2 s connect timeout, per attempt (sslmode=prefer tries twice); no timeout: no answer at all
    assert by_path["/"]["seconds"] < 20
    assert by_path["/healthz"]["status"] == 503
    assert by_path["/healthz"]["seconds"] < 6  # the health check waits 3 s at most
    assert "Traceback" not in log


def test_outage_raised_outside_a_view_gets_the_503_page_too():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("server closed the connection unexpectedly\n\tThis probably…")
    except OperationalError:
        response = error_500(request)
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()
    try:
        raise ValueError("a real bug")
    except ValueError:
        assert error_500(request).status_code == 500


def test_log_filter_shortens_outage_records_only():
    def record(exc):
        try:
            raise exc
        except Exception:
            return logging.LogRecord(
                "django.request",
                logging.ERROR,
                __file__,
                1,
                "%s: %s",
                ("Service Unavailable", "/tasks/"),
                sys.exc_info(),
            )

    outage = record(OperationalError("connection refused\nIs the server running?"))
    assert OneLineOutageFilter().filter(outage)
    assert outage.exc_info is None
    assert outage.getMessage() == (
        "Service Unavailable: /tasks/ (database unavailable, OperationalError: connection refused)"
    )
    bug = record(ValueError("a real bug"))
    assert OneLineOutageFilter().filter(bug)
    assert bug.exc_info is not None


def test_postgresql_gets_connect_and_statement_timeouts(settings):
    if settings.DATABASES["default"]["ENGINE"] != "portal.postgresql":
        pytest.skip("PostgreSQL settings only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["connect_timeout"] == 5
    assert options["keepalives"] == 1 and options["tcp_user_timeout"] == 15000


def test_postgresql_accepts_the_connection_options(settings, db):
    """libpq knows every option the settings give (an unknown one fails every connection)."""
    if settings.DATABASES["default"]["ENGINE"] != "portal.postgresql":
        pytest.skip("PostgreSQL settings only")
    from django.db import connection

    params = connection.get_connection_params()
    assert params["keepalives_idle"] == 10 and params["connect_timeout"] == 5
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
