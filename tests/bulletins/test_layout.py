"""What the page, the PDF, the ZIP and search print alike (bulletins/layout.py)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bulletins.layout import (
    chinese_date,
    chinese_datetime,
    distribution_text,
    masthead_lines,
    number_label,
    number_line,
    printed_text,
    total_number_label,
)
from bulletins.pdf import render_issue_pdf
from tests.factories import SeriesFactory, make_issue

from .pdf_checks import font_runs

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    "name, lines",
    [
        pytest.param(
            "市工投集团产业工人队伍建设改革简报",
            ("市工投集团产业工人队伍建设改革", "简报"),
            id="the usual 简报",
        ),
        pytest.param(
            "市工投集团产改工作简报",
            ("市工投集团产改", "工作简报"),
            id="工作简报 is the longer kind and wins over 简报",
        ),
        pytest.param("市总工会产改专报", ("市总工会产改", "专报"), id="专报"),
        pytest.param("产改通讯", ("产改", "通讯"), id="通讯"),
        pytest.param("简报", ("", "简报"), id="nothing but the kind: one line"),
        pytest.param("工作简报", ("", "工作简报"), id="nothing but the long kind: one line"),
        pytest.param("产改工作动态", ("", "产改工作动态"), id="no kind: one line"),
    ],
)
def test_masthead_lines(name, lines):
    assert masthead_lines(name) == lines


@pytest.mark.parametrize(
    "number, total, labels",
    [
        pytest.param(4, 35, ("第四期", "总第35期", "第四期（总第35期）"), id="both numbers"),
        pytest.param(12, None, ("第十二期", "", "第十二期"), id="no running number"),
        pytest.param(None, 35, ("", "总第35期", ""), id="unnumbered draft prints no line"),
        pytest.param(None, None, ("", "", ""), id="neither"),
    ],
)
def test_number_labels(number, total, labels):
    assert (number_label(number), total_number_label(total), number_line(number, total)) == labels


@pytest.mark.parametrize(
    "line, units, printed",
    [
        pytest.param(
            "各直属单位、集团各部门", ["市人社局"], "各直属单位、集团各部门。", id="free text wins"
        ),
        pytest.param("", ["市人社局", "市财政局"], "市人社局、市财政局。", id="units joined by 、"),
        pytest.param("各直属单位，", [], "各直属单位。", id="trailing punctuation becomes one 。"),
        pytest.param("  ", [], "", id="nothing to print"),
    ],
)
def test_distribution_text(line, units, printed):
    assert distribution_text(line, units) == printed


def test_chinese_dates(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    assert chinese_date(date(2020, 6, 2)) == "2020年6月2日"
    assert chinese_date(None) == ""
    # 2020-06-01 20:30 UTC is already 2 June in Shanghai: the local date prints.
    late = datetime(2020, 6, 1, 20, 30, tzinfo=ZoneInfo("UTC"))
    assert chinese_date(late) == "2020年6月2日"
    assert chinese_datetime(late) == "2020年6月2日 04:30"
    assert chinese_datetime(None) == ""
    assert printed_text(chinese_date(date(2020, 6, 2))) == "2020年6月2日印发"
    assert printed_text("") == ""


def _web_masthead(html: str) -> list[str]:
    header = html[html.index('class="doc-masthead"') : html.index("doc-masthead__number")]
    return re.findall(r'class="doc-masthead__(?:org|kind)">([^<]*)<', header)


def _pdf_masthead(data: bytes) -> list[str]:
    """The red title lines: the runs in the title face above 第N期."""
    runs = font_runs(data)
    lines = []
    for text, _font, _x, _y in runs:
        if text.startswith("第") and text.endswith("期"):
            break
        lines.append(re.sub(r"\s", "", text))  # the PDF spaces 简　报 out
    return lines


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("市工投集团产改工作简报", id="…工作简报"),
        pytest.param("市工投集团产业工人队伍建设改革简报", id="…简报"),
        pytest.param("产改工作动态", id="no kind"),
    ],
)
def test_page_and_pdf_split_the_masthead_alike(db, anon_client, name):
    issue = make_issue("published", series=SeriesFactory(name=name, slug="split"), number=4)
    page = anon_client.get(f"/bulletins/{issue.pk}/").content.decode()
    on_screen = _web_masthead(page)
    on_paper = _pdf_masthead(render_issue_pdf(issue))
    assert on_screen == on_paper == [line for line in masthead_lines(name) if line]
