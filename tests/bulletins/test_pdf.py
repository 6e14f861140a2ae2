"""The official-format PDF (bulletins/pdf.py): content, fonts, layout, and its cache."""

import io
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from PIL import Image

from bulletins import pdf, pdf_cache
from bulletins.models import Attachment, Issue, Visibility
from bulletins.pdf import LEFT_MARGIN, issue_pdf, pdf_key, render_issue_pdf
from bulletins.pdf_html import BODY_PITCH

from .pdf_checks import assert_in_order, font_runs, fonts_of, image_count, reader, text_of
from .reference import (
    DISTRIBUTION,
    OFFICE,
    SERIES,
    TITLE,
    edit_body,
    make_issue,
    make_reference_issue,
    reference_paragraphs,
)

_RENDERED: dict[str, bytes] = {}


@pytest.fixture
def reference_pdf(db):
    """The 2020 第四期 rendered once per test session for the layout tests."""
    if "reference" not in _RENDERED:
        issue = make_reference_issue(visibility=Visibility.INTERNAL)
        _RENDERED["reference"] = render_issue_pdf(issue)
    return _RENDERED["reference"]


@pytest.fixture
def count_renders(monkeypatch):
    """Counts calls of the real renderer (issue_pdf looks it up on the module)."""
    calls = []
    real = pdf_cache.render_issue_pdf

    def counting(issue):
        calls.append(issue.pk)
        return real(issue)

    monkeypatch.setattr(pdf_cache, "render_issue_pdf", counting)
    return calls


