"""The annual task list (年度任务清单): plans, their tasks and the tasks' dated steps (节点)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.accounts.models import acting_unit_id, is_office
from portal.text import CleanCharField, CleanTextField


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
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
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
        if is_office(user):
            return self.all()
        unit_id = acting_unit_id(user)
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
