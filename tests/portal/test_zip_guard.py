"""The zip-bomb guard (portal/files.py, check_zip): real office files pass, real bombs
do not, and a bomb is refused before any parser inflates it."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from bulletins import docx_import
from bulletins.docx_import import read_docx
from portal import files
from portal.files import ZIP_MAX_RATIO, check_zip, validate_upload
from tasks import services, xlsx
from tasks.xlsx import TASK_COLUMNS
from tests.office_files import FIXTURES, rewrite

MB = 1024 * 1024


def ratio(data: bytes, name: str) -> float:
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    return info.file_size / info.compress_size


def task_sheet(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(TASK_COLUMNS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def duplicate_formats(styles: bytes, count: int = 1500) -> bytes:
    """What Excel leaves after years of copy and paste: the same cell format over and over."""
    xf = b'<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"/>'

    def grow(match):
        return b'<cellXfs count="%d">' % (int(match.group(1)) + count) + xf * count

    return re.sub(rb'<cellXfs count="(\d+)">', grow, styles)


def streamed_bomb(names: dict[str, bytes], big: str, *, size: int) -> bytes:
    """A real bomb: entry ``big`` inflates to ``size`` bytes of one repeated byte."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in names.items():
            z.writestr(name, data)
        with z.open(big, "w", force_zip64=True) as entry:
            chunk = b"A" * MB
            for _ in range(size // MB):
                entry.write(chunk)
    return out.getvalue()


def test_blank_scanned_page_is_not_a_bomb():
    data = (FIXTURES / "docx-blank-scan-page.docx").read_bytes()
    assert ratio(data, "word/media/image1.jpeg") > 200  # what the old per-entry rule refused
    validate_upload(SimpleUploadedFile("扫描件.docx", data), allowed=("docx",))
    doc = read_docx(SimpleUploadedFile("扫描件.docx", data))
    assert len(doc.images) == 1 and "正文结束" in doc.html


@pytest.mark.django_db
def test_sheet_with_1500_duplicate_formats_imports(office_user):
    from tasks.models import Plan

    plan = Plan.objects.create(year=2026, title="2026年任务清单")
    data = task_sheet([["1.1", "", "开展宣讲", "", "", "2026-12-31", 1, "", "", ""]])
    data = rewrite(data, "xl/styles.xml", duplicate_formats)
    assert ratio(data, "xl/styles.xml") > ZIP_MAX_RATIO
    made = services.import_plan(
        plan=plan, file=SimpleUploadedFile("任务.xlsx", data), by=office_user
    )
    assert [t.title for t in made] == ["开展宣讲"]


@pytest.fixture(scope="module")
def docx_bomb() -> bytes:
    """A .docx of about 200 KB whose document.xml inflates to 200 MB."""
    real = zipfile.ZipFile(io.BytesIO((FIXTURES / "docx-footnote.docx").read_bytes()))
    parts = {n: real.read(n) for n in real.namelist() if n != "word/document.xml"}
    return streamed_bomb(parts, "word/document.xml", size=200 * MB)


@pytest.fixture(scope="module")
def xlsx_bomb() -> bytes:
    real = zipfile.ZipFile(io.BytesIO(task_sheet([])))
    parts = {n: real.read(n) for n in real.namelist() if n != "xl/worksheets/sheet1.xml"}
    return streamed_bomb(parts, "xl/worksheets/sheet1.xml", size=200 * MB)


def test_docx_bomb_is_refused_before_mammoth_reads_it(docx_bomb, monkeypatch):
    assert len(docx_bomb) < 400 * 1024
    called = []
    monkeypatch.setattr(docx_import.mammoth, "convert_to_html", lambda *a, **k: called.append(1))
    with pytest.raises(ValidationError) as info:
        read_docx(SimpleUploadedFile("炸弹.docx", docx_bomb))
    assert info.value.code == "zip_ratio" and called == []


@pytest.mark.django_db
def test_xlsx_bomb_is_refused_before_openpyxl_reads_it(xlsx_bomb, office_user, monkeypatch):
    from tasks.models import Plan

    plan = Plan.objects.create(year=2026, title="2026年任务清单")
    called = []
    monkeypatch.setattr(xlsx, "load_workbook", lambda *a, **k: called.append(1))
    with pytest.raises(ValidationError) as info:
        services.import_plan(
            plan=plan, file=SimpleUploadedFile("炸弹.xlsx", xlsx_bomb), by=office_user
        )
    assert info.value.code == "zip_ratio" and called == []


@pytest.mark.parametrize(
    ("entries", "code"),
    [
        ({f"xl/f{i}.xml": b"" for i in range(2001)}, "zip_entries"),
        ({"xl/../../etc/passwd": b"x"}, "zip_path"),
        ({"/xl/abs.xml": b"x"}, "zip_path"),
        ({"word/document.xml": b"x"}, "mismatch"),
    ],
)
def test_other_refusals(entries, code):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    with pytest.raises(ValidationError) as info:
        check_zip(io.BytesIO(out.getvalue()), marker="xl/")
    assert info.value.code == code


def test_entries_under_the_ratio_floor_still_count_towards_the_total(monkeypatch):
    monkeypatch.setattr(files, "ZIP_MAX_TOTAL", 10 * MB)  # 200 MB in production
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"<w:document/>")
        for i in range(3):
            # Each 4 MB entry stays under the ratio floor; together they pass the total.
            z.writestr(f"word/media/image{i}.png", b"\0" * (4 * MB))
    with pytest.raises(ValidationError) as info:
        check_zip(io.BytesIO(out.getvalue()), marker="word/")
    assert info.value.code == "zip_total"
