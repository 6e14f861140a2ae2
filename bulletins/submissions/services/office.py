"""The office's side (产改办): return, decline, adopt a 信息 into a draft issue (采编), and
record adoptions reported upward."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from bulletins.docx_import import inline_image_url as issue_image_url
from bulletins.models import Article, Attachment, Issue
from portal.audit.services import audited

from ..models import Adoption, Submission
from .base import (
    S,
    allowed,
    check_office,
    check_state,
    check_version,
    field_error,
    image_url,
    locked,
    mail,
    save,
)

UPWARD = (Adoption.Level.CITY, Adoption.Level.PROVINCE, Adoption.Level.NATIONAL)


def _check_decide(by, submission) -> None:
    check_office(by)
    check_state(submission, S.PENDING, message=_("该信息已处理，不在待处理状态。"))


def can_decide(user, submission) -> bool:
    """The office, while the piece waits (待处理): return, decline or adopt it."""
    return allowed(_check_decide, user, submission)


def _notify(row, subject: str, lines: list[str]) -> None:
    """Tell the unit (its liaison's mailbox) and the piece's writer."""
    writer = row.created_by.email if row.created_by_id and row.created_by.is_active else ""
    mail(dict.fromkeys([row.unit.email, writer]), subject % {"title": row.title}, lines)


def _comment(comment, message) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise field_error("comment", message, "comment")
    return comment


def _decide_with_comment(submission, by, version, comment, *, status, required, subject, lead):
    """Return or decline: the office's comment (``required`` message when blank) is
    kept, the unit and the writer are told."""
    row = locked(submission)
    _check_decide(by, row)
    check_version(row, version)
    row.office_comment = _comment(comment, required)
    row.status, row.decided_at, row.decided_by = status, timezone.now(), by
    _notify(row, subject, [lead + row.office_comment])
    return save(row, by, "status", "office_comment", "decided_at", "decided_by")


@audited("submission.return", obj="submission", detail=lambda kw, _r: kw["comment"])
@transaction.atomic
def return_submission(*, submission, by, comment: str, version=None) -> Submission:
    """退回修改: back to the unit with the office's comment (required); the unit revises
    and sends it again, every version kept. Errors: ``PermissionDenied``; ``state``,
    ``conflict``, ``comment``."""
    return _decide_with_comment(
        submission,
        by,
        version,
        comment,
        status=S.RETURNED,
        required=_("退回时请填写修改意见。"),
        subject=_("【信息退回修改】%(title)s"),
        lead=_("产改办意见："),
    )


@audited("submission.decline", obj="submission", detail=lambda kw, _r: kw["comment"])
@transaction.atomic
def decline_submission(*, submission, by, comment: str, version=None) -> Submission:
    """未采用: decline with a reason (required). Errors as ``return_submission``."""
    return _decide_with_comment(
        submission,
        by,
        version,
        comment,
        status=S.DECLINED,
        required=_("请填写未采用的原因。"),
        subject=_("【信息未采用】%(title)s"),
        lead=_("原因："),
    )


def adoptable_issues():
    """The issues a piece may be adopted into: drafts."""
    return Issue.objects.filter(status=Issue.Status.DRAFT).select_related("series")


def _copy_pictures(row, issue) -> tuple[str, list[str]]:
    """The piece's body with its inline pictures copied to the issue (inline
    attachments), and ``<img>`` tags for its other pictures. Returns (body, stored
    file names)."""
    body, extra, stored = row.body, [], []
    for f in row.files.all():
        if not f.is_image:
            continue
        with f.file.open("rb") as source:
            content = ContentFile(source.read(), name=f.original_name)
        attachment = Attachment(
            issue=issue,
            title=f.original_name[:200],
            original_name=f.original_name,
            size=f.size,
            sha256=f.sha256,
            content_type=f.content_type,
            is_inline=True,
        )
        attachment.file.save(content.name, content, save=False)
        stored.append(attachment.file.name)
        attachment.save()
        new = issue_image_url(attachment)
        old = image_url(f)
        if f.is_inline and old in body:
            body = body.replace(f'src="{old}"', f'src="{new}"')
        else:
            extra.append(f'<p><img src="{new}" alt="{escape(f.original_name)}"></p>')
    return body + "".join(extra), stored


def _source(row) -> str:
    return f"<p>{escape(row.source_line)}</p>"


def _heading_free(html: str) -> str:
    """A section's own top-level headings step down one level under its heading."""
    return re.sub(r"<(/?)h2>", r"<\1h3>", html)


