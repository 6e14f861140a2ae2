"""Per-unit assignments of a task, their progress reports and evidence files, and the
derived traffic light (红黄绿灯) and "on time" rule."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.accounts.models import acting_unit_id, is_office
from portal.files import UploadTo, private_storage
from portal.text import CleanCharField, CleanTextField
from portal.units.querysets import UnitOwnedQuerySet

from .plans import Task

DUE_SOON_DAYS = 7


def today() -> datetime.date:
    """The local date the traffic lights are computed for (tests pass their own)."""
    return timezone.localdate()


class Light(models.TextChoices):
    """Traffic light (红黄绿灯) of an assignment; derived, never stored."""

    RED = "red", _("红灯（逾期）")
    YELLOW = "yellow", _("黄灯（临期或本月未报送）")
    GREEN = "green", _("绿灯（正常推进）")
    DONE = "done", _("已办结")

    @property
    def short_label(self) -> str:
        """The word pages print beside the lamp: 逾期, 预警, 正常, 已办结 (``label`` is
        the full name used by filters, the admin and exports)."""
        return _LIGHT_SHORT_LABELS[self]


_LIGHT_SHORT_LABELS = {
    Light.RED: _("逾期"),
    Light.YELLOW: _("预警"),
    Light.GREEN: _("正常"),
    Light.DONE: _("已办结"),
}


def assignment_audience(user) -> tuple:
    """What ``visible_to(user)`` of the assignments, their tasks, reports and 催办
    notices branches on, as a key for SQL compiled once per audience (portal/kept_sql.py):
    ``("office",)``, ``("unit", unit id)`` (a user acting for that unit) or ``("none",)``
    (anyone else: anonymous, staff outside the office, an account of no unit)."""
    if is_office(user):
        return ("office",)
    unit_id = acting_unit_id(user)
    return ("unit", unit_id) if unit_id is not None else ("none",)


def _reports_this_month(today: datetime.date):
    """The outer assignment's reports for ``today``'s month that were not returned."""
    return ProgressReport.objects.filter(
        assignment=OuterRef("pk"),
        period=today.strftime("%Y-%m"),
    ).exclude(review_status=ProgressReport.Review.RETURNED)


def reported_this_month_q(today: datetime.date):
    """Exists: a report for ``today``'s month that was not returned."""
    return Exists(_reports_this_month(today))


def reported_this_month_probe(today: datetime.date):
    """``reported_this_month_q`` for a page of rows: the same truth, written as
    ``(SELECT id … LIMIT 1) IS NOT NULL``. PostgreSQL may answer an EXISTS by hashing
    every report of the month (about 1,000 rows at issue 11's volume, 0.6 ms) even when
    it is asked for the 50 rows of a page; a scalar subquery it probes per row through
    the assignment's index."""
    return IsNull(Subquery(_reports_this_month(today).order_by().values("pk")[:1]), False)


def due_q(lookup: str, value) -> Q:
    """The assignment's due date (the approved extension's, else the task's) compared
    by ``lookup`` ("lt", "lte", …) with ``value``: a plain Q, usable without annotation."""
    return Q(**{f"extended_due_date__{lookup}": value}) | Q(
        extended_due_date__isnull=True, **{f"task__due_date__{lookup}": value}
    )


def due_date_expr() -> Coalesce:
    """The assignment's due date as an expression, for ordering and annotation: the
    approved extension's, else the task's as copied onto the assignment
    (``Assignment.task_due_date``), so that lists ordered by it can read an index of
    the assignments alone."""
    return Coalesce("extended_due_date", "task_due_date")


def closed_last_expr() -> Case:
    """1 for a closed assignment, 0 for an open one: the lists put open work first."""
    return Case(
        When(status="closed", then=Value(1)),  # Assignment.Status.CLOSED
        default=Value(0),
        output_field=models.IntegerField(),
    )


# The order of the assignment lists (``tasks.views.common.listed_assignments``): open
# work first, by due date, then by the task's number and the id. The overview's indexes
# (``assignment_list_order``, ``assignment_plan_list_order``) hold the same expressions.
def list_order() -> list:
    return [closed_last_expr(), due_date_expr(), "task_number", "pk"]


