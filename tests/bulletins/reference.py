"""The reference issue (2020 第四期) built from its text, for the PDF and ZIP tests and bench/.

Rows are made by tests/factories.py; this module only gives them the reference's shape.
"""

import re
from html import escape
from pathlib import Path

from bulletins.models import Issue, Visibility
from tests import factories

# The same file the demo loads (bulletins/demo.py).
TEXT_FILE = (
    Path(__file__).resolve().parents[2] / "bulletins" / "demo_content" / "bulletin-2020-no4.txt"
)

SERIES = factories.SERIES_NAME
OFFICE = factories.OFFICE_NAME
DISTRIBUTION = factories.DISTRIBUTION_LINE
TITLE = "全市产业工人队伍建设改革试点工作部署推进会议主要精神"

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


def make_issue(
    *,
    number: int | None = 4,
    title: str = TITLE,
    body: str = "<p>正文。</p>",
    status: str = Issue.Status.PUBLISHED,
    visibility: str = Visibility.PUBLIC,
    **fields,
) -> Issue:
    """An issue shaped like the reference (2020 第四期, its title and office), in ``status``."""
    return factories.make_issue(status, visibility, number=number, title=title, body=body, **fields)


def make_reference_issue(**fields) -> Issue:
    return make_issue(body=reference_body_html(), **fields)


def edit_body(issue: Issue, body: str) -> None:
    """Change the first article's body as the admin does (a save, so the PDF digest follows)."""
    article = issue.articles.order_by("order", "id").first()
    article.body = body
    article.save()
