"""The year ZIP (bulletins/archive.py): who gets which issues, names, streaming."""

import io
import zipfile

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile

from bulletins import pdf_cache
from bulletins.archive import stream_year_zip, year_zip_entries
from bulletins.models import Attachment, Issue, Visibility
from tests.factories import SeriesFactory

from .reference import make_issue


@pytest.fixture
def fake_renderer(monkeypatch):
    """The ZIP is about which files go in; rendering is tested in test_pdf."""
    calls = []

    def render(issue):
        calls.append(issue.pk)
        return f"%PDF-1.4 issue {issue.pk}".encode()

    monkeypatch.setattr(pdf_cache, "render_issue_pdf", render)
    return calls


@pytest.fixture
def year_2020(db):
    """One issue per state and visibility in 2020, plus one in 2019."""
    make = make_issue
    return {
        "public": make(number=1, title="公开一期", visibility=Visibility.PUBLIC),
        "internal": make(number=2, title="内部一期", visibility=Visibility.INTERNAL),
        "draft": make(number=3, title="草稿一期", status=Issue.Status.DRAFT),
        "scheduled": make(number=4, title="定时一期", status=Issue.Status.SCHEDULED),
        "withdrawn": make(number=5, title="撤回一期", status=Issue.Status.WITHDRAWN),
        "internal_draft": make(
            number=6, title="内部草稿", status=Issue.Status.DRAFT, visibility=Visibility.INTERNAL
        ),
        "last_year": make(year=2019, number=1, title="去年一期"),
    }


def zip_of(user, year=2020) -> zipfile.ZipFile:
    stream = stream_year_zip(user, year)
    assert stream is not None
    return zipfile.ZipFile(io.BytesIO(b"".join(stream)))


def issue_folders(archive: zipfile.ZipFile) -> set[str]:
    return {name.split("/")[1] for name in archive.namelist()}


@pytest.mark.parametrize(
    "who, expected",
    [
        ("anon", {"第一期 公开一期"}),
        ("user_a", {"第一期 公开一期", "第二期 内部一期"}),
        ("user_b", {"第一期 公开一期", "第二期 内部一期"}),
        ("other_staff", {"第一期 公开一期", "第二期 内部一期"}),
        # The office sees drafts on the site; the archive holds published issues only.
        ("office_user", {"第一期 公开一期", "第二期 内部一期"}),
    ],
)
def test_zip_lists_exactly_the_issues_the_user_may_see(
    request, who, expected, year_2020, fake_renderer
):
    user = AnonymousUser() if who == "anon" else request.getfixturevalue(who)
    archive = zip_of(user)
    assert issue_folders(archive) == expected
    assert archive.testzip() is None
    assert all(name.startswith("2020年/") for name in archive.namelist())


def test_zip_holds_pdf_and_attachments_under_chinese_names(db, fake_renderer):
    issue = make_issue(number=4, title="全市产业工人队伍建设改革试点工作部署推进会议主要精神")
    attachment = Attachment(issue=issue, title="会议议程", original_name="议程.docx", size=9)
    attachment.file.save("x.docx", ContentFile(b"PK\x03\x04 doc"), save=False)
    attachment.save()
    picture = Attachment(issue=issue, original_name="图.png", is_inline=True)
    picture.file.save("x.png", ContentFile(b"\x89PNG"), save=False)
    picture.save()

    archive = zip_of(AnonymousUser())

    folder = "2020年/第四期 全市产业工人队伍建设改革试点工作部署推进会议主要精神/"
    assert archive.namelist() == [
        folder + "市工投集团产业工人队伍建设改革简报2020年第四期.pdf",
        folder + "附件1 会议议程.docx",  # inline pictures are already in the PDF
    ]
    assert archive.read(folder + "附件1 会议议程.docx") == b"PK\x03\x04 doc"
    assert archive.read(archive.namelist()[0]) == f"%PDF-1.4 issue {issue.pk}".encode()
    # Names are flagged UTF-8 so unzip tools show the Chinese correctly.
    assert all(info.flag_bits & 0x800 for info in archive.infolist())


def test_office_pdf_goes_in_instead_of_the_generated_one(db, fake_renderer):
    issue = make_issue()
    issue.official_pdf.save("o.pdf", ContentFile(b"%PDF-1.7 office"))
    archive = zip_of(AnonymousUser())
    assert archive.read(archive.namelist()[0]) == b"%PDF-1.7 office"
    assert fake_renderer == []


def test_several_series_get_their_own_folders(db, fake_renderer):
    make_issue(number=1, title="甲")
    make_issue(series=SeriesFactory(name="市工投集团会议纪要"), number=1, title="乙")
    names = zip_of(AnonymousUser()).namelist()
    assert {n.split("/")[1] for n in names} == {
        "市工投集团产业工人队伍建设改革简报",
        "市工投集团会议纪要",
    }


def test_unsafe_characters_do_not_make_paths(db, fake_renderer):
    make_issue(title="../../etc/passwd: a*b?")
    (name,) = zip_of(AnonymousUser()).namelist()
    assert name.startswith("2020年/第四期 ")
    assert ".." not in name.split("/")
    assert name.count("/") == 2


def test_zip_is_built_while_it_streams(db, fake_renderer):
    for number in range(1, 6):
        make_issue(number=number, title=f"第{number}号")
    stream = stream_year_zip(AnonymousUser(), 2020)
    first = next(stream)
    assert first.startswith(b"PK\x03\x04")
    assert len(fake_renderer) <= 1  # nothing is rendered before the stream needs it
    rest = b"".join(stream)
    assert len(fake_renderer) == 5
    assert len(zipfile.ZipFile(io.BytesIO(first + rest)).namelist()) == 5


def test_nothing_to_see_gives_no_archive(year_2020, fake_renderer):
    assert stream_year_zip(AnonymousUser(), 2018) is None
    # Only an internal published issue in 2021: nothing for anonymous visitors.
    make_issue(year=2021, visibility=Visibility.INTERNAL)
    assert stream_year_zip(AnonymousUser(), 2021) is None


def test_missing_attachment_file_does_not_break_the_archive(db, fake_renderer):
    issue = make_issue()
    attachment = Attachment(issue=issue, title="丢失的附件", original_name="a.pdf", size=3)
    attachment.file.save("a.pdf", ContentFile(b"abc"), save=False)
    attachment.save()
    attachment.file.storage.delete(attachment.file.name)
    archive = zip_of(AnonymousUser())
    assert archive.testzip() is None
    assert len(archive.namelist()) == 2


def test_entries_are_listed_without_opening_files(year_2020, fake_renderer):
    entries = year_zip_entries(AnonymousUser(), 2020)
    assert [e.arcname.split("/")[1] for e in entries] == ["第一期 公开一期"]
    assert fake_renderer == []
