"""Word files made by test code (python-docx): real documents and hostile ones."""

import io
import zipfile

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import Image


def png_bytes(size=(40, 30), color=(230, 0, 18)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    img = Image.new("RGB", (32, 24), (0, 90, 200))
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 35.0, 36.0)}  # GPS latitude
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def add_hyperlink(paragraph, url: str, text: str) -> None:
    part = paragraph.part
    r_id = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), r_id)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def bulletin_docx(*, picture: bytes | None = None, link: str | None = None) -> bytes:
    """A Word file like the office's: title, headings, paragraphs, a table, a picture."""
    doc = Document()
    doc.add_heading("全市产改工作推进会议主要精神", level=0)  # style "Title"
    doc.add_paragraph("6月1日，在市行政中心350会议室，召开了推进会。")
    doc.add_heading("一、会议传达了省试点工作会议精神", level=1)
    doc.add_paragraph("项雪龙在批示中指出，产业工人队伍建设改革是重大改革。")
    doc.add_heading("（一）回顾前期工作成效", level=2)
    p = doc.add_paragraph("一是工作推进更具合力。")
    p.add_run("加粗的话").bold = True
    doc.add_paragraph("二、市人社局等四家单位进行了交流发言。")  # unstyled numbered heading
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "单位"
    table.cell(0, 1).text = "联络员"
    table.cell(1, 0).text = "市人社局"
    table.cell(1, 1).text = "李敏"
    doc.add_picture(io.BytesIO(picture or png_bytes()), width=Cm(4))
    if link:
        add_hyperlink(doc.add_paragraph("详见："), link, "点这里")
    return save(doc)


def zip_bomb_docx() -> bytes:
    """A .docx whose document.xml inflates 1000-fold (a few KB on disk)."""
    real = zipfile.ZipFile(io.BytesIO(bulletin_docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in real.infolist():
            data = real.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<!--" + b"A" * 20_000_000 + b"--></w:body>")
            bomb.writestr(info.filename, data)
    return out.getvalue()


def replace_part(docx: bytes, name: str, data: bytes) -> bytes:
    real = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in real.infolist():
            new.writestr(info.filename, data if info.filename == name else real.read(info))
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"""
