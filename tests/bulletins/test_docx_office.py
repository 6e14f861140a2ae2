"""Word files as offices make them: automatic numbering, titles, footnotes, pictures in
any format, and an import that fails leaving no empty article to publish (issue 14)."""

import io
import re
import struct

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from PIL import Image
from pypdf import PdfReader

from bulletins import docx_images, services
from bulletins.docx_import import read_docx
from bulletins.docx_xml import format_number
from bulletins.models import Article, Attachment, Issue
from tests.factories import IssueFactory
from tests.office_files import FIXTURES, rewrite

from .docx_files import png_bytes
from .test_docx_import import _post_article_with_word

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def upload(data: bytes, name: str = "简报.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def body(*paragraphs: str) -> bytes:
    """document.xml of the given <w:p> elements (written in the w: namespace)."""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{"".join(paragraphs)}<w:sectPr/></w:body>'
        f"</w:document>"
    ).encode()


def para(text: str, *, num: tuple[int, int] | None = None, style: str | None = None) -> str:
    props = ""
    if style:
        props += f'<w:pStyle w:val="{style}"/>'
    if num:
        props += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    return f'<w:p><w:pPr>{props}</w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def numbering(*abstracts: str, nums: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:numbering xmlns:w="{W_NS}">{"".join(abstracts)}{nums}</w:numbering>'
    ).encode()


def level(ilvl: int, fmt: str, text: str, start: int = 1) -> str:
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


OFFICIAL = (
    '<w:abstractNum w:abstractNumId="7">'
    + level(0, "chineseCounting", "%1、")
    + level(1, "chineseCounting", "（%2）")
    + level(2, "decimal", "%3.")
    + level(3, "decimal", "(%4)")
    + "</w:abstractNum>"
)


def docx(document: bytes, numbering_xml: bytes | None = None, styles: bytes | None = None):
    """The shared numbering fixture with its parts replaced."""
    data = rewrite(fixture("numbering-auto-cn.docx"), "word/document.xml", lambda _: document)
    if numbering_xml is not None:
        data = rewrite(data, "word/numbering.xml", lambda _: numbering_xml)
    if styles is not None:
        data = rewrite(data, "word/styles.xml", lambda _: styles)
    return data


# --- automatic numbering -----------------------------------------------------------------


def test_shared_file_numbered_by_word():
    doc = read_docx(upload(fixture("numbering-auto-cn.docx")))
    assert doc.title == "测试简报正文"
    html = doc.html
    assert "<h2>一、工作进展情况</h2>" in html and "<h2>二、下一步工作安排</h2>" in html
    # The list goes on after the paragraph that interrupts it.
    numbers = re.findall(r">(\d)\.", html)
    assert numbers == ["1", "2", "3"]
    assert "3.第三项任务内容" in html
    assert "<ol" not in html and "<li>" not in html


def test_four_official_levels_with_restarts_and_continuation():
    document = body(
        para("总体要求", num=(1, 0)),
        para("提高认识", num=(1, 1)),
        para("加强领导", num=(1, 2)),
        para("明确分工", num=(1, 3)),
        para("压实责任", num=(1, 3)),
        para("强化督查", num=(1, 2)),
        para("一段插在中间的正文。"),
        para("完善机制", num=(1, 1)),
        para("细化措施", num=(1, 2)),
        para("主要任务", num=(1, 0)),
    )
    nums = '<w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num>'
    html = read_docx(upload(docx(document, numbering(OFFICIAL, nums=nums)))).html
    assert re.findall(r"<h(\d)>([^<]*)</h\1>", html) == [
        ("2", "一、总体要求"),
        ("3", "（一）提高认识"),
        ("4", "1.加强领导"),
        ("5", "(1)明确分工"),
        ("5", "(2)压实责任"),
        ("4", "2.强化督查"),
        ("3", "（二）完善机制"),
        ("4", "1.细化措施"),  # a deeper level restarts under a new parent
        ("2", "二、主要任务"),
    ]


