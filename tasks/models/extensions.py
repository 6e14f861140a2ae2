"""延期申请: a unit asks to move an assignment's due date; the office decides.

The approved date is kept on the assignment (``Assignment.extended_due_date``); each
request keeps the date it started from, the date asked for, the date granted and who
decided, so the history holds every date.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.files import UploadTo, private_storage
from portal.text import CleanCharField, CleanTextField

from .assignments import Assignment


class ExtensionRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The requests of the assignments ``user`` may see (the office: all; a unit:
        its own; anyone else: none)."""
        return self.filter(assignment__in=Assignment.objects.visible_to(user))

    def pending(self):
        return self.filter(status=ExtensionRequest.Status.PENDING)


class ExtensionRequest(models.Model):
    """A request to move an assignment's due date (延期申请)."""

    ALLOWED = ("pdf", "docx", "xlsx", "doc", "xls", "jpg", "png", "zip")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已同意")
        DECLINED = "declined", _("未同意")
        WITHDRAWN = "withdrawn", _("已撤回")

    assignment = models.ForeignKey(
        Assignment,
        verbose_name=_("任务分工"),
        on_delete=models.CASCADE,
        related_name="extension_requests",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING, editable=False
    )
    original_due_date = models.DateField(_("原完成时限"), editable=False)
    requested_due_date = models.DateField(_("申请延期至"))
    approved_due_date = models.DateField(_("批准延期至"), null=True, blank=True, editable=False)
    reason = CleanTextField(_("延期理由"))
    evidence = models.FileField(
        _("证明材料"),
        storage=private_storage,
        upload_to=UploadTo("extensions"),
        max_length=200,
        blank=True,
    )
    evidence_name = CleanCharField(_("证明材料文件名"), max_length=255, blank=True)
    evidence_type = models.CharField(max_length=100, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"), editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True, editable=False)
    decision_comment = CleanTextField(_("审批意见"), blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = ExtensionRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="one_open_extension_per_assignment",
                violation_error_message=_("该任务已有待审批的延期申请。"),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "declined"])
                | Q(decided_at__isnull=False, decided_by__isnull=False),
                name="extension_decided_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_due_date__isnull=False),
                name="extension_approved_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.assignment} · {self.requested_due_date:%Y-%m-%d}"
