"""The PDF typeset as a print room would (issue 16): faces, every character, line breaking, tables.

Inputs from the office (tests/bulletins/office_files/, copies of shared/office-files/).
"""

import dataclasses
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from bulletins import pdf_fonts
from bulletins.checks import pdf_faces_installed
from bulletins.models import Issue, Visibility
from bulletins.pdf import render_issue_pdf, unprintable_characters
from bulletins.pdf_fontset import unprintable

from .pdf_checks import font_runs, fonts_of, line_violations, lines_of, reader, text_of
from .reference import TITLE, make_issue, make_reference_issue

FILES = Path(__file__).resolve().parent / "office_files"
KINSOKU = (FILES / "pdf-kinsoku-line-end.html").read_text(encoding="utf-8")
RARE = (FILES / "pdf-rare-chars.html").read_text(encoding="utf-8")
TALL = (FILES / "pdf-table-tall-cell.html").read_text(encoding="utf-8")
TANGUT = "\U00017000"  # a character none of the faces has

CODES = (
    "<p>按照GB/T 9704-2012的要求，各单位于2020-09-30前报送，"
    "详见https://www.example.gov.cn/notice/2020/0930.html或拨打0518-85800000咨询。</p>"
    "<table><tr><th>单位</th><th>完成时限</th><th>说明</th></tr>"
    "<tr><td>市人社局</td><td>2020-09-30</td><td>按照GB/T 9704-2012执行</td></tr></table>"
)

_RENDERED: dict[str, bytes] = {}


def _render(name: str, **fields) -> bytes:
    if name not in _RENDERED:
        _RENDERED[name] = render_issue_pdf(make_issue(**fields))
    return _RENDERED[name]


@pytest.fixture
def reference_pdf(db):
    if "reference" not in _RENDERED:
        _RENDERED["reference"] = render_issue_pdf(make_reference_issue())
    return _RENDERED["reference"]


def _installed(*faces):
    missing = [f.name for f in faces if f.path() is None]
    if missing:
        pytest.skip(f"not installed here: {missing} (make test installs them)")


# --- 1. The official faces ---------------------------------------------------------


def test_each_role_prints_in_its_official_face(reference_pdf):
    _installed(pdf_fonts.FANDOL_FANG, pdf_fonts.NOTO_SERIF_BOLD, pdf_fonts.UKAI)
    runs = [
        run
        for page in range(len(reader(reference_pdf).pages))
        for run in font_runs(reference_pdf, page)
    ]

    def font_of(start):
        return next(font for text, font, _x, _y in runs if text.startswith(start))

    assert "FandolFang" in font_of("6月1日")  # body: 仿宋
    assert "NotoSansSC-Bold" in font_of("一、徐家保")  # 一、: 黑体
    assert "ARPLUKaiCN" in font_of("（一）")  # （一）: 楷体
    assert "NotoSerifCJKSC-Bold" in font_of("全市产业工人队伍")  # title: bold Song
    for name, font in fonts_of(reference_pdf).items():
        assert font["files"] == ["/FontFile2"], f"{name} is not embedded"


@pytest.mark.parametrize(
    "face", [pdf_fonts.FANDOL_FANG, pdf_fonts.NOTO_SERIF_BOLD, pdf_fonts.UKAI], ids=lambda f: f.name
)
def test_default_faces_cover_gb2312_in_simplified_forms(face):
    """Checked by code point, not by name (fonts-cwtex-fs 仿宋 is Traditional)."""
    _installed(face)
    missing = pdf_fonts.gb2312_coverage(face.path(), face.index)
    assert len(missing) <= 1, missing  # FandolFang lacks ― (U+2015), UKai ￣
    cmap = pdf_fonts._source_cmap(face.path(), face.index)  # noqa: SLF001
    assert all(ord(ch) in cmap for ch in "产业队设简报")


def test_a_missing_face_is_a_check_warning_and_falls_back(settings, monkeypatch, caplog):
    gone = dataclasses.replace(pdf_fonts.FANDOL_FANG, dirs=("/nowhere",))
    monkeypatch.setitem(pdf_fonts.DEFAULT_FACES, "body", gone)
    monkeypatch.setattr(pdf_fonts, "_warned", set())
    warnings = pdf_faces_installed()
    assert [w.id for w in warnings if "FandolFang" in w.msg] == ["bulletins.W001"]
    with caplog.at_level("WARNING", logger="bulletins.pdf_fonts"):
        specs = pdf_fonts.font_specs()
        pdf_fonts.font_specs()
    assert specs["body"].bundled  # Noto Sans SC, as before
    assert len([r for r in caplog.records if "FandolFang" in r.getMessage()]) == 1


def test_configured_roles_are_not_warned_about(settings, monkeypatch):
    gone = dataclasses.replace(pdf_fonts.FANDOL_FANG, dirs=("/nowhere",))
    monkeypatch.setitem(pdf_fonts.DEFAULT_FACES, "body", gone)
    settings.BULLETIN_PDF_FONTS = {"body": pdf_fonts.bundled_font_path()}
    assert not [w for w in pdf_faces_installed() if "FandolFang" in w.msg]