def test_start_values_overrides_and_bullets():
    abstracts = (
        '<w:abstractNum w:abstractNumId="1">'
        + level(0, "decimal", "%1.", start=5)
        + "</w:abstractNum>"
        '<w:abstractNum w:abstractNumId="2">' + level(0, "bullet", "•") + "</w:abstractNum>"
    )
    nums = (
        '<w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        '<w:num w:numId="3"><w:abstractNumId w:val="2"/></w:num>'
    )
    document = body(
        para("第五项", num=(1, 0)),
        para("第六项", num=(1, 0)),
        para("重新开始的清单", num=(2, 0)),
        para("要点甲", num=(3, 0)),
        para("要点乙", num=(3, 0)),
        para("长" * 80, num=(2, 0)),  # too long for a heading: a paragraph keeping its number
    )
    html = read_docx(upload(docx(document, numbering(abstracts, nums=nums)))).html
    assert "5.第五项" in html and "6.第六项" in html
    assert "1.重新开始的清单" in html
    assert "<ul><li>要点甲</li><li>要点乙</li></ul>" in html  # bullets stay a list
    assert "<p>2." + "长" * 80 + "</p>" in html


def test_numbering_from_a_heading_style():
    styles = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W_NS}">'
        '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/>'
        '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>'
    ).encode()
    nums = '<w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num>'
    document = body(para("标题一", style="1"), para("正文。"), para("标题二", style="1"))
    html = read_docx(upload(docx(document, numbering(OFFICIAL, nums=nums), styles))).html
    assert "<h2>一、标题一</h2>" in html and "<h2>二、标题二</h2>" in html


@pytest.mark.parametrize(
    ("n", "fmt", "shown"),
    [
        (1, "chineseCounting", "一"),
        (10, "chineseCounting", "十"),
        (12, "chineseCountingThousand", "十二"),
        (21, "chineseCounting", "二十一"),
        (3, "ideographTraditional", "丙"),
        (2, "decimalEnclosedCircle", "②"),
        (4, "upperRoman", "IV"),
        (28, "lowerLetter", "bb"),
        (7, "decimalZero", "07"),
        (3, "decimalFullWidth", "３"),
        (9, "unknownFormat", "9"),
    ],
)
def test_number_formats(n, fmt, shown):
    assert format_number(n, fmt) == shown


# --- the title -----------------------------------------------------------------------------


def title_docx(*, style=None, align=True, bold=False, size=None, first="全市产改工作推进会召开"):
    doc = Document()
    p = doc.add_paragraph(style=style)
    if align:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(first)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    doc.add_paragraph("一、会议要求")
    doc.add_paragraph("（一）提高认识")
    doc.add_paragraph("1.加强领导，各单位要落实责任。")
    doc.add_picture(io.BytesIO(png_bytes()), width=Cm(3))
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "单位"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("kwargs", "title"),
    [
        ({"style": "Title", "align": False}, "全市产改工作推进会召开"),
        ({"style": "Heading 1", "align": False}, "全市产改工作推进会召开"),
        ({"bold": True}, "全市产改工作推进会召开"),  # LibreOffice: centred, bold
        ({"size": 22}, "全市产改工作推进会召开"),  # WPS: centred, 二号
        ({"size": 16}, ""),  # centred body text is not a title
        ({"bold": True, "align": False}, ""),
        ({"style": "Heading 1", "align": False, "first": "一、会议要求"}, ""),
    ],
)
def test_title_detection(kwargs, title):
    doc = read_docx(upload(title_docx(**kwargs)))
    assert doc.title == title
    if title:
        assert title not in doc.html  # taken out of the body
    assert "<h2>一、会议要求</h2>" in doc.html


@pytest.mark.django_db
def test_fifth_issue_from_libreoffice_gets_its_title_once(office_client):
    issue = IssueFactory()
    response = _post_article_with_word(office_client, issue, title_docx(bold=True), "第五期.docx")
    assert response.status_code == 302, response.context["errors"]
    article = Article.objects.get(issue=issue, order=2)
    assert article.title == "全市产改工作推进会召开"
    assert "全市产改工作推进会召开" not in article.body
    page = office_client.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert page.count("全市产改工作推进会召开") == 1
    pdf = office_client.get(reverse("bulletins:issue_pdf", args=[issue.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf))).pages)
    assert text.count("全市产改工作推进会召开") == 1


