"""Settings for the search benchmark: the portal's settings, production-like (DEBUG off,
so no query log), reachable by the test client. Database from DATABASE_URL or VAR_DIR."""

import os

os.environ.setdefault("SECRET_KEY", "search-benchmark-only-not-a-secret-0123456789abcdefghijkl")

from portal.settings import *  # noqa: E402,F403
from portal.settings import STORAGES  # noqa: E402

DEBUG = False
ALLOWED_HOSTS = ["testserver"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_PROXY_SSL_HEADER = None
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
