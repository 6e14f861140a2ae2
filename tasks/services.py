"""State changes of the task app: the only code that moves a status.

Every function is keyword-only, takes the acting user as ``by=``, checks the
right itself (a unit acts only on its own assignments; only the office reviews,
reminds, closes and scores), and refuses an illegal step with a
``ValidationError`` carrying a ``code`` while changing nothing. Rows that forms
edit carry a ``version``: a stale one is refused with code ``conflict``.
"""

import datetime
import hashlib
import re
import secrets
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.files import check_upload, sha256_of, strip_exif, upload_name

from .models import (
    DUE_SOON_DAYS,
    Assessment,
    Assignment,
    CalendarToken,
    Evidence,
    Plan,
    Problem,
    ProgressReport,
    Reminder,
    Task,
)

S = Assignment.Status
R = ProgressReport.Review
PERIOD_RE = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")
MAX_EVIDENCE_FILES = 10


# --- checks ---------------------------------------------------------------------


def _check_office(by) -> None:
    if not (by and by.is_authenticated and by.is_office):
        raise PermissionDenied(_("只有产改办可以执行此操作。"))


def _check_own_unit(by, unit_id) -> None:
    """A unit user acts only for the unit it belongs to."""
    if not (by and by.is_authenticated and by.is_active and by.unit_id) or by.unit_id != unit_id:
        raise PermissionDenied(_("只能办理本单位的任务。"))


def _check_version(obj, version) -> None:
    if version is not None and int(version) != obj.version:
        raise ValidationError(
            _(
                "该记录已被他人修改（例如已审核或已编辑），请查看最新内容后再提交；您填写的内容已保留。"
            ),
            code="conflict",
        )


def _bump(obj, *fields) -> None:
    """Save ``fields`` and the next version (the row is locked: no lost increment)."""
    obj.version += 1
    obj.save(update_fields=[*fields, "version"])


def _locked(model, pk):
    return model.objects.select_for_update().get(pk=pk)


def _clean_period(period: str) -> str:
    period = (period or "").strip()
    if not PERIOD_RE.match(period):
        raise ValidationError(_("报送期间格式应为“年-月”，例如 2020-06。"), code="period")
    return period


def _clean_percent(percent) -> int:
    try:
        value = int(percent)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 100:
        raise ValidationError(_("完成进度应为 0 到 100 之间的整数。"), code="percent")
    return value


# --- evidence files -------------------------------------------------------------


def check_evidence(files: Iterable) -> list:
    """Validate every file before anything is stored (a refusal stores nothing)."""
    files = [f for f in files if f]
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            _("一次最多上传 %(n)d 个文件。") % {"n": MAX_EVIDENCE_FILES}, code="too_many_files"
        )
    return [(f, check_upload(f, allowed=Evidence.ALLOWED)) for f in files]


def _store_evidence(report, checked, by, stored: list) -> None:
    for f, kind in checked:
        digest = sha256_of(f)
        if kind.ext in {"jpg", "jpeg", "png"}:
            # Stored copies of pictures lose their EXIF (GPS, device) data.
            content = ContentFile(strip_exif(f, fmt="JPEG" if kind.ext != "png" else "PNG").read())
        else:
            f.seek(0)
            content = f
        evidence = Evidence(
            report=report,
            original_name=upload_name(f.name),
            content_type=kind.content_type,
            size=f.size,
            sha256=digest,
            uploaded_by=by,
        )
        evidence.file.save(f.name, content, save=False)
        stored.append(evidence.file.name)
        evidence.save()