@pytest.mark.django_db
def test_typed_title_is_not_repeated_from_the_body(office_client):
    issue = IssueFactory()
    # The first line is not styled as a title, but repeats the title the office typed.
    data = title_docx(align=False, first="推进会议精神")
    response = _post_article_with_word(office_client, issue, data, title="推进会议精神")
    assert response.status_code == 302
    assert "推进会议精神" not in Article.objects.get(issue=issue, order=2).body
    # Rows stored before: the page drops a first line that repeats the title.
    Article.objects.filter(issue=issue, order=2).update(body="<p>推进会议精神</p><p>正文</p>")
    page = office_client.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert page.count("推进会议精神") == 1


# --- an import that fails leaves nothing to publish ----------------------------------------


@pytest.mark.django_db
def test_refused_save_says_to_choose_the_file_again(office_client):
    issue = IssueFactory()
    url = reverse("admin:bulletins_issue_change", args=[issue.pk])
    from .admin_forms_data import change_form_data

    data = change_form_data(office_client.get(url))
    n = data["articles-TOTAL_FORMS"]
    data.update(
        {
            "articles-TOTAL_FORMS": str(int(n) + 1),
            f"articles-{n}-order": "2",
            f"articles-{n}-title": "",
            f"articles-{n}-body": "",
            f"articles-{n}-word_file": upload(title_docx(bold=True)),
            "year": "",  # refused elsewhere on the page
        }
    )
    response = office_client.post(url, data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    notes = [str(e) for e in formset.forms[int(n)]["word_file"].errors]
    assert any("请重新选择" in e for e in notes)
    assert Article.objects.filter(issue=issue).count() == 1


@pytest.mark.django_db
def test_publishing_refuses_an_article_without_a_body(office_user):
    issue = IssueFactory()
    Article.objects.create(issue=issue, order=2, title="只有标题", body="<p><br></p>")
    with pytest.raises(ValidationError) as info:
        services.publish_issue(issue=issue, by=office_user)
    assert [e.code for e in info.value.error_list] == ["empty_article"]
    assert "第2篇文章没有正文" in info.value.messages[0]
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT
    Article.objects.filter(issue=issue, order=2).update(body="<p><img src='/x' alt='图'></p>")
    services.publish_issue(issue=issue, by=office_user)  # a picture alone is content


# --- footnotes and endnotes ------------------------------------------------------------------


def note_ids(html: str):
    refs = re.findall(r'<a href="#([\w-]+)" id="([\w-]+)"', html)
    notes = re.findall(r'<p id="([\w-]+)"><a href="#([\w-]+)"', html)
    return refs, notes


def test_footnote_and_its_reference_link_to_each_other():
    html = read_docx(upload(fixture("docx-footnote.docx"))).html
    ((ref_target, ref_id),) = note_ids(html)[0]
    ((note_id, back_target),) = note_ids(html)[1]
    assert ref_target == note_id and back_target == ref_id
    assert re.fullmatch(r"fn[0-9a-f]{8}-footnote-1", note_id)
    assert "[1]</a> 数据来源：市人社局2026年统计。" in html
    assert "↑" not in html
    other = read_docx(upload(fixture("docx-footnote.docx"))).html
    assert note_ids(other)[1][0][0] != note_id  # two imports never share an id


def test_endnotes_too():
    data = fixture("docx-footnote.docx")
    data = rewrite(
        data,
        "word/document.xml",
        lambda xml: xml.replace(b"footnoteReference", b"endnoteReference").replace(
            b"FootnoteReference", b"EndnoteReference"
        ),
    )
    notes = rewrite(data, "word/footnotes.xml", lambda xml: xml)
    endnotes = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:endnotes xmlns:w="{W_NS}">'
        '<w:endnote w:id="1"><w:p><w:r><w:t>尾注内容。</w:t></w:r></w:p></w:endnote></w:endnotes>'
    ).encode()
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(notes)) as source, zipfile.ZipFile(out, "w") as new:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rEnd" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/>'
                    b"</Relationships>",
                )
            new.writestr(info.filename, content)
        new.writestr("word/endnotes.xml", endnotes)
    html = read_docx(upload(out.getvalue())).html
    refs, notes_found = note_ids(html)
    assert refs and notes_found and refs[0][0] == notes_found[0][0]
    assert "endnote" in notes_found[0][0] and "尾注内容" in html and "↑" not in html


