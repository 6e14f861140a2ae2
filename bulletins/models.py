"""Bulletin series, issues and their articles and attachments, meeting records, read receipts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.accounts.models import is_office as _is_office
from portal.files import UploadTo, private_storage
from portal.text import CleanCharField, CleanTextField
from portal.units.querysets import UnitOwnedQuerySet

from .html import RichTextField
from .layout import number_label


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公开")
    INTERNAL = "internal", _("内部")


class Series(models.Model):
    name = CleanCharField(_("简报名称"), max_length=100, unique=True)
    slug = models.SlugField(_("标识"), max_length=50, unique=True)
    issuing_office = CleanCharField(
        _("默认编发单位"),
        max_length=100,
        blank=True,
        help_text=_("例如：工投集团公司产改领导小组办公室"),
    )
    distribution_units = models.ManyToManyField(
        "units.Unit", verbose_name=_("默认抄送单位"), blank=True, related_name="+"
    )
    distribution_line = CleanCharField(
        _("默认抄送文字"), max_length=200, blank=True, help_text=_("例如：各直属单位、集团各部门")
    )
    ordering = models.PositiveIntegerField(_("排序"), default=100)

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name = _("简报系列")
        verbose_name_plural = _("简报系列")

    def __str__(self):
        return self.name


class IssueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Issue.Status.PUBLISHED)

    def public(self):
        return self.filter(visibility=Visibility.PUBLIC)

    def visible_to(self, user):
        """The one rule for who sees which issue (DESIGN.md, "Who may see").

        Office staff see every issue in every state; other signed-in users see
        published issues, public and internal; anonymous visitors see published
        public issues only.
        """
        audience = issue_audience(user)
        if audience == OFFICE:
            return self.all()
        if audience == MEMBERS:
            return self.published()
        return self.published().public()


# issue_audience's answers.
OFFICE, MEMBERS, ANYONE = "office", "members", "anyone"


def issue_audience(user) -> str:
    """Who ``user`` is to ``IssueQuerySet.visible_to``, the only thing it branches on:
    ``OFFICE`` (every issue in every state), ``MEMBERS`` (signed in and active: the
    published issues, internal ones included) or ``ANYONE`` (anyone else, anonymous
    visitors first: the published public issues). A key for SQL compiled once per audience (portal/kept_sql.py)."""
    if _is_office(user):
        return OFFICE
    if user is not None and user.is_authenticated and user.is_active:
        return MEMBERS
    return ANYONE


def sees_internal_issues(user) -> bool:
    """Whether ``user`` reads internal issues once published (``visible_to``'s rule):
    office staff and every other signed-in, active user; not anonymous visitors."""
    return issue_audience(user) != ANYONE


class Issue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SCHEDULED = "scheduled", _("定时发布")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    series = models.ForeignKey(
        Series, verbose_name=_("简报系列"), on_delete=models.PROTECT, related_name="issues"
    )
    year = models.PositiveSmallIntegerField(_("年度"), help_text=_("例如：2020"))
    number = models.PositiveSmallIntegerField(
        _("期号"), null=True, blank=True, help_text=_("当年第几期，例如 4 表示第四期")
    )
    total_number = models.PositiveIntegerField(_("总期号"), null=True, blank=True)
    title = CleanCharField(_("标题"), max_length=200)
    issue_date = models.DateField(_("出刊日期"), null=True, blank=True)
    printed_on = models.DateField(_("印发日期"), null=True, blank=True)
    issuing_office = CleanCharField(_("编发单位"), max_length=100, blank=True)
    distribution = models.ManyToManyField(
        "units.Unit", verbose_name=_("抄送单位"), blank=True, related_name="distributed_issues"
    )
    distribution_line = CleanCharField(
        _("抄送文字"), max_length=200, blank=True, help_text=_("例如：各直属单位、集团各部门")
    )
    summary = CleanTextField(_("摘要"), blank=True)
    cover = models.ImageField(
        _("封面图片"), storage=private_storage, upload_to=UploadTo("covers"), blank=True
    )
    cover_thumbnail = models.ImageField(
        _("封面缩略图"),
        storage=private_storage,
        upload_to=UploadTo("covers"),
        blank=True,
        editable=False,
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    publish_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    visibility = models.CharField(
        _("可见范围"), max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    # The office's own print-ready file; when present readers download it
    # instead of the generated PDF.
    official_pdf = models.FileField(
        _("正式版 PDF"), storage=private_storage, upload_to=UploadTo("official-pdf"), blank=True
    )
    # Cache of the generated PDF and the content key it was made from.
    generated_pdf = models.FileField(
        storage=private_storage, upload_to=UploadTo("generated-pdf"), blank=True, editable=False
    )
    generated_pdf_key = models.CharField(max_length=64, blank=True, editable=False)
    # A digest of everything the PDF shows, kept up to date when the issue, its
    # articles, attachments or distribution are saved (bulletins/pdf_signals.py):
    # downloads read it instead of hashing the content again. "" = compute.
    pdf_content_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最后修改人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    history = HistoricalRecords(
        excluded_fields=["generated_pdf", "generated_pdf_key", "pdf_content_digest"]
    )
    objects = IssueQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-year", "-number", "-id"]
        verbose_name = _("简报期次")
        verbose_name_plural = _("简报期次")
        permissions = [("publish_issue", _("可以发布、定时发布和撤回简报"))]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "number"],
                name="unique_issue_number",
                violation_error_message=_("该简报本年度已有同一期号。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_has_published_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(publish_at__isnull=False),
                name="scheduled_has_publish_at",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | Q(withdrawn_at__isnull=False),
                name="withdrawn_has_withdrawn_at",
            ),
        ]
        indexes = [
            # The reading list: published issues in the list's order, read from the
            # index alone (visibility last, for the anonymous list's filter; no
            # INCLUDE, which SQLite lacks).
            models.Index(
                fields=["status", "-issue_date", "-year", "-number", "-id", "visibility"],
                name="issue_list_order",
            )
        ]

    def __str__(self):
        return f"{self.series.name} {self.number_label}" if self.series_id else self.title

    def get_absolute_url(self):
        """The reader page; the office also sees drafts there (the preview)."""
        return reverse("bulletins:issue_detail", args=[self.pk])

    @property
    def number_label(self) -> str:
        """第四期 (year-numbered, in Chinese numerals as printed)."""
        if not self.number:
            return ""
        return _("%(year)s年%(number)s") % {"year": self.year, "number": number_label(self.number)}

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def clean(self):
        """Keep what publishing checked: a scheduled or published issue cannot lose it in a form."""
        super().clean()
        errors = {}
        if self.status != self.Status.DRAFT:
            required = {
                "number": _("已定时发布或已发布的简报必须有期号。"),
                "issue_date": _("已定时发布或已发布的简报必须有出刊日期。"),
                "printed_on": _("已定时发布或已发布的简报必须有印发日期。"),
            }
            for field, message in required.items():
                if getattr(self, field) in (None, ""):
                    errors[field] = ValidationError(message, code="required_after_publish")
        if self.status == self.Status.SCHEDULED and not self.publish_at:
            errors["publish_at"] = ValidationError(
                _("定时发布的简报必须有发布时间；如要取消定时，请使用“撤回”操作。"),
                code="publish_at_required",
            )
        if errors:
            raise ValidationError(errors)


class Article(models.Model):
    issue = models.ForeignKey(
        Issue, verbose_name=_("期次"), on_delete=models.CASCADE, related_name="articles"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = CleanCharField(_("标题"), max_length=200)
    body = RichTextField(_("正文"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("文章")
        verbose_name_plural = _("文章")

    def __str__(self):
        return self.title


class IssueReading(models.Model):
    """What the issue page shows of an issue's articles and files, stored at each save.

    Derived once per revision (bulletins/reading.py keeps it in step with every
    save and delete of an article or attachment and every change of the
    issue's meetings), so the page reads it with the issue in one query rather
    than cleaning every body again. An issue without a row (written around the
    models) is read from its articles and files instead.
    """

    issue = models.OneToOneField(
        Issue, on_delete=models.CASCADE, primary_key=True, related_name="reading"
    )
    # [[title, body as the page shows it (html.article_html)], …] in the issue's order.
    articles = models.JSONField(default=list)
    # [[pk, name, size in bytes], …]: the downloads (not the pictures of a body).
    attachments = models.JSONField(default=list)
    # Whether any meeting record names the issue (which of them a reader sees is
    # ``Meeting.objects.visible_to``'s to say): none, no query.
    has_meetings = models.BooleanField(default=False)

    def __str__(self):
        return str(self.issue_id)


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(issue__in=Issue.objects.visible_to(user))


class Attachment(models.Model):
    issue = models.ForeignKey(
        Issue, verbose_name=_("期次"), on_delete=models.CASCADE, related_name="attachments"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = CleanCharField(_("名称"), max_length=200, blank=True)
    file = models.FileField(_("文件"), storage=private_storage, upload_to=UploadTo("attachments"))
    original_name = CleanCharField(_("原文件名"), max_length=255, editable=False)
    size = models.PositiveBigIntegerField(_("大小（字节）"), default=0, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True, editable=False)
    # Pictures that belong to an article body (from Word import) rather than the
    # list of downloads.
    is_inline = models.BooleanField(_("正文插图"), default=False, editable=False)
    download_count = models.PositiveIntegerField(_("下载次数"), default=0, editable=False)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.title or self.original_name


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is not None and user.is_authenticated and user.is_active:
            return self.all()
        return self.filter(visibility=Visibility.PUBLIC)


class Meeting(models.Model):
    title = CleanCharField(_("会议名称"), max_length=200)
    starts_at = models.DateTimeField(_("会议时间"))
    place = CleanCharField(_("地点"), max_length=200, blank=True)
    chair = CleanCharField(_("主持"), max_length=100, blank=True)
    leaders_present = CleanTextField(_("出席领导"), blank=True)
    attendees = CleanTextField(_("参会人员"), blank=True)
    absent = CleanTextField(_("请假"), blank=True)
    observers = CleanTextField(_("列席"), blank=True)
    key_points = RichTextField(_("会议精神"), blank=True)
    issues = models.ManyToManyField(
        Issue, verbose_name=_("相关简报"), blank=True, related_name="meetings"
    )
    visibility = models.CharField(
        _("可见范围"), max_length=20, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("bulletins:meeting_detail", args=[self.pk])


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = CleanCharField(_("议程"), max_length=300)
    body = RichTextField(_("内容"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("议程")
        verbose_name_plural = _("议程")

    def __str__(self):
        return self.title


class ReadReceipt(models.Model):
    """One row per issue and unit: first view, first download, 签收."""

    issue = models.ForeignKey(
        Issue, verbose_name=_("期次"), on_delete=models.CASCADE, related_name="receipts"
    )
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="receipts"
    )
    first_viewed_at = models.DateTimeField(_("首次阅读"), null=True, blank=True)
    first_viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_downloaded_at = models.DateTimeField(_("首次下载"), null=True, blank=True)
    first_downloaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = UnitOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [
            models.UniqueConstraint(fields=["issue", "unit"], name="one_receipt_per_issue_unit")
        ]

    def __str__(self):
        return f"{self.issue} · {self.unit}"


class IssueYearCount(models.Model):
    """How many published issues a year holds, per visibility, series and year of issue
    date: stored on every save or delete of an issue (bulletins/year_counts.py) and read
    by the reading list's year links, page count and series choices instead of counting
    the issues on each request, and by its deep pages to start from the right year of
    issue date (the list's first order) instead of walking every newer issue."""

    year = models.PositiveSmallIntegerField()
    # The year of the issue date (0: no issue date).
    issue_year = models.PositiveSmallIntegerField(default=0)
    visibility = models.CharField(max_length=20, choices=Visibility.choices)
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "issue_year", "visibility", "series"],
                name="one_count_per_year_date_series",
            )
        ]

    def __str__(self):
        return f"{self.year} ({self.issue_year}) {self.visibility}: {self.count}"
