"""Settings of the page benchmark (bench/pages_bench.py): the portal's production
settings (DEBUG off, manifest static files, cached template loader) served over plain
HTTP on 127.0.0.1, plus the hello-world baseline page of ``bench/pages_urls.py``.
Database from DATABASE_URL. Nothing here is used by the portal itself."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "page-benchmark-only-not-a-secret-0123456789abcdefghijklmn")

from portal.settings import *  # noqa: E402,F403
from portal.settings import TEMPLATES  # noqa: E402

DEBUG = False
ROOT_URLCONF = "bench.pages_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STATIC_ROOT = Path(os.environ.get("BENCH_STATIC_ROOT", "/tmp/portal-pages-bench-static"))
TEMPLATES = [
    {**TEMPLATES[0], "DIRS": [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]}
]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
