"""What ``/healthz`` checks: the database, the shared cache and the private storage,
each within a short time, so a load balancer takes a sick server out of rotation."""

import threading
import time
import uuid

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection

CHECK_TIMEOUT_SECONDS = 3.0


def check_database() -> None:
    """One round trip to the default database (its connect and statement timeouts apply)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    """Write, read back and delete a key in the default cache (Redis when ``REDIS_URL``)."""
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=30)
    value = cache.get(key)
    cache.delete(key)
    if value != "ok":
        raise RuntimeError("the value written was not read back")


def check_storage() -> None:
    """Write and delete a two-byte file in the private storage: a full disk, a missing
    folder or an unreachable object store fails here."""
    storage = storages["private"]
    name = storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    storage.delete(name)


CHECKS = {"database": check_database, "cache": check_cache, "storage": check_storage}


def _run(check, results: dict, name: str) -> None:
    try:
        check()
        results[name] = "ok"
    except Exception as exc:  # any failure is the answer, not an error of the probe
        results[name] = f"error: {type(exc).__name__}"
    finally:
        if name == "database":
            connection.close()  # this thread's own connection


def run_checks(checks: dict | None = None, timeout: float = CHECK_TIMEOUT_SECONDS) -> dict:
    """Run every check at once, each in its own thread, and wait at most ``timeout``
    seconds in all. Returns ``{name: "ok" | "error: <ExceptionClass>" | "timeout"}``.
    A frozen part (a database that accepts connections but never answers) is
    reported as ``timeout``; its thread is left to finish on its own."""
    checks = CHECKS if checks is None else checks
    results: dict[str, str] = {}
    threads = []
    for name, check in checks.items():
        thread = threading.Thread(
            target=_run, args=(check, results, name), name=f"healthz-{name}", daemon=True
        )
        thread.start()
        threads.append(thread)
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    return {name: results.get(name, "timeout") for name in checks}
