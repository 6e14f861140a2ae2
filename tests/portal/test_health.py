"""/healthz: the database, the cache and the private storage, each within a short time;
503 names the failing part."""

import threading

import pytest
from django.core.files.storage import storages

from portal import health

pytestmark = pytest.mark.django_db


def test_all_parts_answer(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "database": "ok",
        "cache": "ok",
        "storage": "ok",
    }
    assert response["Cache-Control"].startswith("max-age=0")
    # The probe file is removed again.
    assert storages["private"].listdir("healthz")[1] == []


def test_cache_that_does_not_read_back_is_named(anon_client, monkeypatch):
    from django.core.cache.backends.locmem import LocMemCache

    # Caches are per thread: the class, not this thread's instance.
    monkeypatch.setattr(LocMemCache, "get", lambda *a, **k: None)
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["database"] == "ok"


def test_storage_that_cannot_write_is_named(anon_client, monkeypatch):
    storage = storages["private"]

    def full(name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage, "save", full)
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]
    assert response.json()["storage"] == "error: OSError"


def test_a_frozen_part_is_reported_as_timeout_without_waiting_for_it():
    release = threading.Event()

    def frozen():
        release.wait(30)

    try:
        results = health.run_checks({"database": frozen, "cache": lambda: None}, timeout=0.2)
    finally:
        release.set()
    assert results == {"database": "timeout", "cache": "ok"}


def test_redis_url_gives_a_working_shared_cache():
    """REDIS_URL is documented, so its client is installed: the first cache call works."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    script = (
        "import django; django.setup();"
        "from django.core.cache import cache;"
        "cache.set('portal-test-redis', 'shared', 10);"
        "print(type(cache._cache).__name__, cache.get('portal-test-redis'))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    env.update(REDIS_URL="redis://127.0.0.1:6379/4", DATABASE_URL="sqlite:///:memory:")
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisCacheClient", "shared"]
