"""Requests and the private store: a write scope per request, a Chinese 503 when it is down."""

import logging

from django.shortcuts import render

from .backends import StorageUnavailable
from .tracking import tracked_writes

logger = logging.getLogger(__name__)


class PrivateStorageMiddleware:
    """Each request is a ``tracked_writes`` scope; ``StorageUnavailable`` becomes a 503 page.

    The page says the file was not saved and nothing was kept (the transaction
    rolled back and its files went with it); one log line, no traceback.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with tracked_writes() as writes:
            response = self.get_response(request)
            writes.failed = response.status_code >= 500
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.error(
            "Private storage unavailable on %s %s: %r",
            request.method,
            request.path,
            exception.__cause__ or exception,
        )
        response = render(
            request, "storage_unavailable.html", {"message": str(exception)}, status=503
        )
        response["Retry-After"] = "60"
        return response