def _check_adopt(by, submission, issue, mode, article) -> None:
    _check_decide(by, submission)
    if issue is None or issue.status != Issue.Status.DRAFT:
        raise field_error("issue", _("只能采用到草稿状态的简报期次。"), "issue")
    if mode == Adoption.Mode.SECTION and (article is None or article.issue_id != issue.pk):
        raise field_error("article", _("请选择该期简报中的一篇文章。"), "article")
    if mode not in Adoption.Mode.values:
        raise field_error("mode", _("请选择采用方式。"), "mode")


@audited("submission.adopt", obj="submission", detail=lambda kw, _r: str(kw["issue"]))
def adopt_submission(*, submission, by, issue, mode: str, article=None, version=None) -> Adoption:
    """采用 into a draft issue (本刊采用), in one step.

    ``mode`` "article": a new last article of ``issue`` titled as the piece; "section":
    appended to ``article`` (of that issue) under the piece's title as a heading. The
    body carries the piece's pictures (copied to the issue) and the source line
    （市人社局供稿）; the office edits freely afterwards. Records the ``Adoption`` (issue,
    article: the link from article to piece) and notifies the unit. Errors:
    ``PermissionDenied``; ``state``, ``conflict``, ``issue``, ``article``, ``mode``.
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            return _adopt(submission, by, issue, mode, article, version, stored)
    except BaseException:
        for name in stored:
            Attachment._meta.get_field("file").storage.delete(name)
        raise


def _adopt(submission, by, issue, mode, article, version, stored) -> Adoption:
    row = locked(submission)
    issue = Issue.objects.select_for_update().filter(pk=getattr(issue, "pk", None)).first()
    if article is not None:
        article = Article.objects.filter(pk=article.pk).first()
    _check_adopt(by, row, issue, mode, article)
    check_version(row, version)
    body, names = _copy_pictures(row, issue)
    stored.extend(names)
    if mode == Adoption.Mode.ARTICLE:
        order = (issue.articles.aggregate(m=Max("order"))["m"] or 0) + 1
        article = Article(issue=issue, order=order, title=row.title, body=body + _source(row))
    else:
        section = f"<h2>{escape(row.title)}</h2>{_heading_free(body)}{_source(row)}"
        article.body = article.body + section
    article._history_user = by
    article.save()
    now = timezone.now()
    adoption = Adoption.objects.create(
        submission=row,
        level=Adoption.Level.ISSUE,
        issue=issue,
        article=article,
        mode=mode,
        publication=str(issue.series),
        published_on=issue.issue_date or timezone.localdate(now),
        recorded_by=by,
    )
    row.status, row.decided_at, row.decided_by = S.ADOPTED, now, by
    row.office_comment = ""
    _notify(
        row,
        _("【信息已采用】%(title)s"),
        [_("已被%(issue)s采用。") % {"issue": f"{issue.series} {issue.title}"}],
    )
    save(row, by, "status", "office_comment", "decided_at", "decided_by")
    return adoption


def _check_upward(by, submission) -> None:
    check_office(by)
    check_state(submission, S.ADOPTED, message=_("只有已采用的信息可以登记上级采用。"))


def can_record_upward(user, submission) -> bool:
    """The office, on an adopted piece: record its adoption by a 市级/省级/全国 publication."""
    return allowed(_check_upward, user, submission)


@audited(
    "submission.upward",
    obj="submission",
    detail=lambda kw, _r: f"{kw['level']} {kw['publication']}",
)
@transaction.atomic
def record_upward_adoption(
    *, submission, by, level: str, publication: str, published_on: datetime.date
) -> Adoption:
    """登记上级采用: the piece was published at ``level`` (city / province / national)
    in ``publication`` on ``published_on``. One per level. Errors: ``PermissionDenied``;
    ``ValidationError`` ``state``, ``level``, ``publication``, ``duplicate``."""
    row = locked(submission)
    _check_upward(by, row)
    if level not in UPWARD:
        raise field_error("level", _("请选择市级、省级或全国。"), "level")
    publication = (publication or "").strip()
    if not publication:
        raise field_error("publication", _("请填写刊物名称。"), "publication")
    if not isinstance(published_on, datetime.date):
        raise field_error("published_on", _("请填写刊发日期。"), "published_on")
    if row.adoptions.filter(level=level).exists():
        raise ValidationError(_("该信息已登记过此级别的采用。"), code="duplicate")
    return Adoption.objects.create(
        submission=row,
        level=level,
        publication=publication,
        published_on=published_on,
        recorded_by=by,
    )
