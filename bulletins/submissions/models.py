"""信息 (news pieces) that units send, their files, the office's adoptions, 栏目 and the
year's scoring rules. Points are derived from these rows by ``selectors``, never stored."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bulletins.html import RichTextField
from portal.accounts.models import acting_unit_id, is_office
from portal.files import UploadTo, private_storage
from portal.text import CleanCharField, CleanTextField


class Category(models.Model):
    """栏目: 工作动态 / 经验做法 / 问题建议 …, configured by the office."""

    name = CleanCharField(_("栏目名称"), max_length=30, unique=True, help_text=_("例如：工作动态"))
    ordering = models.PositiveIntegerField(_("排序"), default=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("信息栏目")
        verbose_name_plural = _("信息栏目")

    def __str__(self):
        return self.name


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The office (产改办) sees every piece that reached it (``sent_at`` set; a unit's
        drafts and pieces awaiting its leader stay inside the unit); a user acting for a
        unit sees that unit's pieces in every state; anyone else none."""
        if is_office(user):
            return self.filter(sent_at__isnull=False)
        unit_id = acting_unit_id(user)
        if unit_id is None:
            return self.none()
        return self.filter(unit_id=unit_id)

    def sent_in(self, year: int):
        return self.filter(sent_at__isnull=False, sent_at__year=year)


