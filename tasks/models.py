"""Annual task lists (年度任务清单), their tasks, per-unit assignments and progress reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def _is_office(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "is_office", False))


class Plan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        ACTIVE = "active", _("执行中")
        CLOSED = "closed", _("已结束")

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
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
        if user is not None and user.is_authenticated and user.is_active and user.unit_id:
            return self.filter(assignments__unit_id=user.unit_id).distinct()
        return self.none()


class Task(models.Model):
    plan = models.ForeignKey(
        Plan, verbose_name=_("任务清单"), on_delete=models.CASCADE, related_name="tasks"
    )
    number = models.CharField(_("编号"), max_length=20, help_text=_("例如：2.3"))
    category = models.CharField(
        _("类别"),
        max_length=50,
        blank=True,
        help_text=_("例如：思想引领、素质提升、权益维护、组织保障"),
    )
    title = models.CharField(_("任务"), max_length=300)
    requirement = models.TextField(_("工作要求"), blank=True)
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
            )
        ]

    def __str__(self):
        return f"{self.number} {self.title}"


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office: every assignment; a unit user: the unit's own; others: none."""
        if _is_office(user):
            return self.all()
        if user is not None and user.is_authenticated and user.is_active and user.unit_id:
            return self.filter(unit_id=user.unit_id)
        return self.none()


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
            )
        ]

    def __str__(self):
        return f"{self.task} · {self.unit}"


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
    period = models.CharField(_("报送期间"), max_length=7, help_text=_("例如：2020-06"))
    text = models.TextField(_("进展情况"))
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
    review_comment = models.TextField(_("审核意见"), blank=True, editable=False)
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

    def __str__(self):
        return f"{self.assignment} · {self.period}"
