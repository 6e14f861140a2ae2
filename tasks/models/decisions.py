"""议定事项: the decisions a meeting record (会议纪要) carries, in order, each of which the
office may turn into a supervised task (督办任务).

The model lives in tasks with a foreign key to ``bulletins.Meeting``: bulletins never
imports tasks; the meeting page shows the decisions through the panel the tasks app
registers with ``bulletins.panels``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.text import CleanCharField, CleanTextField

from .plans import Task


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The decisions of the meetings ``user`` may see (``Meeting.visible_to``)."""
        from bulletins.models import Meeting

        return self.filter(meeting__in=Meeting.objects.visible_to(user))


class Decision(models.Model):
    meeting = models.ForeignKey(
        "bulletins.Meeting",
        verbose_name=_("会议"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=1)
    title = CleanCharField(
        _("议定事项"), max_length=300, help_text=_("例如：面上要坚持全市一盘棋、同发力")
    )
    text = CleanTextField(_("具体内容"), blank=True)
    # Set only by ``tasks.services.make_decision_task``.
    task = models.OneToOneField(
        Task,
        verbose_name=_("督办任务"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="decision",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()
    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "order", "id"]
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")

    def __str__(self):
        return self.title