class Submission(models.Model):
    """信息: a news piece a unit writes and sends for the bulletin.

    draft → (awaiting_signoff → [signoff_returned →] …) → pending (reached the office)
    → adopted / declined / returned (→ pending again when resubmitted). Only
    ``bulletins/submissions/services.py`` moves ``status``.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        AWAITING_SIGNOFF = "awaiting_signoff", _("待审签")
        SIGNOFF_RETURNED = "signoff_returned", _("审签退回")
        PENDING = "pending", _("待处理")
        RETURNED = "returned", _("退回修改")
        DECLINED = "declined", _("未采用")
        ADOPTED = "adopted", _("已采用")

    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("报送单位"),
        on_delete=models.PROTECT,
        related_name="submissions_sent",
    )
    category = models.ForeignKey(
        Category, verbose_name=_("栏目"), on_delete=models.PROTECT, related_name="submissions"
    )
    title = CleanCharField(_("标题"), max_length=200)
    body = RichTextField(_("正文"), blank=True)
    author = CleanCharField(_("执笔人"), max_length=50)
    author_phone = CleanCharField(_("联系电话"), max_length=30)
    signer = CleanCharField(
        _("审签人"), max_length=50, blank=True, help_text=_("签发本信息的单位领导，例如：张伟")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # The unit leader's (负责人) step and the comment of the latest return.
    signed_off_at = models.DateTimeField(_("审签时间"), null=True, blank=True, editable=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审签账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    leader_comment = CleanTextField(_("审签意见"), blank=True, editable=False)
    # First arrival at the office counts for the month's quota and the points.
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True, editable=False)
    resent_at = models.DateTimeField(_("最近报送时间"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    office_comment = CleanTextField(_("产改办意见"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报账号"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-resent_at", "-created_at", "-id"]
        verbose_name = _("信息")
        verbose_name_plural = _("信息报送")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "awaiting_signoff", "signoff_returned"])
                | Q(sent_at__isnull=False),
                name="submission_sent_has_sent_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "sent_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("submissions:detail", args=[self.pk])

    @property
    def is_editable_state(self) -> bool:
        S = self.Status
        return self.status in (S.DRAFT, S.SIGNOFF_RETURNED, S.RETURNED)

    @property
    def source_line(self) -> str:
        """（市人社局供稿）: what the reader sees under an adopted piece."""
        return _("（%(unit)s供稿）") % {"unit": self.unit.name}


class SubmissionFileQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(submission__in=Submission.objects.visible_to(user))


class SubmissionFile(models.Model):
    """A picture or attachment of a piece; inline pictures come from the Word import."""

    ALLOWED = ("pdf", "docx", "doc", "xlsx", "xls", "jpg", "jpeg", "png", "zip")

    submission = models.ForeignKey(
        Submission, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("文件"), storage=private_storage, upload_to=UploadTo("submissions"))
    original_name = CleanCharField(_("原文件名"), max_length=255, editable=False)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True, editable=False)
    is_inline = models.BooleanField(_("正文插图"), default=False, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = SubmissionFileQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("信息附件")
        verbose_name_plural = _("信息附件")

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class AdoptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(submission__in=Submission.objects.visible_to(user))


class Adoption(models.Model):
    """采用: the office took a piece into an issue (本刊) or reports it was published
    upward (市级 / 省级 / 全国, with the publication's name and date)."""

    class Level(models.TextChoices):
        ISSUE = "issue", _("本刊采用")
        CITY = "city", _("市级采用")
        PROVINCE = "province", _("省级采用")
        NATIONAL = "national", _("全国采用")

    class Mode(models.TextChoices):
        ARTICLE = "article", _("作为新文章")
        SECTION = "section", _("作为已有文章的一节")

    submission = models.ForeignKey(
        Submission, verbose_name=_("信息"), on_delete=models.CASCADE, related_name="adoptions"
    )
    level = models.CharField(_("采用级别"), max_length=20, choices=Level.choices)
    issue = models.ForeignKey(
        "bulletins.Issue",
        verbose_name=_("期次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
    )
    article = models.ForeignKey(
        "bulletins.Article",
        verbose_name=_("文章"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adoptions",
    )
    mode = models.CharField(_("采用方式"), max_length=20, choices=Mode.choices, blank=True)
    publication = CleanCharField(
        _("刊物名称"), max_length=100, blank=True, help_text=_("例如：江苏工运动态")
    )
    published_on = models.DateField(_("刊发日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["published_on", "id"]
        verbose_name = _("采用")
        verbose_name_plural = _("采用情况")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "level"],
                name="one_adoption_per_level",
                violation_error_message=_("该信息已登记过此级别的采用。"),
            ),
            models.CheckConstraint(
                condition=~Q(level="issue") | Q(issue__isnull=False),
                name="issue_adoption_has_issue",
            ),
        ]

    def __str__(self):
        return f"{self.submission} · {self.get_level_display()}"


def _points_field(label, default, help_text=""):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=1,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=help_text,
    )


class ScoringRule(models.Model):
    """积分规则 of one year, edited by the office. Points are derived, never stored."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True, help_text=_("例如：2026"))
    per_piece = _points_field(
        _("每篇报送积分"), "1", _("每月按时报送（当月送达产改办）的每篇信息，例如 1")
    )
    per_issue = _points_field(_("本刊采用积分"), "3")
    per_city = _points_field(_("市级采用积分"), "5")
    per_province = _points_field(_("省级采用积分"), "8")
    per_national = _points_field(_("全国采用积分"), "12")
    monthly_quota = models.PositiveSmallIntegerField(
        _("每月报送篇数"), default=2, help_text=_("每个单位每月至少报送的篇数，例如 2；0 表示不限")
    )
    quota_start_month = models.PositiveSmallIntegerField(
        _("考核起始月份"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("从当年几月起考核每月报送篇数，例如 3 表示从3月起"),
    )
    missed_month_penalty = _points_field(
        _("未完成月扣分"), "2", _("当月报送篇数不足时扣减的分数，例如 2")
    )
    assessment_cap = _points_field(
        _("计入考核上限"), "10", _("积分计入考核评价建议得分的最高分，例如 10")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")

    def __str__(self):
        return _("%(year)s年积分规则") % {"year": self.year}

    def points_for(self, level: str) -> Decimal:
        return {
            Adoption.Level.ISSUE: self.per_issue,
            Adoption.Level.CITY: self.per_city,
            Adoption.Level.PROVINCE: self.per_province,
            Adoption.Level.NATIONAL: self.per_national,
        }[level]


class QuotaReminder(models.Model):
    """One reminder a month to a unit that has sent fewer pieces than the quota (the
    constraint makes a second run of the daily job send nothing more)."""

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    sent_count = models.PositiveSmallIntegerField(_("已报送篇数"))
    email = models.EmailField(_("发往"), blank=True)
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报送提醒")
        verbose_name_plural = _("报送提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month"], name="one_quota_reminder_per_unit_month"
            )
        ]

    def __str__(self):
        return f"{self.unit} {self.year}-{self.month:02d}"
