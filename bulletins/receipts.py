"""Read receipts (阅读回执): a unit's first view, first download and 签收 of an issue;
the download counter of attachments.

One ``ReadReceipt`` per (issue, unit). First times are written once and never
overwritten: each service creates the row with ``get_or_create`` (which already
retries the ``get`` when a concurrent ``create`` wins the unique constraint)
and otherwise fills the empty column with a conditional ``UPDATE ... WHERE
<column> IS NULL``, so two users of one unit clicking at the same moment keep
whichever came first.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import acting_unit_id
from portal.units.models import Unit

from .models import Attachment, Issue, ReadReceipt


def unacknowledged_units(issue: Issue | OuterRef) -> QuerySet[Unit]:
    """Units still expected to sign (签收) ``issue``: the one rule for "not yet signed".

    A unit is expected to sign when it is on the issue's 抄送 list (``distribution``)
    and active; it stops being expected once any of its users has acknowledged.
    Inactive (停用) units are never expected: the office no longer works with them.
    A unit with no user account yet is still expected: its liaison gets the 催签
    mail, and the office must see that nobody there can sign.

    ``issue`` is an ``Issue``, or ``OuterRef("pk")`` inside a query over issues (the
    home panel asks which issues wait for one unit). Used by the 签收情况 page and
    its list column, the 催签 reminder and the home panel. Ordered as units are.
    """
    # Inside a subquery over issues, the receipts' own subquery is one level deeper.
    receipt_issue = OuterRef(issue) if isinstance(issue, OuterRef) else issue
    signed = ReadReceipt.objects.filter(
        issue=receipt_issue, unit=OuterRef("pk"), acknowledged_at__isnull=False
    )
    return (
        Unit.objects.active()
        .filter(distributed_issues=issue)
        .exclude(Exists(signed))
        .order_by("ordering", "name")
    )


def issues_awaiting(issues: QuerySet[Issue], unit_id: int) -> QuerySet[Issue]:
    """The issues among ``issues`` that ``unit_id`` is expected to sign (``unacknowledged_units``)."""
    return issues.filter(Exists(unacknowledged_units(OuterRef("pk")).filter(pk=unit_id)))


def _readable(issue, user) -> bool:
    """Published and visible to ``user`` (the one visibility rule, not a copy of it)."""
    return Issue.objects.visible_to(user).published().filter(pk=issue.pk).exists()


def _get_or_create_receipt(*, issue, unit_id, defaults) -> tuple[ReadReceipt, bool]:
    try:
        return ReadReceipt.objects.select_related("acknowledged_by").get_or_create(
            issue=issue, unit_id=unit_id, defaults=defaults
        )
    except IntegrityError:
        # get_or_create retries the get after losing the race itself; this is
        # the belt to its braces on backends whose isolation hides the
        # winner's row from that retry until the next statement.
        return ReadReceipt.objects.select_related("acknowledged_by").get(
            issue=issue, unit_id=unit_id
        ), False


@transaction.atomic
def _record_first(*, issue, by, unit_id, at_field: str, by_field: str) -> ReadReceipt:
    now = timezone.now()
    values = {at_field: now, by_field: by}
    receipt, created = _get_or_create_receipt(issue=issue, unit_id=unit_id, defaults=values)
    if not created and getattr(receipt, at_field) is None:
        ReadReceipt.objects.filter(pk=receipt.pk, **{f"{at_field}__isnull": True}).update(**values)
        receipt = ReadReceipt.objects.select_related("acknowledged_by").get(pk=receipt.pk)
    return receipt


def record_view(*, issue: Issue, by) -> ReadReceipt | None:
    """Record the first view of a published issue by ``by``'s unit.

    Does nothing (returns None) for anonymous visitors, office staff, users
    without a unit, and issues that are not published or not visible to them.
    Returns the unit's receipt otherwise; a later view changes nothing.
    """
    unit_id = acting_unit_id(by)
    if unit_id is None or not _readable(issue, by):
        return None
    return _record_first(
        issue=issue, by=by, unit_id=unit_id, at_field="first_viewed_at", by_field="first_viewed_by"
    )


def record_download(*, issue: Issue, by) -> ReadReceipt | None:
    """Record the first download (attachment or PDF) of a published issue by ``by``'s unit.

    Same rules as ``record_view``; the first download time is never overwritten.
    """
    unit_id = acting_unit_id(by)
    if unit_id is None or not _readable(issue, by):
        return None
    return _record_first(
        issue=issue,
        by=by,
        unit_id=unit_id,
        at_field="first_downloaded_at",
        by_field="first_downloaded_by",
    )


@transaction.atomic
def record_attachment_download(*, attachment: Attachment, by) -> ReadReceipt | None:
    """Count one download (下载次数) of an attachment of a published issue ``by`` may see,
    and record the first download by ``by``'s unit as ``record_download`` does.

    The office's preview of an issue that is not published counts nothing (returns
    None); an anonymous reader of a public issue counts but records no receipt. The
    counter is raised in the database (``download_count + 1``), so downloads at the
    same moment all count. Returns the unit's receipt, or None.
    """
    issue = attachment.issue
    if not _readable(issue, by):
        return None
    Attachment.objects.filter(pk=attachment.pk).update(download_count=F("download_count") + 1)
    return record_download(issue=issue, by=by)


@transaction.atomic
def acknowledge_issue(*, issue: Issue, by) -> ReadReceipt:
    """签收: acknowledge receipt of a published issue for ``by``'s unit.

    Accepted: a signed-in unit user (not office staff) and a published issue
    visible to them. Acknowledging again keeps the first time and person.
    Raises PermissionDenied for anyone without a unit (anonymous, office, other
    staff) and ValidationError(code="not_published") for an issue that is not
    published; nothing changes then.
    """
    unit_id = acting_unit_id(by)
    if unit_id is None:
        raise PermissionDenied(_("只有成员单位的用户可以签收。"))
    if not _readable(issue, by):
        raise ValidationError(_("该期简报未发布，不能签收。"), code="not_published")
    return _record_first(
        issue=issue, by=by, unit_id=unit_id, at_field="acknowledged_at", by_field="acknowledged_by"
    )