@pytest.mark.django_db
def test_footnote_on_the_page_and_in_the_pdf(office_client):
    issue = IssueFactory()
    response = _post_article_with_word(office_client, issue, fixture("docx-footnote.docx"))
    assert response.status_code == 302
    article = Article.objects.get(issue=issue, order=2)
    page = office_client.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    ((ref_target, ref_id),) = note_ids(article.body)[0]
    assert f'id="{ref_id}"' in page and f'id="{ref_target}"' in page
    assert f'href="#{ref_target}"' in page and f'href="#{ref_id}"' in page
    pdf = office_client.get(reverse("bulletins:issue_pdf", args=[issue.pk]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(pdf))).pages)
    assert "数据来源：市人社局2026年统计。" in text and "↑" not in text
    # The note is printed after the text that refers to it, at the end of the article.
    assert text.index("数据来源") > text.index("全年培训职工")


# --- pictures in any colour mode and format ------------------------------------------------


def encoded(mode: str, fmt: str, **save) -> bytes:
    colour = {"CMYK": (0, 200, 200, 0), "P": 3, "I;16": 40000, "RGBA": (230, 0, 18, 128)}
    img = Image.new(mode, (24, 16), colour.get(mode, (230, 0, 18) if mode == "RGB" else 200))
    out = io.BytesIO()
    img.save(out, format=fmt, **save)
    return out.getvalue()


def palette_gif() -> bytes:
    img = Image.new("RGB", (24, 16), (230, 0, 18)).convert("P", palette=Image.Palette.ADAPTIVE)
    out = io.BytesIO()
    img.save(out, format="GIF", transparency=255)  # a transparent index, unused here
    return out.getvalue()


def tiff_rgb48() -> bytes:
    """A 16-bit-per-channel RGB TIFF (scanners write these); Pillow cannot write one."""
    width, height = 4, 3
    pixels = struct.pack("<3H", 65535, 32768, 0) * (width * height)
    tags = [(256, 3, 1, width), (257, 3, 1, height), (258, 3, 3, 8 + 2 + 10 * 12 + 4),
            (259, 3, 1, 1), (262, 3, 1, 2), (273, 4, 1, 8 + 2 + 10 * 12 + 4 + 6),
            (277, 3, 1, 3), (278, 3, 1, height), (279, 4, 1, len(pixels)), (284, 3, 1, 1)]  # fmt: skip
    out = b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(tags))
    for tag, kind, count, value in tags:
        packed = (
            struct.pack("<HH", value, 0) if kind == 3 and count == 1 else struct.pack("<I", value)
        )
        out += struct.pack("<HHI", tag, kind, count) + packed
    return out + struct.pack("<I", 0) + struct.pack("<3H", 16, 16, 16) + pixels


def emf_bytes(width=200, height=100) -> bytes:
    """A small EMF: one red rectangle (MS-EMF records HEADER, brush, RECTANGLE, EOF)."""
    records = [
        struct.pack("<IIIIII", 39, 24, 1, 0, 0x0000FF, 0),  # EMR_CREATEBRUSHINDIRECT
        struct.pack("<III", 37, 12, 1),  # EMR_SELECTOBJECT
        struct.pack("<II4i", 43, 24, 10, 10, width - 10, height - 10),  # EMR_RECTANGLE
        struct.pack("<IIIII", 14, 20, 0, 16, 20),  # EMR_EOF
    ]
    data = b"".join(records)
    header = struct.pack(
        "<II4i4iIIIIHHIIIiiii", 1, 88, 0, 0, width - 1, height - 1, 0, 0,
        width * 2540 // 96, height * 2540 // 96, 0x464D4520, 0x10000, 88 + len(data),
        len(records) + 1, 2, 0, 0, 0, 0, 1024, 768, 271, 203,
    )  # fmt: skip
    return header + data


