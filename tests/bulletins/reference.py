"""The reference issue (2020 第四期) built from its text, for the PDF and ZIP tests and bench/."""

import datetime as dt
import re
from html import escape
from pathlib import Path

from django.utils import timezone

from bulletins.models import Article, Issue, Series, Visibility

# The same file the demo loads (bulletins/demo.py).
TEXT_FILE = (
    Path(__file__).resolve().parents[2] / "bulletins" / "demo_content" / "bulletin-2020-no4.txt"
)

SERIES = "市工投集团产业工人队伍建设改革简报"
OFFICE = "工投集团公司产改领导小组办公室"
TITLE = "全市产业工人队伍建设改革试点工作部署推进会议主要精神"
DISTRIBUTION = "各直属单位、集团各部门"

LEVEL1 = re.compile(r"^[一二三四五六七八九十]+、")
LEVEL2 = re.compile(r"^（[一二三四五六七八九十]+）")


def reference_paragraphs() -> list[str]:
    """The body paragraphs of the reference text, page-break splits joined again.

    The text file keeps the printed page breaks: a paragraph that does not end
    a sentence continues in the next block.
    """
    blocks = [b.strip() for b in TEXT_FILE.read_text(encoding="utf-8").split("\n\n")]
    blocks = [b for b in blocks if b]
    start = next(i for i, b in enumerate(blocks) if b.startswith("6月1日"))
    end = next(i for i, b in enumerate(blocks) if b.startswith("抄送"))
    paragraphs: list[str] = []
    for block in blocks[start:end]:
        block = block.replace("\n", "")
        continues = (
            paragraphs
            and paragraphs[-1][-1] not in "。：；！？”）"
            and not LEVEL1.match(paragraphs[-1])
            and not LEVEL2.match(paragraphs[-1])
        )
        if continues:
            paragraphs[-1] += block
        else:
            paragraphs.append(block)
    return paragraphs


def reference_body_html() -> str:
    """The body as the admin stores it: 一、 and （一） as headings, the rest paragraphs."""
    html = []
    for paragraph in reference_paragraphs():
        if LEVEL1.match(paragraph):
            html.append(f"<h2>{escape(paragraph)}</h2>")
        elif LEVEL2.match(paragraph):
            html.append(f"<h3>{escape(paragraph)}</h3>")
        else:
            html.append(f"<p>{escape(paragraph)}</p>")
    return "\n".join(html)


def make_series(name: str = SERIES) -> Series:
    series, _ = Series.objects.get_or_create(
        name=name,
        defaults={
            "slug": f"s{Series.objects.count() + 1}",
            "issuing_office": OFFICE,
            "distribution_line": DISTRIBUTION,
        },
    )
    return series


def make_issue(
    *,
    series: Series | None = None,
    year: int = 2020,
    number: int | None = 4,
    title: str = TITLE,
    body: str = "<p>正文。</p>",
    status: str = Issue.Status.PUBLISHED,
    visibility: str = Visibility.PUBLIC,
    **fields,
) -> Issue:
    """An issue with one article, put straight in the wanted state (tests only)."""
    now = timezone.now()
    values = {
        "issue_date": dt.date(year, 6, 2),
        "printed_on": dt.date(year, 6, 2),
        "issuing_office": OFFICE,
        "distribution_line": DISTRIBUTION,
        "published_at": now if status in (Issue.Status.PUBLISHED, Issue.Status.WITHDRAWN) else None,
        "withdrawn_at": now if status == Issue.Status.WITHDRAWN else None,
        "publish_at": now + dt.timedelta(days=1) if status == Issue.Status.SCHEDULED else None,
    }
    values.update(fields)
    issue = Issue.objects.create(
        series=series or make_series(),
        year=year,
        number=number,
        title=title,
        status=status,
        visibility=visibility,
        **values,
    )
    Article.objects.create(issue=issue, order=1, title=title, body=body)
    return issue


def make_reference_issue(**fields) -> Issue:
    return make_issue(body=reference_body_html(), **fields)


def edit_body(issue: Issue, body: str) -> None:
    """Change the first article's body as the admin does (a save, so the PDF digest follows)."""
    article = issue.articles.order_by("order", "id").first()
    article.body = body
    article.save()
