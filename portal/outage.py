"""A database outage seen by users and the log: the Chinese 503 page, one log line.

When PostgreSQL is restarting, unreachable or too slow (``statement_timeout``), a
request fails with ``OperationalError`` or ``InterfaceError``. Users then get
"服务暂时不可用" with ``Retry-After`` instead of the 500 page, and the log gets one
line per request instead of a traceback (3,000 tracebacks in ten seconds bury the
one line that says what happened).
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger("portal.outage")

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def is_outage(exc: BaseException | None) -> bool:
    """True for the errors of a database that cannot answer now (connection refused or
    lost, server restarting, statement timeout), as Django wraps them."""
    return isinstance(exc, OUTAGE_ERRORS)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (psycopg2 messages run over lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def outage_response() -> HttpResponse:
    """The 503 page. Rendered without the request's context processors, which may ask
    the database (the signed-in user) that has just failed."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    """Turns a view's database outage error into the 503 page with one log line.

    Errors raised outside the view (another middleware saving the session, say)
    reach ``handler500`` (``portal.views.error_500``), which answers the same page;
    ``OneLineOutageFilter`` shortens Django's log record of those to one line.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_outage(exception):
            return None
        logger.warning(
            "Database unavailable, answered 503: %s %s (%s: %s)",
            request.method,
            request.path,
            type(exception).__name__,
            first_line(exception),
        )
        response = outage_response()
        # Django's own marker: no second "Service Unavailable" line for this response.
        response._has_been_logged = True
        return response


class OneLineOutageFilter(logging.Filter):
    """A log filter that turns a record carrying a database outage error into one line
    (the message and the error's first line) instead of a traceback. Other records pass
    unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if is_outage(exc):
            message = record.getMessage()
            record.msg = "%s (database unavailable, %s: %s)"
            record.args = (message, type(exc).__name__, first_line(exc))
            record.exc_info = None
            record.exc_text = None
        return True
