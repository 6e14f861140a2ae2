"""``AuditEntry``: one row per audited event, never changed or deleted.

The application refuses changes on every database (``save`` of an existing row,
``delete``, ``QuerySet.update``/``delete``); on PostgreSQL a trigger refuses
UPDATE and DELETE as well (migration 0002), letting through only the DELETE of
``prune_audit`` for rows older than the legal six months.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.text import CleanCharField, CleanTextField

from .actions import action_label


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit entries cannot be deleted (manage.py prune_audit)")

    def visible_to(self, user):
        """Every entry for the audit role (``audit.view_auditentry``), none for anyone else."""
        if user is not None and user.is_authenticated and user.is_active:
            if user.has_perm("audit.view_auditentry"):
                return self.all()
        return self.none()


class AuditEntry(models.Model):
    class Result(models.TextChoices):
        DONE = "done", _("成功")
        REFUSED = "refused", _("拒绝")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # The account and its unit are kept by name as they were, and by id without a
    # database constraint: deleting an account or unit never touches its entries.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = CleanCharField(_("账号名"), max_length=150, blank=True)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("单位"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    unit_name = CleanCharField(_("单位名称"), max_length=200, blank=True)
    address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    action = CleanCharField(_("操作"), max_length=64, db_index=True)
    object_type = CleanCharField(_("对象类型"), max_length=100, blank=True)
    object_id = CleanCharField(_("对象编号"), max_length=64, blank=True)
    object_label = CleanCharField(_("对象"), max_length=300, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices)
    reason = CleanTextField(_("原因"), blank=True)
    detail = CleanTextField(_("详情"), blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        # Read and export only: there is nothing to grant for add, change or delete.
        default_permissions = ("view",)
        permissions = [("export_auditentry", _("导出审计日志"))]
        indexes = [
            models.Index(fields=["actor_name", "-at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name or '-'} {self.action_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit entries cannot be deleted (manage.py prune_audit)")

    @property
    def action_label(self) -> str:
        return action_label(self.action)
