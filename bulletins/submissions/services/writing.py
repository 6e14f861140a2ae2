"""A unit's side: write a 信息, send it, and its leader's sign-off (审签)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bulletins.html import has_content
from portal.accounts.models import acting_unit, acting_unit_id, is_unit_leader
from portal.files import atomic_with_files

from ..models import Category, Submission, SubmissionFile
from .base import (
    EDITABLE,
    S,
    allowed,
    check_files,
    check_own_unit,
    check_state,
    check_version,
    field_error,
    locked,
    mail,
    save,
    store_files,
    store_imported,
)

FIELDS = ("category", "title", "body", "author", "author_phone", "signer")


def unit_leaders(unit_id):
    """The active 负责人 accounts of a unit."""
    return get_user_model().objects.filter(unit_id=unit_id, is_active=True, is_unit_leader=True)


def check_can_write(by) -> None:
    check_own_unit(by, acting_unit_id(by))


def can_write(user) -> bool:
    """Any user acting for a unit may write a 信息 for it."""
    return allowed(check_can_write, user)


def _check_edit(by, submission) -> None:
    check_own_unit(by, submission.unit_id)
    check_state(submission, *EDITABLE, message=_("该信息已送出，不能修改。"))


def can_edit(user, submission) -> bool:
    """The unit's users, while the piece is a draft or was returned (by its leader or
    the office)."""
    return allowed(_check_edit, user, submission)


def _check_category(category) -> None:
    if category is None or not Category.objects.filter(pk=category.pk, active=True).exists():
        raise field_error("category", _("请选择启用的栏目。"), "category")


def _apply(row, fields: dict, imported, by, stored: list) -> None:
    """Set the fields; a Word import's body and pictures (saved as the row's inline
    files, their names added to ``stored``) replace the body. The row must be saved."""
    for name in FIELDS:
        if name in fields:
            setattr(row, name, fields[name])
    if imported is not None:
        row.title = row.title or imported.title
        before = set(row.files.values_list("file", flat=True))
        row.body = store_imported(row, imported, by)
        stored.extend(set(row.files.values_list("file", flat=True)) - before)
    if not row.title:
        raise field_error("title", _("请填写标题，或上传带标题的 Word 文件。"), "title")


def create_submission(*, by, fields: dict, files=(), imported=None) -> Submission:
    """Write a draft 信息 for the unit ``by`` acts for.

    ``fields``: category (an active ``Category``), title, body (HTML, cleaned on save),
    author, author_phone, signer. ``files``: uploads (pictures, attachments), each
    checked before anything is stored. ``imported``: a ``read_docx`` result whose body
    and pictures replace ``body``. Errors: ``PermissionDenied`` for anyone not acting
    for a unit; ``ValidationError`` (``category``, ``title``, a file's code); a refusal
    leaves no row and no file.
    """
    check_can_write(by)
    _check_category(fields.get("category"))
    checked = check_files(files)

    def run(stored):
        row = Submission(unit=acting_unit(by), created_by=by, category=fields["category"])
        row.title = fields.get("title") or (imported.title if imported else "")
        row._history_user = by
        row.save()
        _apply(row, fields | {"title": row.title}, imported, by, stored)
        store_files(row, checked, by, stored)
        row.save()
        return row

    return atomic_with_files(run)


def update_submission(
    *, submission, by, fields: dict, version=None, files=(), imported=None, remove=()
) -> Submission:
    """Revise a draft or returned 信息 (a new version; the old ones stay in its history).

    ``remove``: ids of the piece's files to drop. Other arguments as
    ``create_submission``. Errors: ``PermissionDenied``; ``ValidationError``
    ``state`` (already sent), ``conflict`` (stale ``version``), ``category``, ``title``,
    a file's code; nothing changes on refusal.
    """
    _check_edit(by, submission)
    if "category" in fields:
        _check_category(fields["category"])
    checked = check_files(files)

    def run(stored):
        row = locked(submission)
        _check_edit(by, row)
        check_version(row, version)
        _apply(row, fields, imported, by, stored)
        store_files(row, checked, by, stored)
        for f in SubmissionFile.objects.filter(submission=row, pk__in=list(remove or ())):
            name, storage = f.file.name, f.file.storage
            f.delete()
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        return save(row, by, *FIELDS)

    return atomic_with_files(run)


def _check_submit(by, submission) -> None:
    _check_edit(by, submission)
    if not has_content(submission.body):
        raise ValidationError(_("请填写正文后再报送。"), code="empty_body")
    if not submission.author or not submission.author_phone:
        raise ValidationError(_("请填写执笔人和联系电话后再报送。"), code="author")


def can_submit(user, submission) -> bool:
    return allowed(_check_submit, user, submission)


def _to_office(row, *, signed_by, now) -> None:
    row.status = S.PENDING
    row.signed_off_at, row.signed_off_by = now, signed_by
    row.sent_at = row.sent_at or now
    row.resent_at = now


@transaction.atomic
def submit_submission(*, submission, by, version=None) -> Submission:
    """报送: send a draft or returned 信息 on.

    Where the unit has a leader (负责人) and ``by`` is not one, it goes to the leader
    (待审签); otherwise it reaches the office (待处理), a leader's own piece signed off by
    them, a unit without a leader naming its 审签人. Errors: ``PermissionDenied``;
    ``ValidationError`` ``state``, ``conflict``, ``empty_body``, ``author``, ``signer``.
    """
    row = locked(submission)
    _check_submit(by, row)
    check_version(row, version)
    now = timezone.now()
    if is_unit_leader(by):
        row.signer = row.signer or by.display_name
        _to_office(row, signed_by=by, now=now)
    elif unit_leaders(row.unit_id).exists():
        row.status = S.AWAITING_SIGNOFF
        mail(
            unit_leaders(row.unit_id).values_list("email", flat=True),
            _("【待审签】%(title)s") % {"title": row.title},
            [_("本单位有一篇信息等待您审签：%(title)s") % {"title": row.title}],
        )
    else:
        if not row.signer:
            raise field_error("signer", _("本单位未设负责人账号，请填写审签人。"), "signer")
        _to_office(row, signed_by=None, now=now)
    fields = ["status", "signer", "signed_off_at", "signed_off_by", "sent_at", "resent_at"]
    return save(row, by, *fields)


def _check_sign_off(by, submission) -> None:
    check_own_unit(by, submission.unit_id)
    if not is_unit_leader(by):
        raise PermissionDenied(_("只有本单位负责人可以审签。"))
    check_state(submission, S.AWAITING_SIGNOFF, message=_("该信息不在待审签状态。"))


def can_sign_off(user, submission) -> bool:
    """The unit's 负责人, while the piece waits for sign-off."""
    return allowed(_check_sign_off, user, submission)


@transaction.atomic
def sign_off_submission(*, submission, by, version=None) -> Submission:
    """审签通过: the leader approves; the piece reaches the office (待处理), ``signer``
    defaulting to the leader's name. Errors: ``PermissionDenied``; ``state``, ``conflict``."""
    row = locked(submission)
    _check_sign_off(by, row)
    check_version(row, version)
    row.signer = row.signer or by.display_name
    row.leader_comment = ""
    _to_office(row, signed_by=by, now=timezone.now())
    fields = ["status", "signer", "signed_off_at", "signed_off_by", "sent_at", "resent_at"]
    return save(row, by, *fields, "leader_comment")


@transaction.atomic
def return_for_revision_by_leader(*, submission, by, comment: str, version=None) -> Submission:
    """审签退回: the leader sends the piece back inside the unit with a comment
    (required). Errors: ``PermissionDenied``; ``state``, ``conflict``, ``comment``."""
    row = locked(submission)
    _check_sign_off(by, row)
    check_version(row, version)
    comment = (comment or "").strip()
    if not comment:
        raise field_error("comment", _("退回时请填写意见。"), "comment")
    row.status, row.leader_comment = S.SIGNOFF_RETURNED, comment
    if row.created_by_id and row.created_by.is_active:
        mail(
            [row.created_by.email],
            _("【审签退回】%(title)s") % {"title": row.title},
            [_("负责人意见：") + comment],
        )
    return save(row, by, "status", "leader_comment")
