"""The issue lifecycle (draft → scheduled → published → withdrawn) and reminders to sign.

Only these functions change ``Issue.status`` and its timestamps; the admin
actions, the ``publish_scheduled`` command and the background job all call them.

Lifecycle (DESIGN.md, "Lifecycles"):

- draft → scheduled (``schedule_issue``), draft/scheduled → published (``publish_issue``,
  or ``publish_due_issues`` when ``publish_at`` has come);
- published → withdrawn (``withdraw_issue``: hidden from readers, kept for staff);
- scheduled → draft (``withdraw_issue`` on a scheduled issue cancels the schedule);
- withdrawn → published or scheduled again. Decision: the office may republish a
  withdrawn issue (an issue withdrawn by mistake, or corrected and sent again);
  the revision history keeps every step, and ``published_at`` records the latest
  publication.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audited, record

from .html import has_content
from .models import Issue
from .receipts import unacknowledged_units

logger = logging.getLogger(__name__)

PUBLISH_PERMISSION = "bulletins.publish_issue"


def can_publish(user) -> bool:
    """The office (产改办) or staff given the publish permission."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_office or (user.is_staff and user.has_perm(PUBLISH_PERMISSION)))


def _check_right(by) -> None:
    if not can_publish(by):
        raise PermissionDenied(_("只有产改办可以发布、定时发布、撤回简报或催签。"))


def _lock(issue: Issue) -> Issue:
    """The issue's row, locked for this transaction, with current values."""
    return Issue.objects.select_for_update(of=("self",)).select_related("series").get(pk=issue.pk)


def completeness_errors(issue: Issue) -> list[ValidationError]:
    """What an issue lacks before it may be published (empty when complete)."""
    errors = []
    if not issue.number:
        errors.append(ValidationError(_("请填写期号。"), code="missing_number"))
    if not issue.issue_date:
        errors.append(ValidationError(_("请填写出刊日期。"), code="missing_issue_date"))
    if not issue.printed_on:
        errors.append(ValidationError(_("请填写印发日期。"), code="missing_printed_on"))
    if not issue.articles.exists():
        errors.append(ValidationError(_("简报至少要有一篇文章。"), code="no_articles"))
    for n, (title, body) in enumerate(issue.articles.values_list("title", "body"), start=1):
        # A Word import refused once leaves the browser without the chosen file:
        # saving again keeps only the title (issue 14).
        if not has_content(body):
            errors.append(
                ValidationError(
                    _("第%(n)d篇文章没有正文（%(title)s），请填写正文或重新选择 Word 文件导入。")
                    % {"n": n, "title": title},
                    code="empty_article",
                )
            )
    if (
        issue.number
        and Issue.objects.filter(series_id=issue.series_id, year=issue.year, number=issue.number)
        .exclude(pk=issue.pk)
        .exists()
    ):
        errors.append(
            ValidationError(
                _("%(series)s %(year)s年已有第%(number)s期。")
                % {"series": issue.series.name, "year": issue.year, "number": issue.number},
                code="duplicate_number",
            )
        )
    return errors


def _check_complete(issue: Issue) -> None:
    errors = completeness_errors(issue)
    if errors:
        raise ValidationError(errors)


def _save(issue: Issue, by, fields: list[str]) -> None:
    if by is not None:
        issue.updated_by = by
        fields = [*fields, "updated_by"]
    # The revision records who did it, also outside a request (command, job).
    issue._history_user = by
    issue.save(update_fields=[*fields, "updated_at"])


def _publish_locked(issue: Issue, *, by, now: datetime) -> Issue:
    """Publish a locked issue: the one path shared by staff and the scheduler."""
    if issue.status == Issue.Status.PUBLISHED:
        raise ValidationError(_("该期简报已经发布。"), code="already_published")
    _check_complete(issue)
    issue.status = Issue.Status.PUBLISHED
    issue.published_at = now
    issue.withdrawn_at = None
    _save(issue, by, ["status", "published_at", "withdrawn_at"])
    if by is None:
        logger.info("Scheduled issue %s published", issue.pk)
    return issue


@audited("issue.publish", obj="issue")
@transaction.atomic
def publish_issue(*, issue: Issue, by) -> Issue:
    """Publish now.

    Accepts a draft, scheduled or withdrawn issue that is complete (number,
    issue date, printed date, at least one article, number unique in its series
    and year). Sets ``published_at``; readers see it at once.
    Raises PermissionDenied (not the office) or ValidationError (``already_published``,
    ``missing_number``, ``missing_issue_date``, ``missing_printed_on``, ``no_articles``,
    ``empty_article``, ``duplicate_number``), changing nothing.
    """
    _check_right(by)
    locked = _lock(issue)
    _publish_locked(locked, by=by, now=timezone.now())
    return locked


