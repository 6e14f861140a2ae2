"""What every task service shares: the acting-user checks, optimistic versions, row
locks and the mail to a unit's liaison."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import acting_unit_id, is_office

from ..models import (
    Assignment,
    ProgressReport,
)

S = Assignment.Status
R = ProgressReport.Review


def check_office(by) -> None:
    """Only the office (产改办) may: else ``PermissionDenied``."""
    if not is_office(by):
        raise PermissionDenied(_("只有产改办可以执行此操作。"))


def check_own_unit(by, unit_id) -> None:
    """Only a user acting for unit ``unit_id`` (``acting_unit_id``) may: else
    ``PermissionDenied``."""
    if unit_id is None or acting_unit_id(by) != unit_id:
        raise PermissionDenied(_("只能办理本单位的任务。"))


def allowed(check, *args) -> bool:
    """True when ``check(*args)`` passes: how a ``can_…`` predicate asks the very guard
    its service raises from, so a page and the service cannot disagree."""
    try:
        check(*args)
    except (PermissionDenied, ValidationError):
        return False
    return True


def check_version(obj, version) -> None:
    if version is not None and int(version) != obj.version:
        raise ValidationError(
            _(
                "该记录已被他人修改（例如已审核或已编辑），请查看最新内容后再提交；您填写的内容已保留。"
            ),
            code="conflict",
        )


def bump(obj, *fields) -> None:
    """Save ``fields`` and the next version (the row is locked: no lost increment)."""
    obj.version += 1
    obj.save(update_fields=[*fields, "version"])


def locked(model, pk):
    """The row ``pk`` of ``model``, locked until the transaction ends (``SELECT … FOR UPDATE``)."""
    return model.objects.select_for_update().get(pk=pk)


def mail_unit(unit, subject: str, lines: list[str]) -> str:
    """Send a mail to the unit's liaison after commit; return the address used (or "")."""
    if not unit.email:
        return ""
    body = "\n".join(
        [_("%(liaison)s：") % {"liaison": unit.liaison or unit.name}, "", *lines, "", _("产改办")]
    )
    address = unit.email
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address]), robust=True
    )
    return address
