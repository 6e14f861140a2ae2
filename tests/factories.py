"""The one place the test suite builds rows: units and users, bulletins, tasks, files.

Rows are put in the wanted state with the ORM (status and its timestamps set
directly), not through the services, so a test of a reader stands on its own;
tests of a transition call the service themselves. Dates are fixed (2020 for
bulletins) or relative to ``timezone.localdate()``, which the ``today`` fixture
(tests/conftest.py) pins to the middle of a month.
"""

import datetime as dt
import io
import itertools

import factory
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from bulletins.models import AgendaItem, Article, Attachment, Issue, Meeting, Series, Visibility
from portal.units.models import Unit
from tasks.models import Assignment, Plan, ProgressReport, Task

PASSWORD = "test-pass-123"
PUBLIC = Visibility.PUBLIC
INTERNAL = Visibility.INTERNAL
OFFICE_NAME = "工投集团公司产改领导小组办公室"
SERIES_NAME = "市工投集团产业工人队伍建设改革简报"
DISTRIBUTION_LINE = "各直属单位、集团各部门"

_numbers = itertools.count(1)
NEXT = object()  # make_issue(number=NEXT): the next free number; number=None: unnumbered


# --- files -----------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def png_bytes(size=(8, 8), color=(230, 0, 18)) -> bytes:
    """A small valid PNG."""
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def pdf(name="材料.pdf", content=PDF) -> SimpleUploadedFile:
    """An uploaded PDF, as a form or a service receives it."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png(name="现场.png") -> SimpleUploadedFile:
    """An uploaded PNG picture."""
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


# --- units and users ---------------------------------------------------------------


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试单位{n}")
    short_name = factory.Sequence(lambda n: f"单位{n}")
    kind = Unit.Kind.DIRECT
    liaison = "联络员"
    email = factory.Sequence(lambda n: f"unit{n}@example.cn")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    unit = factory.SubFactory(UnitFactory)
    is_staff = False

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


# --- bulletins ---------------------------------------------------------------------


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ("name",)

    name = SERIES_NAME
    slug = factory.Sequence(lambda n: f"series-{n}")
    issuing_office = OFFICE_NAME
    distribution_line = DISTRIBUTION_LINE


class IssueFactory(factory.django.DjangoModelFactory):
    """A complete draft, as the office writes it: number, dates, one article (``articles=0``
    for none), ``distribution=[units]``. Move it on with ``bulletins.services``."""

    class Meta:
        model = Issue
        skip_postgeneration_save = True

    series = factory.SubFactory(SeriesFactory)
    year = 2020
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"产改工作推进会议主要精神（{n}）")
    issue_date = dt.date(2020, 6, 2)
    printed_on = dt.date(2020, 6, 2)
    issuing_office = OFFICE_NAME
    distribution_line = DISTRIBUTION_LINE
    visibility = Visibility.PUBLIC

    @factory.post_generation
    def articles(self, create, extracted, **kwargs):
        count = 1 if extracted is None else extracted
        for i in range(count):
            Article.objects.create(
                issue=self, order=i + 1, title=f"文章{i + 1}", body="<p>会议指出。</p>"
            )

    @factory.post_generation
    def distribution(self, create, extracted, **kwargs):
        if extracted:
            self.distribution.set(extracted)


GENERIC_BODY = "<h2>一、总体要求</h2><p>会议指出，要抓好改革任务落实。</p>"


def make_issue(
    state: str = "published",
    visibility: str = PUBLIC,
    *,
    series: Series | None = None,
    year: int = 2020,
    number=NEXT,
    title: str | None = None,
    issue_date: dt.date | None = None,
    body: str | None = None,
    articles: int | list[tuple[str, str]] | None = None,
    attachment: str | None = None,
    **fields,
) -> Issue:
    """An issue put straight into ``state`` (draft, scheduled, published, withdrawn).

    Articles: ``body`` gives one article titled like the issue; ``articles`` is a
    count of generic articles (第1篇文章 …) or a list of (title, body); by default
    one generic article. ``attachment`` names a downloadable attachment (its
    original name). Other ``fields`` are set on the issue as given.
    """
    series = series or SeriesFactory()
    number = next(_numbers) if number is NEXT else number
    now = timezone.now()
    lifecycle = {
        "draft": {},
        "scheduled": {"publish_at": now + dt.timedelta(days=1)},
        "published": {"published_at": now},
        "withdrawn": {"published_at": now - dt.timedelta(days=1), "withdrawn_at": now},
    }[state]
    issue_date = issue_date or dt.date(year, 6, 2)
    title = title or f"{year}年第{number or ''}期测试简报"
    values = {
        "printed_on": issue_date,
        "issuing_office": series.issuing_office or OFFICE_NAME,
        "distribution_line": series.distribution_line,
        **lifecycle,
        **fields,
    }
    issue = Issue.objects.create(
        series=series,
        year=year,
        number=number,
        title=title,
        issue_date=issue_date,
        status=state,
        visibility=visibility,
        **values,
    )
    if body is not None:
        pieces = [(title, body)]
    elif isinstance(articles, list):
        pieces = articles
    else:
        count = 1 if articles is None else articles
        pieces = [(f"第{n}篇文章", GENERIC_BODY) for n in range(1, count + 1)]
    for order, (article_title, article_body) in enumerate(pieces):
        Article.objects.create(issue=issue, order=order, title=article_title, body=article_body)
    if attachment:
        make_attachment(issue, name=attachment)
    return issue


def make_attachment(
    issue: Issue,
    *,
    name: str = "会议讲话稿.pdf",
    content: bytes = b"%PDF-1.4\n% test attachment\n",
    content_type: str = "application/pdf",
    inline: bool = False,
    title: str = "",
) -> Attachment:
    """A file of ``issue`` in the private store; ``inline`` for a picture of an article body."""
    attachment = Attachment(
        issue=issue,
        title=title,
        original_name=name,
        size=len(content),
        content_type=content_type,
        is_inline=inline,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


def make_image(issue: Issue, *, name: str = "现场照片.png") -> Attachment:
    """A picture of an article body (an inline attachment)."""
    return make_attachment(
        issue, name=name, content=png_bytes(), content_type="image/png", inline=True
    )


def add_cover(issue: Issue) -> Issue:
    """Give ``issue`` a cover thumbnail."""
    issue.cover_thumbnail.save("cover.png", ContentFile(png_bytes((60, 80))), save=False)
    Issue.objects.filter(pk=issue.pk).update(cover_thumbnail=issue.cover_thumbnail.name)
    return issue


def make_meeting(
    visibility: str = PUBLIC,
    *,
    title: str = "全市产改试点工作部署推进会",
    key_points: str = "",
    agenda=(),
    day: dt.date | None = None,
    **fields,
) -> Meeting:
    """A meeting record (会议纪要) held at 9:00 on ``day`` (1 June 2020 by default)."""
    starts_at = timezone.make_aware(dt.datetime.combine(day or dt.date(2020, 6, 1), dt.time(9)))
    values = {"starts_at": starts_at, "place": "市行政中心350会议室", "chair": "王家全", **fields}
    meeting = Meeting.objects.create(
        title=title, key_points=key_points, visibility=visibility, **values
    )
    for order, item in enumerate(agenda):
        AgendaItem.objects.create(meeting=meeting, order=order, title=item, body="")
    return meeting


# --- tasks ---------------------------------------------------------------------------


def make_plan(year: int = 2020, title: str | None = None, **fields) -> Plan:
    """The task list (年度任务清单) of ``year``; the same one when asked again."""
    return Plan.objects.get_or_create(
        year=year, title=title or f"{year}年度产改任务清单", defaults=fields
    )[0]


def make_task(
    plan: Plan,
    number: str = "1.1",
    *,
    due: dt.date | None = None,
    start: dt.date | None = None,
    category: str = "思想引领",
    title: str | None = None,
    requirement: str = "工作要求",
) -> Task:
    """A task of ``plan``, due in 30 days unless ``due`` is given."""
    return Task.objects.create(
        plan=plan,
        number=number,
        category=category,
        title=title or f"任务{number}",
        requirement=requirement,
        start_date=start,
        due_date=due or timezone.localdate() + dt.timedelta(days=30),
    )


def make_assignment(task: Task, unit: Unit, role: str = Assignment.Role.LEAD) -> Assignment:
    """``task`` assigned to ``unit``, pending receipt."""
    return Assignment.objects.create(task=task, unit=unit, role=role)


def acknowledged(assignment: Assignment, user) -> Assignment:
    """签收 of ``assignment`` by ``user``, through the service."""
    from tasks import services

    return services.acknowledge_assignment(assignment=assignment, by=user)


def make_report(assignment: Assignment, text: str, period: str = "2020-06") -> ProgressReport:
    """A submitted progress report, written straight to the table (search and lists)."""
    return ProgressReport.objects.create(
        assignment=assignment, period=period, text=text, submitted_at=timezone.now()
    )


# --- 信息报送 ------------------------------------------------------------------------


def make_category(name: str = "工作动态", ordering: int = 10):
    from bulletins.submissions.models import Category

    return Category.objects.get_or_create(name=name, defaults={"ordering": ordering})[0]


def make_submission(
    unit: Unit,
    state: str = "pending",
    *,
    title: str = "市人社局开展技能培训",
    body: str = "<p>全市开展职业技能培训，覆盖职工1200人。</p>",
    sent_at: dt.datetime | None = None,
    category=None,
    **fields,
):
    """A 信息 of ``unit`` put straight into ``state`` (draft, awaiting_signoff,
    signoff_returned, pending, returned, declined, adopted); sent states get ``sent_at``
    (now unless given)."""
    from bulletins.submissions.models import Submission

    unsent = {"draft", "awaiting_signoff", "signoff_returned"}
    when = None if state in unsent else (sent_at or timezone.now())
    return Submission.objects.create(
        unit=unit,
        category=category or make_category(),
        title=title,
        body=body,
        author="李敏",
        author_phone="0518-85800001",
        signer="张伟",
        status=state,
        sent_at=when,
        resent_at=when,
        **fields,
    )


def make_adoption(submission, level: str = "issue", *, issue=None, published_on=None):
    """An adoption of ``submission`` at ``level`` (本刊 needs ``issue``, made if missing)."""
    from bulletins.submissions.models import Adoption

    if level == "issue" and issue is None:
        issue = make_issue("draft", year=timezone.localdate().year)
    return Adoption.objects.create(
        submission=submission,
        level=level,
        issue=issue if level == "issue" else None,
        publication="江苏工运动态" if level != "issue" else "",
        published_on=published_on or timezone.localdate(),
    )