@audited(
    "issue.schedule",
    obj="issue",
    detail=lambda _kw, r: f"{timezone.localtime(r.publish_at):%Y-%m-%d %H:%M}" if r else "",
)
@transaction.atomic
def schedule_issue(*, issue: Issue, publish_at: datetime, by) -> Issue:
    """Schedule publication at ``publish_at`` (in the future).

    Accepts a draft, scheduled (new time) or withdrawn issue; checks completeness
    now so the scheduler will not find it lacking later (it checks again then).
    Raises PermissionDenied or ValidationError (``already_published``,
    ``publish_at_past``, ``publish_at_missing`` and the completeness codes).
    """
    _check_right(by)
    locked = _lock(issue)
    if locked.status == Issue.Status.PUBLISHED:
        raise ValidationError(_("该期简报已经发布，无需定时。"), code="already_published")
    if publish_at is None:
        raise ValidationError(_("请填写定时发布时间。"), code="publish_at_missing")
    if timezone.is_naive(publish_at):
        publish_at = timezone.make_aware(publish_at)
    if publish_at <= timezone.now():
        raise ValidationError(_("定时发布时间必须晚于现在。"), code="publish_at_past")
    _check_complete(locked)
    locked.status = Issue.Status.SCHEDULED
    locked.publish_at = publish_at
    _save(locked, by, ["status", "publish_at"])
    return locked


@audited("issue.withdraw", obj="issue")
@transaction.atomic
def withdraw_issue(*, issue: Issue, by) -> Issue:
    """Withdraw (撤回) a published issue, or cancel a scheduled one.

    published → withdrawn: readers no longer see it, staff still do; nothing is
    deleted. scheduled → draft: the schedule is cancelled (``publish_at`` cleared).
    Raises PermissionDenied or ValidationError (``not_published`` for drafts and
    issues already withdrawn).
    """
    _check_right(by)
    locked = _lock(issue)
    if locked.status == Issue.Status.PUBLISHED:
        locked.status = Issue.Status.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        _save(locked, by, ["status", "withdrawn_at"])
    elif locked.status == Issue.Status.SCHEDULED:
        locked.status = Issue.Status.DRAFT
        locked.publish_at = None
        _save(locked, by, ["status", "publish_at"])
    else:
        raise ValidationError(_("只有已发布或定时发布的简报可以撤回。"), code="not_published")
    return locked


def publish_due_issues(*, now: datetime | None = None) -> list[Issue]:
    """Publish every scheduled issue whose ``publish_at`` has come; return those published.

    Safe to run every minute from cron and from several servers at once: each
    issue is published in its own transaction after locking its row (rows locked
    by another run are skipped), and an issue published already is no longer
    due. An issue found incomplete stays scheduled and is logged.
    """
    now = now or timezone.now()
    published = []
    due = Issue.objects.filter(status=Issue.Status.SCHEDULED, publish_at__lte=now)
    for pk in due.order_by("publish_at", "pk").values_list("pk", flat=True):
        try:
            with transaction.atomic():
                issue = (
                    Issue.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("series")
                    .filter(pk=pk, status=Issue.Status.SCHEDULED, publish_at__lte=now)
                    .first()
                )
                if issue is None:  # published meanwhile, or another run holds it
                    continue
                published.append(_publish_locked(issue, by=None, now=now))
                record("issue.publish", obj=issue, detail=_("定时发布"))
        except ValidationError as exc:
            logger.error("Scheduled issue %s not published: %s", pk, "; ".join(exc.messages))
    return published


def _issue_url(issue: Issue, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{issue.get_absolute_url()}"


@audited("issue.remind", obj="issue")
@transaction.atomic
def remind_unacknowledged_units(*, issue: Issue, by, base_url: str = "") -> int:
    """Email each distribution unit that has not signed the issue; return how many were sent.

    Accepts a published issue. The mail goes to the unit's liaison address
    (units without one are skipped) after the transaction commits.
    Raises PermissionDenied or ValidationError (``not_published``).
    """
    _check_right(by)
    locked = _lock(issue)
    if locked.status != Issue.Status.PUBLISHED:
        raise ValidationError(_("只有已发布的简报可以催签。"), code="not_published")
    title = f"{locked.series.name} {locked.number_label}".strip()
    url = _issue_url(locked, base_url)
    messages = []
    for unit in unacknowledged_units(locked):
        if not unit.email:
            continue
        body = _(
            "%(liaison)s：\n\n"
            "《%(title)s》（%(heading)s）已于 %(date)s 印发，贵单位尚未签收。\n"
            "请登录产改办工作平台阅读并签收：%(url)s\n\n"
            "%(office)s"
        ) % {
            "liaison": unit.liaison or unit.name,
            "title": locked.title,
            "heading": title,
            "date": locked.printed_on.strftime("%Y-%m-%d") if locked.printed_on else "",
            "url": url,
            "office": locked.issuing_office or settings.SITE_NAME,
        }
        messages.append(
            EmailMessage(
                subject=_("请签收：%(title)s") % {"title": title},
                body=body,
                to=[unit.email],
            )
        )

    def send():
        get_connection().send_messages(messages)

    if messages:
        transaction.on_commit(send)
    logger.info("Issue %s: reminders to %d units by %s", locked.pk, len(messages), by)
    return len(messages)
