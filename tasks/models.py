"""Annual task lists (年度任务清单): tasks, per-unit assignments, reports, reminders,
problems, assessments and calendar tokens.

Status fields are ``editable=False``: only ``tasks.services`` moves them. Overdue and
the traffic light (红黄绿灯) are derived, never stored: ``Assignment.light`` for one
row, ``AssignmentQuerySet.with_light(today)`` for lists.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.accounts.models import acting_unit_id as _unit_id
from portal.accounts.models import is_office as _is_office
from portal.files import UploadTo, private_storage
from portal.text import CleanCharField, CleanTextField

DUE_SOON_DAYS = 7


def today() -> datetime.date:
    """The local date the traffic lights are computed for (tests pass their own)."""
    return timezone.localdate()


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        ACTIVE = "active", _("执行中")
        CLOSED = "closed", _("已结束")

    year = models.PositiveSmallIntegerField(_("年度"))
    title = CleanCharField(_("名称"), max_length=200)
    description = CleanTextField(_("说明"), blank=True)
    source_meeting = models.ForeignKey(
        "bulletins.Meeting",
        verbose_name=_("来源会议"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
    )
    source_issue = models.ForeignKey(
        "bulletins.Issue",
        verbose_name=_("来源简报"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("年度任务清单")
        verbose_name_plural = _("年度任务清单")

    def __str__(self):
        return self.title


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office: every task; a unit user: tasks assigned to the unit; others: none."""
        if _is_office(user):
            return self.all()
        unit_id = _unit_id(user)
        if unit_id:
            return self.filter(assignments__unit_id=unit_id).distinct()
        return self.none()


