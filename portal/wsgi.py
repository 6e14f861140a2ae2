"""WSGI entry point for gunicorn: ``gunicorn portal.wsgi``.

Marks the process as a web server (``PORTAL_PROCESS=web``: a statement timeout by
default) and, on PostgreSQL, puts a deadline on every wait for the database
(portal/db_deadline.py).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("PORTAL_PROCESS", "web")

application = get_wsgi_application()


def _install_deadline() -> None:
    from django.conf import settings

    if settings.DB_QUERY_DEADLINE_MS:
        from portal import db_deadline

        db_deadline.install(
            connect_seconds=settings.DB_CONNECT_TIMEOUT,
            query_seconds=settings.DB_QUERY_DEADLINE_MS / 1000,
        )


_install_deadline()
