"""What follows an assignment up: 催办 notices, problems units raise (问题收集), the
year-end assessment (考核评价) and personal calendar tokens."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import CleanCharField, CleanTextField
from portal.units.querysets import UnitOwnedQuerySet

from .assignments import Assignment
from .plans import Plan, Task


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
    objects = UnitOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("问题")
        verbose_name_plural = _("问题收集")

    def __str__(self):
        return self.title


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
    objects = UnitOwnedQuerySet.as_manager()

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