def light_conditions(today: datetime.date) -> dict[str, Q]:
    """Q objects for each light, in precedence order (first match wins). The due date
    is the assignment's: an approved extension (延期) moves it, a pending one does not."""
    closed = Q(status=Assignment.Status.CLOSED)
    not_started = Q(task__start_date__gt=today)
    return {
        Light.DONE: closed,
        Light.RED: due_q("lt", today),
        Light.YELLOW: due_q("lte", today + datetime.timedelta(days=DUE_SOON_DAYS))
        | (~reported_this_month_q(today) & ~not_started),
        Light.GREEN: Q(pk__isnull=False),
    }


def light_for(day: datetime.date, *, closed: bool, due, start, reported) -> Light:
    """The traffic light on ``day`` from its inputs: whether the assignment is closed, its
    due date, its task's start date and whether it reported in ``day``'s month
    (``reported_this_month_q``; a bool, or a callable asked only when it decides). The
    rules of ``light_conditions``, for rows read without the CASE annotation."""
    if closed:
        return Light.DONE
    if due < day:
        return Light.RED
    if due <= day + datetime.timedelta(days=DUE_SOON_DAYS):
        return Light.YELLOW
    if start and start > day:
        return Light.GREEN
    if callable(reported):
        reported = reported()
    return Light.GREEN if reported else Light.YELLOW


def closed_on_time_q() -> Q:
    """Closed by the task's own due date: ``closed_at`` as a local date, due date included.

    The one "on time" (按期办结) rule: the overview's on-time rate and the weighted
    on-time rate behind the suggested score both count with it. An assignment closed
    after the task's date but by an approved extension's date is not on time by this
    rule; ``closed_on_time_after_extension_q`` counts it.
    """
    return Q(status=Assignment.Status.CLOSED, closed_at__date__lte=F("task__due_date"))


def closed_on_time_after_extension_q() -> Q:
    """Closed after the task's due date but by the approved extension's date (延期后按期)."""
    return Q(
        status=Assignment.Status.CLOSED,
        extended_due_date__isnull=False,
        closed_at__date__gt=F("task__due_date"),
        closed_at__date__lte=F("extended_due_date"),
    )


class AssignmentQuerySet(UnitOwnedQuerySet):
    def open(self):
        return self.exclude(status=Assignment.Status.CLOSED)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(due_q("lt", today or timezone.localdate()))

    def extended(self):
        """Assignments whose due date an approved extension moved (延期)."""
        return self.filter(extended_due_date__isnull=False)

    def with_light(self, today: datetime.date | None = None):
        """Annotate ``light`` (red / yellow / green / done) as one CASE expression."""
        today = today or timezone.localdate()
        whens = [When(q, then=Value(str(light))) for light, q in light_conditions(today).items()]
        return self.annotate(
            light=Case(*whens, default=Value(Light.GREEN.value), output_field=models.CharField())
        )