def _atomic_with_files(fn):
    """Run ``fn(stored)`` atomically; delete the files it stored if anything fails."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            return fn(stored)
    except BaseException:
        storage = Evidence._meta.get_field("file").storage
        for name in stored:
            storage.delete(name)
        raise


# --- assignments and reports ----------------------------------------------------


@transaction.atomic
def acknowledge_assignment(*, assignment: Assignment, by, version: int | None = None) -> Assignment:
    """签收. pending → acknowledged. Unit of the assignment only."""
    _check_own_unit(by, assignment.unit_id)
    a = _locked(Assignment, assignment.pk)
    _check_version(a, version)
    if a.status != S.PENDING:
        raise ValidationError(_("该任务已签收，无需重复签收。"), code="already_acknowledged")
    a.status = S.ACKNOWLEDGED
    a.acknowledged_at = timezone.now()
    _bump(a, "status", "acknowledged_at")
    return a


def submit_report(
    *,
    assignment: Assignment,
    by,
    period: str,
    text: str,
    percent: int,
    requests_completion: bool = False,
    files: Iterable = (),
    version: int | None = None,
) -> ProgressReport:
    """进展报送 with evidence files. Assignment acknowledged or in progress → in progress,
    or → completion requested when the report asks for 办结. Unit of the assignment only.

    Errors: ``not_acknowledged``, ``completion_pending``, ``closed``, ``conflict``,
    ``period``, ``percent``, ``text``, file codes. A refusal stores no row and no file.
    """
    _check_own_unit(by, assignment.unit_id)
    period = _clean_period(period)
    percent = _clean_percent(percent)
    if not (text or "").strip():
        raise ValidationError(_("请填写进展情况。"), code="text")
    checked = check_evidence(files)

    def run(stored):
        a = _locked(Assignment, assignment.pk)
        _check_version(a, version)
        if a.status == S.PENDING:
            raise ValidationError(_("请先签收任务，再报送进展。"), code="not_acknowledged")
        if a.status == S.COMPLETION_REQUESTED:
            raise ValidationError(
                _("已申请办结，正在等待产改办审核，暂不能再报送。"), code="completion_pending"
            )
        if a.status == S.CLOSED:
            raise ValidationError(_("该任务已办结。"), code="closed")
        now = timezone.now()
        report = ProgressReport.objects.create(
            assignment=a,
            period=period,
            text=text.strip(),
            percent=percent,
            requests_completion=bool(requests_completion),
            submitted_by=by,
            submitted_at=now,
        )
        _store_evidence(report, checked, by, stored)
        if requests_completion:
            a.status = S.COMPLETION_REQUESTED
            a.completion_requested_at = now
        else:
            a.status = S.IN_PROGRESS
        _bump(a, "status", "completion_requested_at")
        return report

    return _atomic_with_files(run)


def update_report(
    *,
    report: ProgressReport,
    by,
    version: int,
    period: str,
    text: str,
    percent: int,
    requests_completion: bool = False,
    files: Iterable = (),
) -> ProgressReport:
    """Edit a pending report, or resubmit a returned one (→ pending). Unit only.

    Errors: ``reviewed`` (already accepted), ``closed``, ``completion_pending``,
    ``conflict`` (the office reviewed it meanwhile), field and file codes.
    """
    _check_own_unit(by, report.assignment.unit_id)
    period = _clean_period(period)
    percent = _clean_percent(percent)
    if not (text or "").strip():
        raise ValidationError(_("请填写进展情况。"), code="text")
    checked = check_evidence(files)

    def run(stored):
        r = _locked(ProgressReport, report.pk)
        a = _locked(Assignment, r.assignment_id)
        _check_version(r, version)
        if r.review_status == R.ACCEPTED:
            raise ValidationError(_("该报送已审核通过，不能再修改。"), code="reviewed")
        if a.status == S.CLOSED:
            raise ValidationError(_("该任务已办结。"), code="closed")
        if (
            r.review_status == R.RETURNED
            and requests_completion
            and a.status == S.COMPLETION_REQUESTED
        ):
            raise ValidationError(_("已有办结申请在等待审核。"), code="completion_pending")
        now = timezone.now()
        was_completion = r.requests_completion and r.review_status == R.PENDING
        r.period, r.text, r.percent = period, text.strip(), percent
        r.requests_completion = bool(requests_completion)
        r.review_status = R.PENDING
        r.submitted_by, r.submitted_at = by, now
        _bump(
            r,
            "period",
            "text",
            "percent",
            "requests_completion",
            "review_status",
            "submitted_by",
            "submitted_at",
        )
        _store_evidence(r, checked, by, stored)
        if requests_completion and a.status != S.COMPLETION_REQUESTED:
            a.status, a.completion_requested_at = S.COMPLETION_REQUESTED, now
            _bump(a, "status", "completion_requested_at")
        elif not requests_completion and (was_completion or a.status == S.ACKNOWLEDGED):
            a.status, a.completion_requested_at = S.IN_PROGRESS, None
            _bump(a, "status", "completion_requested_at")
        return r

    return _atomic_with_files(run)


@transaction.atomic
def accept_report(
    *, report: ProgressReport, by, version: int | None, comment: str = ""
) -> ProgressReport:
    """通过. pending → accepted; the assignment's progress becomes the report's. Office only.

    Errors: ``not_pending`` (already reviewed), ``conflict``.
    """
    _check_office(by)
    r = _locked(ProgressReport, report.pk)
    a = _locked(Assignment, r.assignment_id)
    _check_version(r, version)
    if r.review_status != R.PENDING:
        raise ValidationError(_("该报送已审核，不能重复审核。"), code="not_pending")
    r.review_status = R.ACCEPTED
    r.review_comment = (comment or "").strip()
    r.reviewed_by, r.reviewed_at = by, timezone.now()
    _bump(r, "review_status", "review_comment", "reviewed_by", "reviewed_at")
    if a.progress != r.percent:
        a.progress = r.percent
        _bump(a, "progress")
    return r


@transaction.atomic
def return_report(
    *, report: ProgressReport, by, version: int | None, comment: str
) -> ProgressReport:
    """退回 with the office's comment. pending → returned; a returned completion request
    sends the assignment back to in progress. Office only. Errors: ``comment_required``, ``not_pending``, ``conflict``."""
    _check_office(by)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("退回时请填写审核意见。"), code="comment_required")
    r = _locked(ProgressReport, report.pk)
    a = _locked(Assignment, r.assignment_id)
    _check_version(r, version)
    if r.review_status != R.PENDING:
        raise ValidationError(_("该报送已审核，不能重复审核。"), code="not_pending")
    r.review_status = R.RETURNED
    r.review_comment = comment
    r.reviewed_by, r.reviewed_at = by, timezone.now()
    _bump(r, "review_status", "review_comment", "reviewed_by", "reviewed_at")
    if r.requests_completion and a.status == S.COMPLETION_REQUESTED:
        a.status, a.completion_requested_at = S.IN_PROGRESS, None
        _bump(a, "status", "completion_requested_at")
    return r


@transaction.atomic
def close_assignment(*, assignment: Assignment, by, version: int | None = None) -> Assignment:
    """办结（销号）. completion requested, with an accepted completion report → closed.
    Office only. Errors: ``closed``, ``not_requested``, ``not_accepted``, ``conflict``."""
    _check_office(by)
    a = _locked(Assignment, assignment.pk)
    _check_version(a, version)
    if a.status == S.CLOSED:
        raise ValidationError(_("该任务已办结。"), code="closed")
    if a.status != S.COMPLETION_REQUESTED:
        raise ValidationError(_("单位尚未申请办结，不能办结。"), code="not_requested")
    if not a.reports.filter(requests_completion=True, review_status=R.ACCEPTED).exists():
        raise ValidationError(_("请先审核通过单位的办结申请。"), code="not_accepted")
    a.status, a.closed_at = S.CLOSED, timezone.now()
    a.progress = 100
    _bump(a, "status", "closed_at", "progress")
    return a


@transaction.atomic
def assign_units(*, tasks: Iterable[Task], units: Iterable, role: str, by) -> list[Assignment]:
    """分派 each task to each unit with one role (牵头 / 配合); existing pairs are kept as
    they are. Office only. Returns the new assignments."""
    _check_office(by)
    if role not in Assignment.Role.values:
        raise ValidationError(_("请选择牵头或配合。"), code="role")
    tasks, units = list(tasks), list(units)
    if not tasks or not units:
        raise ValidationError(_("请至少选择一项任务和一个单位。"), code="empty")
    existing = set(
        Assignment.objects.filter(task__in=tasks, unit__in=units).values_list("task_id", "unit_id")
    )
    made = [
        Assignment(task=t, unit=u, role=role)
        for t in tasks
        for u in units
        if (t.pk, u.pk) not in existing
    ]
    for a in made:
        a.save()  # one by one: keeps a revision (simple_history) of each
    return made


# --- reminders (催办) -------------------------------------------------------------


def _mail_unit(unit, subject: str, lines: list[str]) -> str:
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


@transaction.atomic
def send_reminder(
    *, assignments: Iterable[Assignment], by, message: str, email: bool = True
) -> list[Reminder]:
    """催办 one or many assignments: a notice each unit sees on /tasks/ and one mail per
    unit to its liaison. Office only. Closed assignments are refused (``closed``),
    changing nothing."""
    _check_office(by)
    message = (message or "").strip()
    if not message:
        raise ValidationError(_("请填写催办内容。"), code="message_required")
    pks = [a.pk for a in assignments]
    if not pks:
        raise ValidationError(_("请至少选择一项任务分工。"), code="empty")
    rows = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(pk__in=pks)
        .select_related("task", "unit")
    )
    closed = [a for a in rows if a.status == S.CLOSED]
    if closed:
        raise ValidationError(
            _("以下任务已办结，无需催办：%(names)s")
            % {"names": "；".join(f"{a.task.number} {a.unit.display_name}" for a in closed)},
            code="closed",
        )
    now = timezone.now()
    by_unit = defaultdict(list)
    for a in rows:
        by_unit[a.unit_id].append(a)
    made = []
    for group in by_unit.values():
        unit = group[0].unit
        address = ""
        if email:
            address = _mail_unit(
                unit,
                _("【催办】请抓紧推进产改任务"),
                [message, ""]
                + [
                    _("· %(number)s %(title)s（完成时限 %(due)s）")
                    % {"number": a.task.number, "title": a.task.title, "due": a.task.due_date}
                    for a in group
                ],
            )
        for a in group:
            made.append(
                Reminder.objects.create(
                    assignment=a,
                    kind=Reminder.Kind.MANUAL,
                    message=message,
                    sent_by=by,
                    sent_at=now,
                    sent_on=timezone.localdate(now),
                    emailed_to=address,
                )
            )
    return made


@transaction.atomic
def mark_reminder_read(*, reminder: Reminder, by) -> Reminder:
    """The unit marks a 催办 notice as read (idempotent). Unit of the assignment only."""
    _check_own_unit(by, reminder.assignment.unit_id)
    r = _locked(Reminder, reminder.pk)
    if r.read_at is None:
        r.read_at, r.read_by = timezone.now(), by
        r.save(update_fields=["read_at", "read_by"])
    return r


def send_due_reminders(*, today: datetime.date | None = None) -> list[Reminder]:
    """The daily job: remind liaisons of open assignments due within 7 days or overdue,
    at most once per assignment per day (a database constraint backs this), one mail
    per unit. Rerunning the same day sends nothing more. Returns the reminders made."""
    now = timezone.now()
    today = today or timezone.localdate(now)
    candidates = (
        Assignment.objects.open()
        .filter(task__due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        .exclude(
            Exists(
                Reminder.objects.filter(assignment=OuterRef("pk"), sent_on=today).exclude(
                    kind=Reminder.Kind.MANUAL
                )
            )
        )
        .select_related("task", "unit")
        .order_by("unit_id", "task__due_date", "pk")
    )
    made = []
    with transaction.atomic():
        by_unit = defaultdict(list)
        for a in candidates:
            overdue = a.task.due_date < today
            kind = Reminder.Kind.OVERDUE if overdue else Reminder.Kind.DUE_SOON
            if overdue:
                message = _("任务“%(title)s”已逾期（完成时限 %(due)s），请抓紧办理并报送进展。")
            else:
                message = _("任务“%(title)s”将于 %(due)s 到期，请按时完成并报送进展。")
            message %= {"title": f"{a.task.number} {a.task.title}", "due": a.task.due_date}
            try:
                with transaction.atomic():  # savepoint: a parallel run may have sent it
                    reminder = Reminder.objects.create(
                        assignment=a, kind=kind, message=message, sent_at=now, sent_on=today
                    )
            except IntegrityError:
                continue
            by_unit[a.unit_id].append(reminder)
            made.append(reminder)
        for reminders in by_unit.values():
            unit = reminders[0].assignment.unit
            address = _mail_unit(
                unit, _("【产改任务提醒】临期与逾期任务"), [r.message for r in reminders]
            )
            if address:
                Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(emailed_to=address)
    return made


# --- problems (问题收集) ------------------------------------------------------------


@transaction.atomic
def raise_problem(*, by, title: str, text: str, task: Task | None = None) -> Problem:
    """A unit user raises a problem for its unit, optionally about one of its tasks."""
    if not (by and by.is_authenticated and by.is_active and by.unit_id):
        raise PermissionDenied(_("只有成员单位可以提交问题。"))
    if task is not None and not Task.objects.visible_to(by).filter(pk=task.pk).exists():
        raise PermissionDenied(_("只能就本单位的任务提出问题。"))
    title, text = (title or "").strip(), (text or "").strip()
    if not title or not text:
        raise ValidationError(_("请填写标题和问题描述。"), code="required")
    return Problem.objects.create(
        unit_id=by.unit_id,
        task=task,
        title=title,
        text=text,
        raised_by=by,
        raised_at=timezone.now(),
    )


@transaction.atomic
def reply_problem(
    *, problem: Problem, by, reply: str, version: int | None, email: bool = True
) -> Problem:
    """The office answers (or amends its answer to) a problem. Office only."""
    _check_office(by)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationError(_("请填写答复内容。"), code="reply_required")
    p = _locked(Problem, problem.pk)
    _check_version(p, version)
    p.reply, p.status = reply, Problem.Status.ANSWERED
    p.replied_by, p.replied_at = by, timezone.now()
    _bump(p, "reply", "status", "replied_by", "replied_at")
    if email:
        _mail_unit(p.unit, _("【问题答复】%(title)s") % {"title": p.title}, [reply])
    return p


# --- assessment (考核评价) -----------------------------------------------------------

CLOSURE_WEIGHT = Decimal("0.6")
ON_TIME_WEIGHT = Decimal("0.4")


def unit_rates(*, plan: Plan, unit) -> dict:
    """Weighted closure and on-time rates of a unit on a plan, and the suggested score:
    100 × (0.6 × closure rate + 0.4 × on-time rate), weights from ``Task.weight``."""
    w = F("task__weight")
    zero = Value(Decimal(0))
    dec = DecimalField(max_digits=12, decimal_places=2)
    closed = Q(status=S.CLOSED)
    on_time = closed & Q(closed_at__date__lte=F("task__due_date"))
    agg = Assignment.objects.filter(task__plan=plan, unit=unit).aggregate(
        total=Sum(w, output_field=dec),
        closed=Sum(Case(When(closed, then=w), default=zero, output_field=dec)),
        on_time=Sum(Case(When(on_time, then=w), default=zero, output_field=dec)),
    )
    total = Decimal(agg["total"] or 0)
    if not total:
        return {"closure": None, "on_time": None, "suggested": None}
    closure = Decimal(agg["closed"] or 0) / total
    on_time_rate = Decimal(agg["on_time"] or 0) / total
    suggested = (100 * (CLOSURE_WEIGHT * closure + ON_TIME_WEIGHT * on_time_rate)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return {"closure": closure, "on_time": on_time_rate, "suggested": suggested}


@transaction.atomic
def score_unit(
    *, plan: Plan, unit, by, score, comment: str = "", version: int | None = None
) -> Assessment:
    """考核评价: record (or revise) the office's score of a unit on a plan, 0–100, beside
    the suggested score. Office only. Errors: ``score``, ``no_assignments``, ``conflict``."""
    _check_office(by)
    try:
        score = Decimal(str(score))
        if not score.is_finite():  # NaN would raise on the comparison below
            raise InvalidOperation
        score = score.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError(_("得分应为 0 到 100 之间的数。"), code="score") from exc
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError(_("得分应为 0 到 100 之间的数。"), code="score")
    rates = unit_rates(plan=plan, unit=unit)
    if rates["suggested"] is None:
        raise ValidationError(_("该单位在此任务清单中没有任务。"), code="no_assignments")
    now = timezone.now()
    existing = Assessment.objects.select_for_update().filter(plan=plan, unit=unit).first()
    if existing is None:
        if version not in (None, "", 0, "0"):
            raise ValidationError(
                _(
                    "该记录已被他人修改（例如已审核或已编辑），请查看最新内容后再提交；您填写的内容已保留。"
                ),
                code="conflict",
            )
        return Assessment.objects.create(
            plan=plan,
            unit=unit,
            score=score,
            suggested_score=rates["suggested"],
            comment=(comment or "").strip(),
            scored_by=by,
            scored_at=now,
        )
    _check_version(existing, version)
    existing.score, existing.comment = score, (comment or "").strip()
    existing.suggested_score = rates["suggested"]
    existing.scored_by, existing.scored_at = by, now
    _bump(existing, "score", "comment", "suggested_score", "scored_by", "scored_at")
    return existing


# --- import ----------------------------------------------------------------------


def import_plan(*, plan: Plan, file, by) -> list[Task]:
    """Import a task list (.xlsx) into a plan: the whole sheet is checked first and
    refused whole (one Chinese message per bad row); otherwise every task, milestone
    and assignment is created in one transaction. Office only."""
    from .xlsx import read_task_sheet

    _check_office(by)
    rows = read_task_sheet(file, plan=plan)  # raises ValidationError listing bad rows
    made = []
    with transaction.atomic():
        for row in rows:
            task = Task.objects.create(
                plan=plan,
                number=row.number,
                category=row.category,
                title=row.title,
                requirement=row.requirement,
                start_date=row.start_date,
                due_date=row.due_date,
                weight=row.weight,
            )
            for title, day in row.milestones:
                task.milestones.create(title=title, due_date=day)
            for unit in row.lead:
                Assignment.objects.create(task=task, unit=unit, role=Assignment.Role.LEAD)
            for unit in row.cooperate:
                Assignment.objects.create(task=task, unit=unit, role=Assignment.Role.COOPERATE)
            made.append(task)
    return made


# --- calendar feed tokens -------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def renew_calendar_token(*, by) -> str:
    """Issue a new calendar token for ``by`` (the old URL stops working); return it once."""
    if not (by and by.is_authenticated and by.is_active):
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    CalendarToken.objects.filter(user=by).delete()
    CalendarToken.objects.create(user=by, unit_id=by.unit_id, token_hash=hash_token(token))
    return token


@transaction.atomic
def revoke_calendar_token(*, by) -> None:
    if not (by and by.is_authenticated):
        raise PermissionDenied
    CalendarToken.objects.filter(user=by).delete()


def calendar_user(token: str):
    """The user a live token belongs to, or None (unknown, revoked, user left or moved)."""
    if not token or len(token) > 100:
        return None
    row = CalendarToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if row is None or not row.is_alive:
        return None
    return row.user
