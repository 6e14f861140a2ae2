"""Small factories for the reading-area tests: issues in any state, articles, files, meetings.

Issues are put in their state with the ORM (status, published_at, withdrawn_at),
not through the publish service, so these tests stand on their own.
"""

import io
import itertools
from datetime import date, timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from bulletins.models import Article, Attachment, Issue, Meeting, Series, Visibility

_numbers = itertools.count(1)

PUBLIC = Visibility.PUBLIC
INTERNAL = Visibility.INTERNAL


class SeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Series
        django_get_or_create = ("name",)

    name = "市工投集团产业工人队伍建设改革简报"
    slug = factory.Sequence(lambda n: f"series-{n}")
    issuing_office = "工投集团公司产改领导小组办公室"
    distribution_line = "各直属单位、集团各部门"


def make_issue(
    state: str = "published",
    visibility: str = PUBLIC,
    *,
    series=None,
    year: int = 2020,
    number: int | None = None,
    title: str | None = None,
    issue_date=None,
    articles: int = 1,
    **fields,
) -> Issue:
    """An issue in ``state`` (draft, scheduled, published, withdrawn) with ``articles`` articles."""
    series = series or SeriesFactory()
    number = number or next(_numbers)
    now = timezone.now()
    lifecycle = {
        "draft": {},
        "scheduled": {"publish_at": now + timedelta(days=1)},
        "published": {"published_at": now},
        "withdrawn": {"published_at": now - timedelta(days=1), "withdrawn_at": now},
    }[state]
    issue_date = issue_date or date(year, 6, 2)
    fields = {
        "printed_on": issue_date,
        "issuing_office": series.issuing_office,
        "distribution_line": series.distribution_line,
        **fields,
    }
    issue = Issue.objects.create(
        series=series,
        year=year,
        number=number,
        title=title or f"{year}年第{number}期测试简报",
        issue_date=issue_date,
        status=state,
        visibility=visibility,
        **lifecycle,
        **fields,
    )
    for order in range(articles):
        Article.objects.create(
            issue=issue,
            order=order,
            title=f"第{order + 1}篇文章",
            body="<h2>一、总体要求</h2><p>会议指出，要抓好改革任务落实。</p>",
        )
    return issue


def png_bytes(size=(8, 8), color=(230, 0, 18)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def make_attachment(
    issue,
    *,
    name: str = "会议讲话稿.pdf",
    content: bytes = b"%PDF-1.4\n% test attachment\n",
    content_type: str = "application/pdf",
    inline: bool = False,
    title: str = "",
) -> Attachment:
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


def make_image(issue, *, name: str = "现场照片.png") -> Attachment:
    return make_attachment(
        issue, name=name, content=png_bytes(), content_type="image/png", inline=True
    )


def add_cover(issue) -> Issue:
    issue.cover_thumbnail.save("cover.png", ContentFile(png_bytes((60, 80))), save=False)
    Issue.objects.filter(pk=issue.pk).update(cover_thumbnail=issue.cover_thumbnail.name)
    return issue


def make_meeting(visibility: str = PUBLIC, *, title: str = "全市产改试点工作部署推进会", **fields):
    fields.setdefault("starts_at", timezone.now() - timedelta(days=3))
    return Meeting.objects.create(title=title, visibility=visibility, **fields)