class Assignment(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        COOPERATE = "cooperate", _("配合")

    class Status(models.TextChoices):
        PENDING = "pending", _("待签收")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        IN_PROGRESS = "in_progress", _("推进中")
        COMPLETION_REQUESTED = "completion_requested", _("申请办结")
        CLOSED = "closed", _("已办结")

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("分工"), max_length=20, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(
        _("状态"), max_length=30, choices=Status.choices, default=Status.PENDING, editable=False
    )
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0, editable=False)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True, editable=False)
    completion_requested_at = models.DateTimeField(
        _("申请办结时间"), null=True, blank=True, editable=False
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    # Set only by ``tasks.services.approve_extension``: the due date the office granted
    # this unit (延期), instead of the task's. None: the task's date applies.
    extended_due_date = models.DateField(_("延期后完成时限"), null=True, blank=True, editable=False)
    # Optimistic concurrency: bumped by every service that changes the row.
    version = models.PositiveIntegerField(default=1, editable=False)
    # The task's list, due date and number, copied here by the database on every write
    # of either row (triggers of tasks 0008, on SQLite and PostgreSQL alike: a task's
    # save, its admin form, an import, ``QuerySet.update()``, ``bulk_create()``), so
    # the overview's top 50 of a task list come straight from an index of this table
    # (``assignment_plan_list_order``) instead of a sort of every row (issue 11). Read them
    # in SQL only: an instance made in Python holds None (or "") until it is read back.
    task_plan = models.ForeignKey(
        "Plan",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        editable=False,
        related_name="+",
    )
    task_due_date = models.DateField(null=True, editable=False)
    task_number = models.CharField(max_length=20, default="", editable=False)

    history = HistoricalRecords(excluded_fields=["task_plan", "task_due_date", "task_number"])
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = [due_date_expr().asc(), "task_number", "id"]
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit"],
                name="one_assignment_per_task_unit",
                violation_error_message=_("该单位已承担此任务。"),
            ),
            # Each step's timestamp is set once the status has reached it.
            models.CheckConstraint(
                condition=Q(status="pending") | Q(acknowledged_at__isnull=False),
                name="assignment_acknowledged_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="assignment_closed_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="completion_requested")
                | Q(completion_requested_at__isnull=False),
                name="assignment_completion_requested_has_time",
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="assignment_progress_at_most_100"
            ),
        ]
        indexes = [
            # The assignments in the lists' order (``list_order``), those of one task
            # list together: the overview's page of rows of one list, or of every list,
            # reads the first entries of one of them, no sort (issue 11).
            models.Index(
                F("task_plan"),
                closed_last_expr(),
                due_date_expr(),
                F("task_number"),
                F("id"),
                name="assignment_plan_list_order",
            ),
            models.Index(
                closed_last_expr(),
                due_date_expr(),
                F("task_number"),
                F("id"),
                name="assignment_list_order",
            ),
        ]

    def __str__(self):
        return f"{self.task} · {self.unit}"

    @property
    def due_date(self) -> datetime.date:
        """The date this unit must finish by: the approved extension's, else the task's."""
        return self.extended_due_date or self.task.due_date

    @property
    def is_extended(self) -> bool:
        return self.extended_due_date is not None

    def light_on(self, day: datetime.date) -> Light:
        """The traffic light on ``day``; the same rules as ``with_light`` (one query at most)."""
        return light_for(
            day,
            closed=self.status == self.Status.CLOSED,
            due=self.due_date,
            start=self.task.start_date,
            reported=lambda: (
                self.reports.filter(period=day.strftime("%Y-%m"))
                .exclude(review_status=ProgressReport.Review.RETURNED)
                .exists()
            ),
        )

    @property
    def light(self) -> Light:
        """Today's light; lists read the ``with_light`` annotation stored by the setter."""
        annotated = self.__dict__.get("_light")
        return Light(annotated) if annotated is not None else self.light_on(today())

    @light.setter
    def light(self, value: str) -> None:
        self._light = value

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.CLOSED and self.due_date < today()


class ProgressReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(assignment__in=Assignment.objects.visible_to(user))


class ProgressReport(models.Model):
    class Review(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("已通过")
        RETURNED = "returned", _("已退回")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.CASCADE, related_name="reports"
    )
    period = CleanCharField(_("报送期间"), max_length=7, help_text=_("例如：2020-06"))
    text = CleanTextField(_("进展情况"))
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    requests_completion = models.BooleanField(_("申请办结"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("报送时间"), null=True, editable=False)
    review_status = models.CharField(
        _("审核状态"), max_length=20, choices=Review.choices, default=Review.PENDING, editable=False
    )
    review_comment = CleanTextField(_("审核意见"), blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("进展报送")
        verbose_name_plural = _("进展报送")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__lte=100), name="report_percent_at_most_100"
            ),
        ]
        indexes = [
            # The lights' "reported this month" (``reported_this_month_q``): PostgreSQL
            # hashes the month's reports that were not returned once per statement, an
            # index-only scan of this index instead of reading every report (issue 11).
            models.Index(
                fields=["period", "assignment"],
                condition=~Q(review_status="returned"),
                name="report_month_not_returned",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} · {self.period}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(report__in=ProgressReport.objects.visible_to(user))


class Evidence(models.Model):
    """An evidence file (佐证材料) of a progress report, in the private store."""

    ALLOWED = ("pdf", "docx", "xlsx", "doc", "xls", "jpg", "png", "zip")

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("进展报送"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(
        _("文件"), storage=private_storage, upload_to=UploadTo("evidence"), max_length=200
    )
    original_name = CleanCharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def __str__(self):
        return self.original_name
