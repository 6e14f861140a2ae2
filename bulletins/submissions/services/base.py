"""What the submission services share: the acting-user checks, versions, locks, files
and the mail to a unit."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.models import acting_unit_id, is_office
from portal.files import check_uploads, sha256_of, store_uploads

from ..models import Submission, SubmissionFile

S = Submission.Status
MAX_FILES = 10
EDITABLE = (S.DRAFT, S.SIGNOFF_RETURNED, S.RETURNED)


def check_office(by) -> None:
    if not is_office(by):
        raise PermissionDenied(_("只有产改办可以执行此操作。"))


def check_own_unit(by, unit_id) -> None:
    if unit_id is None or acting_unit_id(by) != unit_id:
        raise PermissionDenied(_("只能办理本单位的信息。"))


def check_state(submission, *states, message: str) -> None:
    if submission.status not in states:
        raise ValidationError(message, code="state")


def field_error(field: str, message: str, code: str) -> ValidationError:
    """A refusal that a form shows under ``field``, with its ``code``."""
    return ValidationError({field: ValidationError(message, code=code)})


def check_version(submission, version) -> None:
    if version not in (None, "") and int(version) != submission.version:
        raise ValidationError(
            _("该信息已被他人修改或处理，请查看最新内容后再操作；您填写的内容已保留。"),
            code="conflict",
        )


def locked(submission) -> Submission:
    return Submission.objects.select_for_update().select_related("unit").get(pk=submission.pk)


def save(submission, by, *fields) -> Submission:
    """Save ``fields`` and the next version; the revision records ``by`` (every saved
    state is a version the unit and the office can read again)."""
    submission.version += 1
    submission._history_user = by
    submission.save(update_fields=[*fields, "version", "updated_at"])
    return submission


def allowed(check, *args) -> bool:
    """True when ``check(*args)`` passes: a ``can_…`` predicate asks its service's guard."""
    try:
        check(*args)
    except (PermissionDenied, ValidationError):
        return False
    return True


def check_files(files) -> list:
    """Check every file before anything is stored: ``[(file, kind)]``; a refusal names
    the file (``check_upload``) and stores nothing."""
    return check_uploads(files, allowed=SubmissionFile.ALLOWED, limit=MAX_FILES)


def store_files(submission, checked, by, stored: list) -> None:
    """Store checked files; their names go to ``stored`` so a failure can remove them."""
    store_uploads(
        checked,
        lambda **file: SubmissionFile(submission=submission, uploaded_by=by, **file),
        stored,
    )


def store_imported(submission, imported, by) -> str:
    """The Word import's pictures as inline files of ``submission``; the body HTML."""

    def make(number, image, content):
        row = SubmissionFile(
            submission=submission,
            original_name=content.name,
            size=len(image.data),
            content_type=image.content_type,
            sha256=sha256_of(content),
            is_inline=True,
            uploaded_by=by,
        )
        row.file.save(content.name, content, save=False)
        return row

    return imported.store_with(make, image_url)


def image_url(row) -> str:
    return reverse("submissions:image", args=[row.submission_id, row.pk])


def mail(addresses, subject: str, lines: list[str]) -> None:
    """Mail ``addresses`` after commit (nothing when the list is empty)."""
    addresses = [a for a in addresses if a]
    if not addresses:
        return
    body = "\n".join([*lines, "", _("产改办工作平台")])
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses), robust=True
    )
