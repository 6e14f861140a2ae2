"""Writing the audit trail: ``record`` and its two helpers for services.

``record`` writes one entry in the caller's transaction: when the recorded change
rolls back, so does its entry. A refused action rolls its own work back, so
``audited`` and ``audit_step`` write the refusal after the rollback, in a
transaction of its own, then raise the refusal again.
"""

import functools
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from .actions import ACTIONS
from .models import AuditEntry
from .request import client_address, current_request

REFUSALS = (PermissionDenied, ValidationError)


def _reason(exc: Exception) -> str:
    messages = getattr(exc, "messages", None) or [str(exc)]
    return "；".join(str(m) for m in messages if m) or exc.__class__.__name__


def _object_fields(obj, label) -> dict:
    if obj is None:
        return {"object_label": (label or "")[:300]}
    meta = getattr(obj, "_meta", None)
    return {
        "object_type": meta.label_lower if meta else obj.__class__.__name__.lower(),
        "object_id": str(getattr(obj, "pk", "") or "")[:64],
        "object_label": str(label if label is not None else obj)[:300],
    }


def _actor(by, request):
    if by is None and request is not None:
        by = getattr(request, "user", None)
    if by is None or not getattr(by, "is_authenticated", False):
        return None
    return by


def record(
    action: str,
    *,
    by=None,
    obj=None,
    label: str | None = None,
    result: str = AuditEntry.Result.DONE,
    reason: str = "",
    detail: str = "",
    actor_name: str = "",
    request=None,
) -> AuditEntry:
    """Write one audit entry in the current transaction and return it.

    ``action``: a name from ``portal.audit.actions.ACTIONS`` (else ``ValueError``).
    ``by``: the acting user; None means the signed-in user of the request being
    served, or the system (a command, a job) when there is none. ``actor_name``
    names an account that did not sign in (a failed sign-in's user name).
    ``obj``: the model instance acted on (type, id and ``str(obj)`` are kept; pass
    ``label`` for another readable name), or None with a ``label`` alone.
    ``result``: ``AuditEntry.Result.DONE`` or ``REFUSED`` with its ``reason``.
    ``request``: defaults to the request being served (``AuditRequestMiddleware``);
    its source address follows ``PROXY_COUNT``.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to portal/audit/actions.py")
    request = request if request is not None else current_request()
    user = _actor(by, request)
    unit = getattr(user, "unit", None) if user is not None else None
    return AuditEntry.objects.create(
        actor=user,
        actor_name=(user.get_username() if user is not None else actor_name)[:150],
        unit=unit,
        unit_name=(unit.name if unit is not None else "")[:200],
        address=client_address(request),
        action=action,
        result=result,
        reason=reason,
        detail=detail,
        **_object_fields(obj, label),
    )


def record_refusal(action: str, exc: Exception, **fields) -> AuditEntry:
    """Write the refusal ``exc`` of ``action`` in a transaction of its own (see ``record``)."""
    with transaction.atomic():
        return record(action, result=AuditEntry.Result.REFUSED, reason=_reason(exc), **fields)


def get_or_refuse(queryset, action: str, *, by, **lookup):
    """The one object of ``queryset`` matching ``lookup``, else ``Http404``, recorded.

    ``queryset`` starts from ``visible_to(by)``; ``lookup`` names the object the
    request asked for (``pk=…`` and any parent's id). When it matches nothing,
    ``record_not_found`` writes the attempt before the 404 is raised.
    """
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        record_not_found(action, queryset.model, lookup.get("pk"), by=by)
        raise Http404 from None


def record_not_found(action: str, model, pk, *, by) -> None:
    """Write a signed-in ``by``'s request for ``model`` ``pk`` that answered 404.

    The object does not exist or ``by`` may not see it; the entry, like the
    answer, does not tell which. It is a refused ``action`` naming the model and
    the id asked for, written in a transaction of its own. Anonymous requests
    are not written: they name nobody.
    """
    if not getattr(by, "is_authenticated", False):
        return
    with transaction.atomic():
        record(
            action,
            by=by,
            obj=model(pk=pk),
            label=f"#{pk}",
            result=AuditEntry.Result.REFUSED,
            reason=_("对象不存在或无权查看"),
        )


@contextmanager
def audit_step(action: str, *, by=None, obj=None, label: str | None = None, detail: str = ""):
    """Run the block and its audit entry in one transaction.

    ``with audit_step("task.close", by=user, obj=assignment) as step:`` — the block
    may set ``step["obj"]``, ``step["label"]`` or ``step["detail"]`` once it knows
    them. When it raises ``PermissionDenied`` or ``ValidationError`` the block's work
    rolls back, the refusal is recorded with its message as the reason, and the
    exception goes on. Other exceptions record nothing.
    """
    step = {"obj": obj, "label": label, "detail": detail}
    try:
        with transaction.atomic():
            yield step
            record(action, by=by, **step)
    except REFUSALS as exc:
        record_refusal(action, exc, by=by, **step)
        raise


def audited(action: str, *, obj: str | None = None, label=None, detail=None):
    """Decorate a keyword-only service ``fn(*, by, …)`` so each call is recorded.

    ``obj``: the name of the keyword argument holding the object acted on, or None
    (then ``label`` names what was acted on).
    ``label``/``detail``: optional ``f(kwargs, result)`` giving the entry's readable
    object name and details (``result`` is None for a refusal).
    Success is recorded in the service's transaction; see ``audit_step``.
    """

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            target = kwargs.get(obj) if obj else None
            by = kwargs.get("by")
            try:
                with transaction.atomic():
                    result = fn(*args, **kwargs)
                    record(
                        action,
                        by=by,
                        obj=target,
                        label=label(kwargs, result) if label else None,
                        detail=detail(kwargs, result) if detail else "",
                    )
                return result
            except REFUSALS as exc:
                record_refusal(
                    action,
                    exc,
                    by=by,
                    obj=target,
                    label=label(kwargs, None) if label else None,
                    detail=detail(kwargs, None) if detail else "",
                )
                raise

        return wrapper

    return decorate
