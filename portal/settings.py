"""Settings of the Reform Office Portal, read from the environment.

Embedded default: SQLite and local folders under ``var/``. Production: set
``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``DATABASE_URL`` (see README.md).
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            'string (for example: python -c "import secrets; print(secrets.token_urlsafe(50))"), '
            "or set DEBUG=1 for local development only."
        )
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.accounts",
    "portal.units",
    "portal",
    "bulletins",
    "bulletins.submissions",
    "tasks",
    "portal.search",
    "portal.audit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "simple_history",
    "django_prose_editor",
    "axes",
    "csp",
    # Two-factor sign-in: TOTP authenticators and recovery codes (portal/accounts/two_factor.py).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # A database outage answers the Chinese 503 page with one log line (portal/outage.py).
    "portal.outage.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.audit.request.AuditRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # 等保 session rules (README, "等保 2.0"): idle sign-out, the second factor,
    # passwords that must change.
    "portal.accounts.middleware.IdleTimeoutMiddleware",
    "portal.accounts.two_factor.TwoFactorMiddleware",
    "portal.accounts.middleware.PasswordPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Files written by a request whose transaction rolls back are removed; the
    # private store being down is a Chinese 503 page (portal/storage/).
    "portal.storage.middleware.PrivateStorageMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.site",
            ],
        },
    },
]

# Plain widgets written without a template per attribute list (portal/forms_renderer.py).
FORM_RENDERER = "portal.forms_renderer.FormRenderer"

# Database: SQLite file by default, PostgreSQL (or any dj-database-url URL) when given.
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers go on while the scheduled-publish job writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check of a reused connection that asks the
    # server nothing while its socket is quiet (portal/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "portal.postgresql"
    # A database that is down or frozen fails fast instead of holding every worker:
    # seconds to open a connection, milliseconds a statement may run (README, Production).
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "5")))
    # A database host that vanishes (network cut, frozen VM) breaks an open connection
    # within seconds instead of the kernel's quarter of an hour: TCP keepalives and
    # tcp_user_timeout (ms unacknowledged data may wait), both libpq options.
    _pg_options.setdefault("keepalives", 1)
    _pg_options.setdefault("keepalives_idle", 10)
    _pg_options.setdefault("keepalives_interval", 5)
    _pg_options.setdefault("keepalives_count", 3)
    _pg_options.setdefault(
        "tcp_user_timeout", int(os.environ.get("DB_TCP_USER_TIMEOUT_MS", "15000"))
    )
    # Web requests (portal/wsgi.py sets PORTAL_PROCESS=web) get a statement timeout;
    # commands and the worker (migrate, rebuild_search_index, backups) none unless set.
    _statement_ms = int(
        os.environ.get("DB_STATEMENT_TIMEOUT_MS")
        or ("10000" if os.environ.get("PORTAL_PROCESS") == "web" else "0")
    )
    if _statement_ms:
        _pg_options["options"] = (
            _pg_options.get("options", "") + f" -c statement_timeout={_statement_ms}"
        ).strip()

# Web processes: a deadline on every wait for PostgreSQL (portal/db_deadline.py), so a
# database that stops answering on an open connection fails the request (503) too.
# Its default is the statement timeout and 2 s (the server's own timeout answers first
# while the server is alive); 0: none.
_pg = DATABASES["default"]["ENGINE"] == "portal.postgresql"
DB_QUERY_DEADLINE_MS = int(
    os.environ.get("DB_QUERY_DEADLINE_MS") or (_statement_ms + 2000 if _pg and _statement_ms else 0)
)
DB_CONNECT_TIMEOUT = int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
# The issue page's and the PDF download's lookup are prepared once per connection on
# PostgreSQL (portal/kept_sql.py). 0 for a pooler that cannot keep prepared statements
# (PgBouncer in transaction mode).
KEPT_SQL_PREPARE = os.environ.get("KEPT_SQL_PREPARE", "1") != "0"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend reading the unit and the 产改办 test with the user, by
    # statements written once (portal/accounts/backends.py). ModelBackend stays listed
    # after it so that sessions signed in before it was added stay valid.
    "portal.accounts.backends.PortalBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's database sessions, read by a statement written once (portal/accounts/sessions.py).
SESSION_ENGINE = "portal.accounts.sessions"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "portal.accounts.passwords.ComplexityValidator"},
    {"NAME": "portal.accounts.passwords.NotUsernameValidator"},
    {"NAME": "portal.accounts.passwords.HistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Password rules (portal/accounts/passwords.py): length and character classes
# (of lower case, upper case, digits, symbols), passwords remembered, reminder
# and forced change after so many days.
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "8"))
PASSWORD_MIN_CLASSES = int(os.environ.get("PASSWORD_MIN_CLASSES", "3"))
PASSWORD_HISTORY = int(os.environ.get("PASSWORD_HISTORY", "5"))
PASSWORD_REMIND_DAYS = int(os.environ.get("PASSWORD_REMIND_DAYS", "90"))
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "180"))
# Sign-out after this many seconds without a request (warning a minute before).
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", "1800"))
# Two-factor sign-in: required of every staff account (the admin's users) when on.
OTP_REQUIRED_FOR_STAFF = env_bool("OTP_REQUIRED_FOR_STAFF")
OTP_TOTP_ISSUER = os.environ.get("SITE_NAME", "产改办工作平台")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Throttle wrong passwords per user and address, the admin's login too.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Reverse proxies in front of the portal (nginx: 1): the client address that
# throttling and the audit trail use is the N-th from the right of
# X-Forwarded-For (portal/audit/request.py); 0 takes REMOTE_ADDR.
PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "portal.audit.request.client_address"

# Audit trail (portal/audit): entries are kept at least this many days; the law
# (网络安全法 第二十一条) asks for six months, and `manage.py check` refuses less.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "180"))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Public media (nothing private ever goes here) and the private store, which has
# no URL: its files leave only through download views that check permission.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
# With S3_BUCKET set, private files live in that bucket of any S3-compatible store
# (README, "Production"); every app server then reads the same files.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    PRIVATE_STORAGE = {
        "BACKEND": "portal.storage.backends.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "region_name": os.environ.get("S3_REGION", "us-east-1"),
            "location": os.environ.get("S3_PREFIX", "").strip("/"),
            "verify": env_bool("S3_VERIFY_TLS", True),
        },
    }
else:
    PRIVATE_STORAGE = {
        "BACKEND": "portal.storage.backends.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Where `manage.py backup` writes its archives (README, "Backup and restore").
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or VAR_DIR / "backups")

# Uploads: bounded in size and count (SECURITY.md, "Bound the input").
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_PERMISSIONS = 0o640
# Uploads over 2.5 MB are spooled here while the request runs (copies of private
# files): a folder of the portal's own, emptied of leftovers by
# `manage.py check_storage --delete-orphans` (a killed worker leaves its spool).
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or str(VAR_DIR / "tmp" / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)

# 延期申请: how many extensions the office may grant one assignment (README, "Reform tasks").
TASKS_EXTENSIONS_PER_ASSIGNMENT = int(os.environ.get("TASKS_EXTENSIONS_PER_ASSIGNMENT", "2"))

# Email: console by default; SMTP when EMAIL_HOST is set.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
# The file backend's folder (`make run` writes the demo's mail there: README, "Set-up").
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "产改办 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background jobs: in-process by default; TASKS_BACKEND=database with
# `manage.py db_worker` in production (README.md).
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[os.environ.get("TASKS_BACKEND", "immediate")]
    }
}

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            # A Redis that does not answer fails the cache call within a second or two.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Security headers. Production defaults are strict; each can be relaxed from the
# environment (for example SECURE_SSL_REDIRECT=0 when the proxy redirects).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_HTTPS_PROXY", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Article bodies from Word carry inline styles on tables.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

SITE_NAME = os.environ.get("SITE_NAME", "产改办工作平台")

# Fonts of the official-format PDF (README, "PDF font"): a TTF/OTF path per role
# (path#N picks face N of a .ttc); unset roles use the bundled Noto Sans SC.
BULLETIN_PDF_FONTS = {
    role: os.environ[f"PDF_FONT_{role.upper()}"]
    for role in ("body", "bold", "heading", "kai", "title")
    if os.environ.get(f"PDF_FONT_{role.upper()}")
}
# The PDF faces prepared for embedding (bulletins/pdf_fonts.py), made once per
# machine and shared by every process and checkout: a cache, safe to delete.
PDF_FONT_CACHE_DIR = Path(
    os.environ.get("PDF_FONT_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "reform-office-portal"
    / "pdf-fonts"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A database outage logs one line per request, not a traceback (portal/outage.py).
    "filters": {"outage": {"()": "portal.outage.OneLineOutageFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["outage"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
