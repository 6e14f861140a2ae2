"""Test settings: the real settings with a throwaway key, temp folders and fast hashing."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdefghijklmnop")
os.environ.setdefault("TASKS_BACKEND", "immediate")
# A folder of its own per test process (pytest-xdist workers inherit the
# environment, so these are set, not defaulted).
_tmp = tempfile.mkdtemp(prefix="portal-test-")
os.environ["VAR_DIR"] = _tmp
os.environ["MEDIA_ROOT"] = os.path.join(_tmp, "media")
os.environ["PRIVATE_MEDIA_ROOT"] = os.path.join(_tmp, "private")

from portal.settings import *  # noqa: E402,F403
from portal.settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
SECURE_PROXY_SSL_HEADER = None
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT = os.path.join(_tmp, "static")
os.makedirs(STATIC_ROOT, exist_ok=True)

# A test-only app with a searchable kind of its own (tests/search/test_registry.py).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.searchtoy"]  # noqa: F405

# search 0011 writes the kept index counts when a transaction commits; a test's
# transaction never does, so the tests' connections have them written at each write.
if DATABASES["default"]["ENGINE"] == "portal.postgresql":  # noqa: F405
    _test_pg_options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _test_pg_options["options"] = (
        _test_pg_options.get("options", "") + " -c portal.kept_rows=at_write"
    ).strip()
