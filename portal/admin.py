"""Admin pieces every app shares: read-only revision history and the per-object action runner.

The portal registers no model here; ``bulletins.admin`` and ``tasks.admin`` build on these.
"""

from collections.abc import Callable, Iterable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin


class HistoryReadOnlyAdmin(SimpleHistoryAdmin):
    """Shows a model's revision history (django-simple-history), never reverts it.

    django-simple-history saves a posted old version as it was, status, timestamps
    and ``version`` included, which would move a lifecycle around ``services.py``.
    Here the history pages only display: the 还原 (revert) button is hidden and a
    POST to ``/admin/<app>/<model>/<id>/history/<history_id>/`` answers 403,
    changing nothing. Every admin that keeps history uses this base.
    """

    def has_change_history_permission(self, request, obj=None):
        return False

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET" and request.method != "HEAD":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def refusal_text(exc: ValidationError | PermissionDenied) -> str:
    """The Chinese reason(s) of a service refusal as one line."""
    reasons = getattr(exc, "messages", None) or [str(exc) or _("无权执行此操作。")]
    return "；".join(reasons)


def run_for_each(
    modeladmin,
    request,
    objects: Iterable,
    call: Callable,
    *,
    done: tuple[str, str],
    count: Callable[[list], int] = len,
) -> tuple[list, list[str]]:
    """Run an admin action as one service call per object and report the outcome.

    ``call(obj)`` is the service call (it checks the acting user itself). A
    refusal (``ValidationError`` or ``PermissionDenied``) is collected and the next
    object is tried: each service call is its own transaction, so a refused object
    changes nothing and the others still go through.

    ``done`` is the success message as ``ngettext``'s (singular, plural) pair with
    ``%(n)d``; ``n`` is ``count(results)``, the values the successful calls returned
    (their number by default). It is shown when at least one call succeeded.
    Refusals are shown as one error message, "N 项未能处理：<object>：<reason> ／ …".

    Returns ``(results, refusals)``.
    """
    results, refusals = [], []
    for obj in objects:
        try:
            results.append(call(obj))
        except (ValidationError, PermissionDenied) as exc:
            refusals.append(f"{obj}：{refusal_text(exc)}")
    if results:
        n = count(results)
        modeladmin.message_user(request, ngettext(*done, n) % {"n": n}, messages.SUCCESS)
    if refusals:
        modeladmin.message_user(
            request,
            ngettext(
                "%(n)d 项未能处理：%(reasons)s", "%(n)d 项未能处理：%(reasons)s", len(refusals)
            )
            % {"n": len(refusals), "reasons": " ／ ".join(refusals)},
            messages.ERROR,
        )
    return results, refusals