class Task(models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("任务清单"), on_delete=models.CASCADE, related_name="tasks"
    )
    number = CleanCharField(_("编号"), max_length=20, help_text=_("例如：2.3"))
    category = CleanCharField(
        _("类别"),
        max_length=50,
        blank=True,
        help_text=_("例如：思想引领、素质提升、权益维护、组织保障"),
    )
    title = CleanCharField(_("任务"), max_length=300)
    requirement = CleanTextField(_("工作要求"), blank=True)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    due_date = models.DateField(_("完成时限"))
    weight = models.DecimalField(_("分值权重"), max_digits=5, decimal_places=2, default=1)
    source_meeting = models.ForeignKey(
        "bulletins.Meeting",
        verbose_name=_("来源会议"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )

    history = HistoricalRecords()
    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number", "id"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="unique_task_number_in_plan",
                violation_error_message=_("该任务清单中已有相同编号的任务。"),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(start_date__lte=F("due_date")),
                name="task_starts_before_due",
                violation_error_message=_("开始日期不能晚于完成时限。"),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class MilestoneQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(task__in=Task.objects.visible_to(user))


class Milestone(models.Model):
    """A dated step of a task (节点), shown on the assignment page and in calendar feeds."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = CleanCharField(_("节点"), max_length=200)
    due_date = models.DateField(_("节点时间"))

    history = HistoricalRecords()
    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("任务节点")
        verbose_name_plural = _("任务节点")

    def __str__(self):
        return f"{self.due_date:%Y-%m-%d} {self.title}"


class Light(models.TextChoices):
    """Traffic light (红黄绿灯) of an assignment; derived, never stored."""

    RED = "red", _("红灯（逾期）")
    YELLOW = "yellow", _("黄灯（临期或本月未报送）")
    GREEN = "green", _("绿灯（正常推进）")
    DONE = "done", _("已办结")


def reported_this_month_q(today: datetime.date):
    """Exists: a report for ``today``'s month that was not returned."""
    return Exists(
        ProgressReport.objects.filter(
            assignment=OuterRef("pk"),
            period=today.strftime("%Y-%m"),
        ).exclude(review_status=ProgressReport.Review.RETURNED)
    )


def light_conditions(today: datetime.date) -> dict[str, Q]:
    """Q objects for each light, in precedence order (first match wins)."""
    closed = Q(status=Assignment.Status.CLOSED)
    not_started = Q(task__start_date__gt=today)
    return {
        Light.DONE: closed,
        Light.RED: Q(task__due_date__lt=today),
        Light.YELLOW: Q(task__due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        | (~reported_this_month_q(today) & ~not_started),
        Light.GREEN: Q(pk__isnull=False),
    }


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office: every assignment; a unit user: the unit's own; others: none."""
        if _is_office(user):
            return self.all()
        unit_id = _unit_id(user)
        if unit_id:
            return self.filter(unit_id=unit_id)
        return self.none()

    def open(self):
        return self.exclude(status=Assignment.Status.CLOSED)

    def overdue(self, today: datetime.date | None = None):
        return self.open().filter(task__due_date__lt=today or timezone.localdate())

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
    # Optimistic concurrency: bumped by every service that changes the row.
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["task__due_date", "task__number", "id"]
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

    def __str__(self):
        return f"{self.task} · {self.unit}"

    def light_on(self, day: datetime.date) -> str:
        """The traffic light on ``day``; the same rules as ``with_light`` (one query at most)."""
        if self.status == self.Status.CLOSED:
            return Light.DONE.value
        due = self.task.due_date
        if due < day:
            return Light.RED.value
        if due <= day + datetime.timedelta(days=DUE_SOON_DAYS):
            return Light.YELLOW.value
        start = self.task.start_date
        if start and start > day:
            return Light.GREEN.value
        reported = (
            self.reports.filter(period=day.strftime("%Y-%m"))
            .exclude(review_status=ProgressReport.Review.RETURNED)
            .exists()
        )
        return Light.GREEN.value if reported else Light.YELLOW.value

    @property
    def light(self) -> str:
        """Today's light; lists read the ``with_light`` annotation stored by the setter."""
        annotated = self.__dict__.get("_light")
        return annotated if annotated is not None else self.light_on(today())

    @light.setter
    def light(self, value: str) -> None:
        self._light = value

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.CLOSED and self.task.due_date < today()

    @property
    def closed_on_time(self) -> bool:
        return bool(self.closed_at and timezone.localdate(self.closed_at) <= self.task.due_date)


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


class ReminderQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(assignment__in=Assignment.objects.visible_to(user))

    def unread(self):
        return self.filter(read_at__isnull=True)


class Reminder(models.Model):
    """催办: a notice about one assignment, by the office or by the daily job."""

    class Kind(models.TextChoices):
        MANUAL = "manual", _("催办")
        DUE_SOON = "due_soon", _("临期提醒")
        OVERDUE = "overdue", _("逾期提醒")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("任务分工"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, editable=False)
    message = CleanTextField(_("内容"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发送人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("发送时间"), editable=False)
    sent_on = models.DateField(_("发送日期"), editable=False)
    emailed_to = models.CharField(_("邮件发往"), max_length=254, blank=True, editable=False)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True, editable=False)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("阅读人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        constraints = [
            # The daily job reminds an assignment at most once a day, even if run twice.
            models.UniqueConstraint(
                fields=["assignment", "sent_on"],
                condition=~Q(kind="manual"),
                name="one_automatic_reminder_per_assignment_per_day",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.assignment}"


class ProblemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office: every problem; a unit user: the unit's own; others: none."""
        if _is_office(user):
            return self.all()
        unit_id = _unit_id(user)
        if unit_id:
            return self.filter(unit_id=unit_id)
        return self.none()


class Problem(models.Model):
    """问题收集: a problem a unit raises, answered by the office."""

    class Status(models.TextChoices):
        OPEN = "open", _("待答复")
        ANSWERED = "answered", _("已答复")

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("提出单位"), on_delete=models.PROTECT, related_name="problems"
    )
    task = models.ForeignKey(
        Task,
        verbose_name=_("相关任务"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problems",
    )
    title = CleanCharField(_("标题"), max_length=200)
    text = CleanTextField(_("问题描述"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("提出时间"), editable=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, editable=False
    )
    reply = CleanTextField(_("答复"), blank=True, editable=False)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题收集")

    def __str__(self):
        return self.title


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office: every assessment; a unit user: the unit's own; others: none."""
        if _is_office(user):
            return self.all()
        unit_id = _unit_id(user)
        if unit_id:
            return self.filter(unit_id=unit_id)
        return self.none()


class Assessment(models.Model):
    """考核评价: the office's year-end score of a unit on a plan."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("任务清单"), on_delete=models.CASCADE, related_name="assessments"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="assessments"
    )
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, editable=False)
    suggested_score = models.DecimalField(
        _("建议得分"), max_digits=5, decimal_places=1, editable=False
    )
    comment = CleanTextField(_("评价意见"), blank=True, editable=False)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评分人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    scored_at = models.DateTimeField(_("评分时间"), editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "-score"]
        verbose_name = _("考核评价")
        verbose_name_plural = _("考核评价")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "unit"],
                name="one_assessment_per_plan_unit",
                violation_error_message=_("该单位在此任务清单下已有考核评价。"),
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="assessment_score_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.plan} · {self.unit}"


class CalendarToken(models.Model):
    """A per-user secret for the calendar feed (.ics); only its SHA-256 is stored.

    Dead once the user is deactivated or moves to another unit (``unit`` is the unit
    at issue time).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self):
        return str(self.user)

    @property
    def is_alive(self) -> bool:
        return bool(self.user.is_active and self.user.unit_id == self.unit_id)
