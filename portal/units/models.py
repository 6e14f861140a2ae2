"""Member units (成员单位) of the reform: the organisations the office works with."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.text import CleanCharField


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Unit(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("直属单位")
        DEPARTMENT = "department", _("集团部门")
        PILOT = "pilot", _("试点企业")
        COUNTY = "county", _("县区")
        CITY = "city", _("市直部门")

    name = CleanCharField(_("单位名称"), max_length=100, unique=True)
    short_name = CleanCharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    liaison = CleanCharField(_("联络员"), max_length=50, blank=True)
    phone = CleanCharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(
        _("联络员邮箱"),
        blank=True,
        help_text=_("催办与提醒邮件发往此地址，例如 lianluo@example.cn"),
    )
    active = models.BooleanField(_("启用"), default=True)
    ordering = models.PositiveIntegerField(_("排序"), default=100)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name