# --- 2. Every character prints -------------------------------------------------------


@pytest.mark.django_db
def test_rare_names_and_symbols_print(db):
    data = _render("rare", number=11, body=RARE)
    text = text_of(data)
    for ch in "𠮷䶮堃喆犇𬌗𬍛镕珺昇峣㊣①⑩㈠№℃‰°±×÷≤≥※★☆✓✔👍〇":
        assert ch in text, ch
    assert "\U0001f1e8\U0001f1f3" in text  # 🇨🇳 as its two regional indicators
    for name, font in fonts_of(data).items():
        assert font["files"] == ["/FontFile2"], f"{name} is not embedded"
    # Each of those characters is drawn from a face that has it.
    fallbacks = {font for font in fonts_of(data) if "BabelStone" in font or "Symbola" in font}
    assert fallbacks


def test_nothing_of_the_office_input_is_unprintable():
    assert unprintable(RARE) == []


def test_a_character_no_face_has_is_named():
    assert unprintable(f"正文{TANGUT}。\u200d\ufe0f") == [TANGUT]


@pytest.mark.django_db
def test_preview_names_the_characters_that_will_not_print(office_client):
    issue = make_issue(status=Issue.Status.DRAFT, body=f"<p>人名{TANGUT}测试</p>")
    assert unprintable_characters(issue) == [TANGUT]
    page = office_client.get(reverse("bulletins:issue_detail", args=[issue.pk]))
    assert f'data-unprintable="{TANGUT}"' in page.content.decode()


@pytest.mark.django_db
def test_publish_action_names_the_characters_that_will_not_print(office_client):
    issue = make_issue(status=Issue.Status.DRAFT, number=12, body=f"<p>人名{TANGUT}测试</p>")
    response = office_client.post(
        reverse("admin:bulletins_issue_changelist"),
        {"action": "publish_now", "_selected_action": [issue.pk]},
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PUBLISHED  # a warning, not a refusal
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(TANGUT in t for t in texts), texts


# --- 3. Line breaking by GB/T 15834 / clreq ---------------------------------------------


@pytest.mark.django_db
def test_no_line_breaks_the_rules_in_the_reference_issue(reference_pdf):
    assert line_violations(lines_of(reference_pdf)) == []


@pytest.mark.django_db
def test_no_line_breaks_the_rules_in_the_office_input(db):
    lines = lines_of(_render("kinsoku", number=13, body=KINSOKU + CODES))
    assert line_violations(lines) == []
    # Every 《 “ （ 【 of the input went to the start of the next line or stayed inside one.
    assert sum(line.count("省略号不应拆开") for line in lines) == 4


@pytest.mark.django_db
def test_numbers_dates_urls_and_codes_stay_on_one_line(db):
    lines = lines_of(_render("kinsoku", number=13, body=KINSOKU + CODES))
    joined = [line.replace(" ", "") for line in lines]
    for token in ("GB/T9704-2012", "2020-09-30", "0518-85800000", "https://www.example.gov.cn"):
        assert sum(token in line for line in joined) >= 1, token
    # In the table cell too: the date is never cut.
    assert not any(line.endswith(("2020-09", "2020-", "2020-09-")) for line in joined)


@pytest.mark.django_db
def test_a_title_never_leaves_one_character_alone(db):
    title = "全市产业工人队伍建设改革试点工作部署推进会"  # 21 characters: 20 + 1 unbalanced
    data = _render("title", number=14, title=title, body="<p>正文。</p>")
    lines = [line for line in lines_of(data) if line and line in title]
    assert "".join(lines) == title
    assert len(lines) == 2
    assert min(len(line) for line in lines) >= len(title) // 2 - 1


# --- 4. Tables across pages ----------------------------------------------------------------

NESTED = (
    "<table><tr><th>甲</th><th>乙</th></tr><tr><td>外层</td><td><table>"
    "<tr><td>内1</td><td>内2</td></tr><tr><td>内3</td><td>内4</td></tr></table></td></tr></table>"
)


@pytest.mark.django_db
def test_a_tall_row_splits_cleanly_and_the_header_repeats(db):
    data = _render("tall", number=15, body=TALL + NESTED)
    pages = [page.extract_text().replace(" ", "").replace("\n", "") for page in reader(data).pages]
    assert len(pages) <= 5  # was 5 pages of the row alone, and then some
    cell_pages = [p for p in pages if "各成员单位" in p]
    assert len(cell_pages) >= 2
    for page in cell_pages:
        assert page.count("单位进展") == 1  # the header, once per page, never alone
    # Every character of the cell, in order (a page break may fall inside a sentence).
    assert text_of(data).count("照") == TALL.count("照")
    assert "外层内1内2内3内4" in text_of(data)  # a table in a table lays out
    assert line_violations(lines_of(data)) == []


def test_reference_title_is_set_in_order(reference_pdf):
    assert TITLE in text_of(reference_pdf)


def test_internal_mark_is_not_set_in_public_pdf(db):
    data = _render("public", number=16, visibility=Visibility.PUBLIC)
    assert "内部资料" not in text_of(data)
