"""The reader's mark on internal issues (bulletins/pdf_stamp.py): who gets it, what it changes."""

import io
import re
import zipfile
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from bulletins import pdf_stamp
from bulletins.models import Visibility
from bulletins.pdf import issue_pdf

from .pdf_checks import reader

pytestmark = pytest.mark.django_db(transaction=False)

BODY = "<p>各成员单位要对照任务清单逐项抓好落实。</p><h2>一、总体要求</h2><p>第二段正文。</p>"


@pytest.fixture
def internal_issue(db):
    from .reference import make_issue

    return make_issue(visibility=Visibility.INTERNAL, body=BODY)


def _base(issue) -> bytes:
    result = issue_pdf(issue)
    with result.file as fh:
        return fh.read()


def _download(client, issue) -> bytes:
    response = client.get(reverse("bulletins:issue_pdf", args=[issue.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in reader(data).pages]


def _stamp_streams(data: bytes) -> list[bytes]:
    """The content stream each page draws first (the mark), decoded."""
    return [page["/Contents"][0].get_object().get_data() for page in reader(data).pages]


def test_two_units_downloads_differ_only_in_the_mark(internal_issue, client_a, client_b):
    base = _base(internal_issue)
    a = _download(client_a, internal_issue)
    b = _download(client_b, internal_issue)

    assert a != b
    # The stored PDF is each download's unchanged start: the mark is an appended update.
    assert a.startswith(base) and b.startswith(base)
    # The body's text layer is the same as the stored PDF's, page by page.
    assert _page_texts(a) == _page_texts(b) == _page_texts(base)
    assert len(reader(a).pages) == len(reader(base).pages)
    # Each page draws the mark first; the two units' marks differ.
    marks_a, marks_b = _stamp_streams(a), _stamp_streams(b)
    assert len(set(marks_a)) == 1 and len(set(marks_b)) == 1
    assert marks_a[0] != marks_b[0]
    assert re.search(rb"0\.86 g .* cm q .* f Q", marks_a[0])


def test_the_mark_names_unit_account_and_time(user_a):
    at = timezone.make_aware(datetime(2026, 11, 30, 9, 12))
    assert pdf_stamp.stamp_text(user_a, at=at) == "市人社局 · renshe · 2026-11-30 09:12 下载"


def test_the_mark_draws_every_character(user_a):
    """Every character of the mark has an outline (fallback faces included)."""
    text = "吉（𠮷）野家 · 喆 · renshe ✔"
    glyphs = pdf_stamp._glyphs(text)  # noqa: SLF001
    assert len(glyphs) == len(text)
    assert all(ops for (ops, _adv, _upem), ch in zip(glyphs, text, strict=True) if not ch.isspace())


def test_office_and_public_issues_are_not_marked(internal_issue, office_client, client_a):
    base = _base(internal_issue)
    assert _download(office_client, internal_issue) == base

    from .reference import make_issue

    public = make_issue(number=9, visibility=Visibility.PUBLIC, body=BODY)
    assert _download(client_a, public) == _base(public)


def test_marked_download_is_never_cached_or_validated(internal_issue, client_a):
    response = client_a.get(reverse("bulletins:issue_pdf", args=[internal_issue.pk]))
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("ETag")
    # A validator of the stored file gets the whole marked file, not a 304.
    etag = f'"{internal_issue.__class__.objects.get(pk=internal_issue.pk).generated_pdf_key}"'
    again = client_a.get(
        reverse("bulletins:issue_pdf", args=[internal_issue.pk]), HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 200


def test_the_year_zip_carries_the_unit_mark(internal_issue, client_a):
    base = _base(internal_issue)
    response = client_a.get(reverse("bulletins:year_zip", args=[2020]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    [name] = [n for n in archive.namelist() if n.endswith(".pdf")]
    data = archive.read(name)
    assert data.startswith(base) and data != base
    assert _page_texts(data) == _page_texts(base)


def test_an_unreadable_office_file_goes_out_unmarked(internal_issue, client_a):
    from django.core.files.base import ContentFile

    internal_issue.official_pdf.save("office.pdf", ContentFile(b"%PDF-1.4 not really"))
    assert _download(client_a, internal_issue) == b"%PDF-1.4 not really"