def wmf_bytes(width=200, height=100) -> bytes:
    """A small placeable WMF: one red rectangle (MS-WMF)."""

    def record(function, *words):
        return struct.pack("<IH", 3 + len(words), function) + struct.pack(f"<{len(words)}h", *words)

    data = b"".join(
        [
            record(0x020B, 0, 0),  # META_SETWINDOWORG
            record(0x020C, height, width),  # META_SETWINDOWEXT
            record(0x02FC, 0, 0x00FF, 0, 0),  # META_CREATEBRUSHINDIRECT (red)
            record(0x012D, 0),  # META_SELECTOBJECT
            record(0x041B, height - 10, width - 10, 10, 10),  # META_RECTANGLE
            struct.pack("<IH", 3, 0),  # META_EOF
        ]
    )
    header = struct.pack("<HHHIHIH", 1, 9, 0x0300, (18 + len(data)) // 2, 1, 7, 0)
    placeable = struct.pack("<IHhhhhHI", 0x9AC6CDD7, 0, 0, 0, width, height, 96, 0)
    checksum = 0
    for (word,) in struct.iter_unpack("<H", placeable):
        checksum ^= word
    return placeable + struct.pack("<H", checksum) + header + data


def docx_with(picture: bytes) -> bytes:
    """A Word file whose one picture is ``picture`` (any bytes Word may embed)."""
    doc = Document()
    doc.add_heading("有图的文章", level=0)
    doc.add_paragraph("正文。")
    doc.add_picture(io.BytesIO(png_bytes()), width=Cm(4))
    out = io.BytesIO()
    doc.save(out)
    return rewrite(out.getvalue(), "word/media/image1.png", lambda _: picture)


CONVERTERS = docx_images.vector_converters_installed()


@pytest.mark.parametrize(
    ("picture", "expected"),
    [
        (encoded("CMYK", "JPEG"), "JPEG"),
        (encoded("L", "JPEG"), "JPEG"),
        (encoded("CMYK", "TIFF"), "PNG"),
        (encoded("I;16", "TIFF"), "PNG"),
        (tiff_rgb48(), "PNG"),
        (encoded("RGB", "BMP"), "PNG"),
        (palette_gif(), "PNG"),
        (encoded("RGBA", "WEBP"), "PNG"),
        (encoded("RGBA", "PNG"), "PNG"),
        (encoded("I;16", "PNG"), "PNG"),
    ],
)
def test_pictures_become_rgb_png_or_jpeg(picture, expected):
    doc = read_docx(upload(docx_with(picture)))
    assert doc.skipped == [] and len(doc.images) == 1
    with Image.open(io.BytesIO(doc.images[0].data)) as img:
        assert img.format == expected and img.mode in ("RGB", "RGBA")
        assert img.size == (24, 16) or img.size == (4, 3)
        # Colour kept, not clipped to white or black.
        assert img.convert("RGB").getpixel((0, 0)) not in ((255, 255, 255), (0, 0, 0))


@pytest.mark.parametrize(("make", "kind"), [(emf_bytes, "EMF"), (wmf_bytes, "WMF")])
def test_vector_pictures_are_drawn(make, kind):
    if not CONVERTERS:
        if __import__("os").environ.get("CI"):
            pytest.fail("EMF/WMF converters missing under CI (make converters)")
        pytest.skip("EMF/WMF converters not installed (make converters)")
    doc = read_docx(upload(docx_with(make())))
    assert doc.skipped == []
    with Image.open(io.BytesIO(doc.images[0].data)) as img:
        assert img.format == "PNG" and img.width >= 150
        assert img.convert("RGB").getpixel((img.width // 2, img.height // 2))[0] > 200  # red


@pytest.mark.parametrize(
    ("picture", "kind"),
    [(emf_bytes(), "EMF"), (wmf_bytes(), "WMF"), (b"\x00\x01broken picture", "未知格式")],
)
def test_pictures_that_cannot_be_converted_are_named(monkeypatch, picture, kind):
    monkeypatch.setattr(docx_images.shutil, "which", lambda _name: None)  # no converter
    doc = read_docx(upload(docx_with(picture)))
    assert doc.images == [] and doc.skipped == [f"第1张图片（{kind}）"]
    assert f"第1张图片（{kind}）无法转换" in doc.skipped_message()


@pytest.mark.django_db
def test_admin_names_the_picture_left_out(office_client, monkeypatch):
    monkeypatch.setattr(docx_images.shutil, "which", lambda _name: None)
    issue = IssueFactory()
    response = _post_article_with_word(office_client, issue, docx_with(emf_bytes()))
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("第1张图片（EMF）无法转换" in m for m in messages)
    assert "正文" in Article.objects.get(issue=issue, order=2).body
    assert not Attachment.objects.filter(issue=issue, is_inline=True).exists()
