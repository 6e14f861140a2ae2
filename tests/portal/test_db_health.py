"""A web server's reused PostgreSQL connection: one the server has ended since the last
request (backend terminated, PostgreSQL restarted) is replaced before the request's
first statement, so the request answers as usual; a sound one is used without asking
the server anything first (no ``SELECT 1``, portal/postgresql/base.py).

The portal runs in a child process through its WSGI entry point (the real request
cycle: Django's ``request_started``/``request_finished`` handling of connections, the
middleware, the deadline), against a throwaway cluster that logs every statement it
receives (the shared cluster is never touched)."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest

from tests.pgcluster import throwaway_cluster

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import io, json, sys, types, wsgiref.util
import portal.wsgi  # the web entry point: PORTAL_PROCESS=web, the deadline installed
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.urls import path

def backend_pid(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return JsonResponse({"pid": cursor.fetchone()[0]})

urls = types.ModuleType("health_probe_urls")
urls.urlpatterns = [path("pid/", backend_pid)]
sys.modules["health_probe_urls"] = urls
settings.ROOT_URLCONF = "health_probe_urls"

for line in sys.stdin:
    environ = {"PATH_INFO": "/pid/", "wsgi.input": io.BytesIO()}
    wsgiref.util.setup_testing_defaults(environ)
    status = []
    result = portal.wsgi.application(environ, lambda s, headers: status.append(s))
    try:
        body = b"".join(result).decode()
    finally:
        result.close()  # request_finished: Django's end-of-request connection handling
    answer = {"status": int(status[0].split()[0])}
    answer.update(json.loads(body) if answer["status"] == 200 else {"body": body[:200]})
    print(json.dumps(answer), flush=True)
"""


@pytest.fixture(scope="module")
def cluster():
    pg = throwaway_cluster()
    admin = psycopg2.connect(pg.url("postgres"))
    admin.autocommit = True
    with admin.cursor() as cursor:  # every statement the portal sends goes to server.log
        cursor.execute("ALTER DATABASE postgres SET log_statement = 'all'")
    admin.close()
    yield pg
    pg.destroy()


class Portal:
    def __init__(self, cluster):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": cluster.url("postgres"),
        }
        env.pop("PORTAL_PROCESS", None)
        self.child = subprocess.Popen(
            [sys.executable, "-c", CHILD], cwd=ROOT, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip

    def get(self) -> dict:
        self.child.stdin.write("get\n")
        self.child.stdin.flush()
        line = self.child.stdout.readline()
        assert line, self.child.stderr.read()
        return json.loads(line)

    def close(self):
        self.child.kill()
        self.child.wait()


def statements_of(cluster, pid: int) -> list[str]:
    log = (cluster.folder / "server.log").read_text(errors="replace")
    return re.findall(rf"\[{pid}\] LOG:  statement: (.*)", log)


def terminate(cluster, pid: int) -> None:
    admin = psycopg2.connect(cluster.url("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):  # until the backend has gone (its notice is on the socket)
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.05)
    finally:
        admin.close()
    raise AssertionError(f"backend {pid} still there")


def test_a_sound_connection_is_reused_without_a_select_1(cluster):
    portal = Portal(cluster)
    try:
        answers = [portal.get() for _ in range(4)]
    finally:
        portal.close()
    assert [a["status"] for a in answers] == [200] * 4
    pid = answers[0]["pid"]
    assert {a["pid"] for a in answers} == {pid}  # one connection, kept (CONN_MAX_AGE)
    # What the server received on it: the session's set-up and each request's own
    # statement, no health check's SELECT 1 before them.
    statements = statements_of(cluster, pid)
    assert statements.count("SELECT pg_backend_pid()") == 4
    assert "SELECT 1" not in statements


def test_a_terminated_backend_is_replaced_without_an_error_answer(cluster):
    portal = Portal(cluster)
    try:
        first = portal.get()
        terminate(cluster, first["pid"])
        second = portal.get()
        third = portal.get()
    finally:
        portal.close()
    assert first["status"] == second["status"] == third["status"] == 200, second
    assert second["pid"] != first["pid"]
    assert third["pid"] == second["pid"]


def test_after_a_postgresql_restart_the_next_request_answers(cluster):
    portal = Portal(cluster)
    try:
        first = portal.get()
        cluster.restart("fast")  # every connection is cut
        second = portal.get()
    finally:
        portal.close()
    assert first["status"] == second["status"] == 200, second
    assert second["pid"] != first["pid"]