def png_bytes(size=(120, 80), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def add_picture(issue: Issue) -> Attachment:
    attachment = Attachment(issue=issue, title="示意图", original_name="示意图.png", is_inline=True)
    attachment.file.save("picture.png", ContentFile(png_bytes()), save=False)
    attachment.save()
    return attachment


# --- What the reference issue's PDF holds -----------------------------------------


def test_reference_issue_reads_in_order(reference_pdf):
    paragraphs = reference_paragraphs()
    middle = paragraphs[len(paragraphs) // 2]
    assert_in_order(
        text_of(reference_pdf),
        SERIES,
        "第四期",
        OFFICE,
        "2020年6月2日",
        TITLE,
        paragraphs[0][:30],  # beginning: 6月1日，在市行政中心350会议室…
        middle[:30],
        middle[-20:],
        paragraphs[-1][-20:],  # end: …作出新贡献。
        f"抄送：{DISTRIBUTION}。",
        f"{OFFICE}2020年6月2日印发",
    )


def test_every_font_is_embedded(reference_pdf):
    fonts = fonts_of(reference_pdf)
    assert fonts
    for name, font in fonts.items():
        assert font["files"] in (["/FontFile2"], ["/FontFile3"]), f"{name} is not embedded"
    assert not any("Helvetica" in name or "Times" in name for name in fonts)


def test_internal_issue_carries_its_classification(reference_pdf):
    first_page = text_of_page(reference_pdf, 0)
    assert first_page.startswith("内部资料注意保存")


def text_of_page(data, n):
    import re

    return re.sub(r"\s+", "", reader(data).pages[n].extract_text())


def test_headings_take_their_fonts(reference_pdf):
    pages = range(len(reader(reference_pdf).pages))
    runs = [run for page in pages for run in font_runs(reference_pdf, page)]

    def font_of(start):
        return next(font for text, font, _x, _y in runs if text.startswith(start))

    assert "Bold" in font_of("一、徐家保")  # 一、 黑体 (bold sans by default)
    assert "Bold" in font_of("1、")  # 1. 仿宋 bold: the run-in marker
    assert "Regular" in font_of("项雪龙在批示中指出")  # the rest of that paragraph
    assert "Regular" in font_of("6月1日")
    assert "Medium" in font_of("（一）")  # （一） 楷体 stand-in
    assert "Bold" in font_of("全市产业工人队伍")  # the centred title


def test_paragraphs_indent_two_characters(reference_pdf):
    runs = font_runs(reference_pdf, 0)
    first = next(r for r in runs if r[0].startswith("6月1日"))
    following = runs[runs.index(first) + 1]
    assert first[2] == pytest.approx(LEFT_MARGIN + 2 * BODY_PITCH, abs=0.5)
    assert following[2] == pytest.approx(LEFT_MARGIN, abs=0.5)
    assert following[3] < first[3]  # the next line, below


def test_body_sits_on_the_official_grid_of_28_characters_and_22_lines(reference_pdf):
    lines: dict[float, str] = {}
    for text, _font, _x, y in font_runs(reference_pdf, 5):  # a page of one long paragraph
        lines[round(y, 1)] = lines.get(round(y, 1), "") + text
    body = [t for y, t in lines.items() if y > pdf.BOTTOM_MARGIN - 1]
    full = [t for t in body if len(t.rstrip("，。、；：”")) == 28]
    assert len(full) >= 15, body
    assert max(len(t.rstrip("，。、；：”")) for t in body) == 28
    assert len(body) == 22
    pitch = sorted(lines)[-1] - sorted(lines)[-2]
    assert pitch == pytest.approx(225 / 25.4 * 72 / 22, abs=0.1)


def test_chinese_line_breaking(reference_pdf):
    """No line starts with closing punctuation (it hangs at the end of the line
    before), and paragraphs split across pages get no spaces between lines."""
    for page in range(len(reader(reference_pdf).pages)):
        lines: dict[float, str] = {}
        for text, _font, _x, y in font_runs(reference_pdf, page):
            if not re.fullmatch(r"— \d+ —", text):
                lines[round(y, 1)] = lines.get(round(y, 1), "") + text
        for line in lines.values():
            if line.startswith(
                ("内部资料", "简")
            ):  # 内部资料　注意保存, 简　报: ideographic spaces
                continue
            assert line[0] not in "，。、；：！？”）》", line
            assert " " not in line, line


def test_page_numbers_alternate_outside_the_type_area(reference_pdf):
    pages = reader(reference_pdf).pages
    assert len(pages) >= 4
    for n in (0, 1):
        runs = font_runs(reference_pdf, n)
        number = next(r for r in runs if r[0].replace(" ", "") == f"—{n + 1}—")
        assert number[3] < pdf.BOTTOM_MARGIN - 7 * 72 / 25.4  # below the type area
        if n % 2 == 0:  # odd page: right
            assert number[2] > LEFT_MARGIN + pdf.TYPE_WIDTH / 2
        else:
            assert number[2] < LEFT_MARGIN + pdf.TYPE_WIDTH / 2


def test_foot_block_is_on_the_last_page_only(reference_pdf):
    pages = reader(reference_pdf).pages
    assert "抄送" in pages[-1].extract_text()
    assert all("抄送" not in page.extract_text() for page in pages[:-1])


# --- Long issues, tables, pictures -------------------------------------------------


@pytest.mark.django_db
def test_thirty_page_issue_with_table_and_picture_renders():
    issue = make_issue(visibility=Visibility.PUBLIC)
    picture = add_picture(issue)
    reference = "".join(f"<p>{p}</p>" for p in reference_paragraphs())  # ~8 pages
    table = (
        "<table><thead><tr><th>单位</th><th colspan='2'>完成情况</th></tr></thead><tbody>"
        "<tr><td rowspan='2'>市人社局</td><td>技能培训</td><td>已完成</td></tr>"
        "<tr><td>职称评定</td><td>推进中</td></tr></tbody></table>"
    )
    img = f'<p><img src="/bulletins/{issue.pk}/images/{picture.pk}/" alt="示意图"></p>'
    issue.articles.update(body=reference * 2 + table + img + reference * 3)

    data = render_issue_pdf(issue)

    assert len(reader(data).pages) >= 30
    assert image_count(data) == 1
    text = text_of(data)
    assert_in_order(text, "单位完成情况", "市人社局", "技能培训已完成", "职称评定推进中")
    assert "内部资料" not in text  # a public issue carries no classification
    assert text.endswith("印发") or "印发" in text_of_page(data, len(reader(data).pages) - 1)


@pytest.mark.django_db
def test_pictures_come_only_from_this_issue():
    other = make_issue(number=5)
    foreign = add_picture(other)
    issue = make_issue(number=6)
    issue.articles.update(
        body=(
            f'<p>甲</p><img src="/bulletins/{other.pk}/images/{foreign.pk}/" alt="别期图片">'
            f'<img src="/bulletins/{issue.pk}/images/{foreign.pk}/">'
            '<img src="http://127.0.0.1:9/x.png" alt="外部图片">'
        )
    )
    data = render_issue_pdf(issue)
    assert image_count(data) == 0
    assert "〔别期图片〕" in text_of(data)


@pytest.mark.django_db
def test_user_text_is_printed_literally():
    issue = make_issue(title='<font name="Courier">标题</font>')
    issue.articles.update(
        title='<font name="Courier">标题</font>', body="<p>甲 &lt;b&gt; &amp; 乙</p>"
    )
    text = text_of(render_issue_pdf(issue))
    assert '<fontname="Courier">标题</font>' in text
    assert "甲<b>&乙" in text


@pytest.mark.django_db
def test_withdrawn_issue_is_marked():
    issue = make_issue(status=Issue.Status.WITHDRAWN)
    assert "已撤回" in text_of(render_issue_pdf(issue))


# --- The cache --------------------------------------------------------------------


@pytest.mark.django_db
def test_second_request_reuses_the_generated_pdf(count_renders):
    issue = make_issue()
    first = issue_pdf(issue)
    first_bytes = first.file.read()
    first.file.close()

    again = issue_pdf(Issue.objects.get(pk=issue.pk))
    again_bytes = again.file.read()
    again.file.close()

    assert count_renders == [issue.pk]
    assert again_bytes == first_bytes
    assert again.etag == first.etag
    assert first_bytes.startswith(b"%PDF-")
    issue.refresh_from_db()
    assert issue.generated_pdf_key == pdf_key(issue)
    assert issue.generated_pdf.name.startswith("generated-pdf/")


@pytest.mark.django_db
def test_an_edit_changes_the_pdf(count_renders, django_capture_on_commit_callbacks):
    issue = make_issue()
    before = issue_pdf(issue)
    before_bytes = before.file.read()
    before.file.close()
    old_name = Issue.objects.get(pk=issue.pk).generated_pdf.name

    edit_body(issue, "<p>修改后的正文。</p>")  # as the admin does: saved, not update()d
    with django_capture_on_commit_callbacks(execute=True):
        after = issue_pdf(Issue.objects.get(pk=issue.pk))
    after_bytes = after.file.read()
    after.file.close()

    assert len(count_renders) == 2
    assert after_bytes != before_bytes
    assert after.etag != before.etag
    assert "修改后的正文" in text_of(after_bytes)
    storage = Issue._meta.get_field("generated_pdf").storage
    assert not storage.exists(old_name)  # the stale file is removed


@pytest.mark.django_db
def test_withdrawal_regenerates(count_renders):
    issue = make_issue()
    issue_pdf(issue).file.close()
    issue.status, issue.withdrawn_at = Issue.Status.WITHDRAWN, issue.published_at
    issue.save()
    result = issue_pdf(Issue.objects.get(pk=issue.pk))
    data = result.file.read()
    result.file.close()
    assert len(count_renders) == 2
    assert "已撤回" in text_of(data)


@pytest.mark.django_db
def test_storing_the_cache_is_not_an_edit():
    issue = make_issue()
    updated_at = Issue.objects.get(pk=issue.pk).updated_at
    revisions = issue.history.count()
    issue_pdf(issue).file.close()
    issue.refresh_from_db()
    assert issue.updated_at == updated_at
    assert issue.history.count() == revisions


@pytest.mark.django_db
def test_office_upload_wins_over_the_generated_pdf(count_renders):
    issue = make_issue()
    issue.official_pdf.save("office.pdf", ContentFile(b"%PDF-1.7 the office's own file"))
    result = issue_pdf(issue)
    assert result.file.read() == b"%PDF-1.7 the office's own file"
    result.file.close()
    assert count_renders == []
    assert result.filename == f"{SERIES}2020年第四期.pdf"


@pytest.mark.django_db
def test_file_name_is_the_series_and_number():
    issue = make_issue()
    assert pdf.issue_filename(issue) == "市工投集团产业工人队伍建设改革简报2020年第四期.pdf"
    unnumbered = make_issue(number=None, title="特刊/增刊", status=Issue.Status.DRAFT)
    assert pdf.issue_filename(unnumbered) == f"{SERIES}特刊_增刊.pdf"


# --- Fonts from the setting ------------------------------------------------------


def make_cff_font(path, chars: str, family="PortalTestSerif"):
    """A CFF-outline OpenType font (what ReportLab cannot embed as such)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    names = {ord(c): f"uni{ord(c):04X}" for c in chars}
    order = [".notdef", "space", *names.values()]
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap({32: "space", **names})
    charstrings = {}
    for name in order:
        pen = T2CharStringPen(1000, None)
        if name != "space":
            pen.moveTo((100, 0))
            pen.lineTo((900, 0))
            pen.lineTo((900, 800))
            pen.lineTo((100, 800))
            pen.closePath()
        charstrings[name] = pen.getCharString()
    builder.setupCFF(f"{family}-Regular", {"FullName": family}, charstrings, {})
    builder.setupHorizontalMetrics({name: (1000, 100) for name in order})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=880, usWinAscent=880, usWinDescent=120)
    builder.setupPost()
    builder.save(str(path))


@pytest.mark.django_db
def test_configured_cff_font_is_converted_and_embedded(settings, tmp_path):
    font = tmp_path / "office-fangsong.otf"
    make_cff_font(font, "正文测试")
    issue = make_issue()
    default_key = pdf_key(issue)
    issue.articles.update(body="<p>正文测试</p>")
    settings.BULLETIN_PDF_FONTS = {"body": str(font)}

    data = render_issue_pdf(issue)

    fonts = fonts_of(data)
    ours = [name for name in fonts if "PortalTestSerif" in name]
    assert ours, fonts
    for name in ours:
        assert fonts[name]["files"] == ["/FontFile2"]
    body = next(r for r in font_runs(data) if r[0].startswith("正文测试"))
    assert "PortalTestSerif" in body[1]
    assert pdf_key(issue) != default_key  # a font change makes a new PDF


def test_unknown_font_role_is_refused(settings):
    from bulletins.pdf_fonts import font_specs

    settings.BULLETIN_PDF_FONTS = {"songti": "/nowhere.ttf"}
    with pytest.raises(ImproperlyConfigured):
        font_specs()
    settings.BULLETIN_PDF_FONTS = {"body": "/nowhere.ttf"}
    with pytest.raises(ImproperlyConfigured):
        font_specs()


@pytest.mark.django_db
def test_consecutive_renders_each_carry_their_own_characters():
    """Regression: ReportLab shared one font object per PostScript name across
    renders, so a second issue's new characters printed as blanks."""
    first = make_issue(number=5)
    first.articles.update(body="<p>修改后的正文。</p>")
    second = make_issue(number=6)
    second.articles.update(body="<p>甲乙丙丁。</p>")
    render_issue_pdf(first)
    text = text_of(render_issue_pdf(second))
    assert "第六期" in text
    assert "甲乙丙丁。" in text


@pytest.mark.django_db
def test_table_cell_taller_than_a_page_continues_on_the_next():
    """Regression: ReportLab refused a table row taller than the type area (LayoutError)."""
    issue = make_issue()
    long_text = "很长的单元格内容。" * 400
    issue.articles.update(
        body=f"<table><tr><th>项目</th><th>说明</th></tr><tr><td>甲</td><td>{long_text}</td></tr></table>"
    )
    data = render_issue_pdf(issue)
    assert len(reader(data).pages) >= 3
    text = text_of(data)  # page numbers may fall between characters of a sentence
    assert text.count("很") == text.count("容") == 400
