"""The PDF and year-ZIP downloads (bulletins/pdf_views.py): who gets what, caching headers, receipts."""

import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from bulletins import pdf_cache
from bulletins.models import Issue, ReadReceipt, Visibility

from .reference import edit_body, make_issue

pytestmark = pytest.mark.django_db

FILENAME = "市工投集团产业工人队伍建设改革简报2020年第四期.pdf"

STATES = {
    "public": (Issue.Status.PUBLISHED, Visibility.PUBLIC),
    "internal": (Issue.Status.PUBLISHED, Visibility.INTERNAL),
    "draft": (Issue.Status.DRAFT, Visibility.PUBLIC),
    "scheduled": (Issue.Status.SCHEDULED, Visibility.PUBLIC),
    "withdrawn": (Issue.Status.WITHDRAWN, Visibility.PUBLIC),
}


@pytest.fixture(autouse=True)
def fake_renderer(monkeypatch):
    """Views are about who gets which bytes; rendering is tested in test_pdf."""
    calls = []

    def render(issue):
        calls.append(issue.pk)
        return f"%PDF-1.4 issue {issue.pk} {issue.status}".encode()

    monkeypatch.setattr(pdf_cache, "render_issue_pdf", render)
    return calls


def pdf_url(issue):
    return reverse("bulletins:issue_pdf", args=[issue.pk])


def zip_url(year=2020):
    return reverse("bulletins:year_zip", args=[year])


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Visibility: persona × state, a reason per row ---------------------------------

# persona, state, sees the PDF, finds the issue in the year ZIP, reason
MATRIX = [
    ("anon", "public", True, True, "a published public issue is for everyone"),
    ("anon", "internal", False, False, "internal issues are for signed-in members; 404 hides them"),
    ("anon", "draft", False, False, "drafts belong to the office"),
    ("anon", "scheduled", False, False, "not out yet"),
    ("anon", "withdrawn", False, False, "withdrawal hides an issue"),
    ("unit_a", "public", True, True, "members read public issues"),
    ("unit_a", "internal", True, True, "members read internal issues"),
    ("unit_a", "draft", False, False, "a unit never sees a draft"),
    ("unit_a", "scheduled", False, False, "a unit sees an issue once published"),
    ("unit_a", "withdrawn", False, False, "withdrawn issues are hidden from units"),
    ("unit_b", "internal", True, True, "internal means every member unit"),
    ("unit_b", "withdrawn", False, False, "hidden from every unit"),
    ("office", "public", True, True, "the office sees what it published"),
    ("office", "internal", True, True, "and internal issues"),
    ("office", "draft", True, False, "the office previews a draft's PDF; the archive holds published issues only"),
    ("office", "scheduled", True, False, "preview before it goes out"),
    ("office", "withdrawn", True, False, "staff keep withdrawn issues, the archive does not"),
    ("other_staff", "internal", True, True, "signed-in staff read like members"),
    ("other_staff", "draft", False, False, "only 产改办 previews drafts"),
    ("other_staff", "withdrawn", False, False, "only 产改办 keeps withdrawn issues"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "state", "sees_pdf", "in_zip", "reason"),
    [pytest.param(*row, id=f"{row[0]}-{row[1]}") for row in MATRIX],
    indirect=["persona"],
)
def test_visibility_matrix(persona, state, sees_pdf, in_zip, reason):
    status, visibility = STATES[state]
    issue = make_issue(status=status, visibility=visibility, title=f"矩阵{state}")
    response = persona.get(pdf_url(issue))
    assert response.status_code == (200 if sees_pdf else 404), reason
    if sees_pdf:
        assert body_of(response).startswith(b"%PDF-")

    archive = persona.get(zip_url())
    if not in_zip:
        assert archive.status_code == 404, reason  # the year holds nothing for them
        return
    assert archive.status_code == 200, reason
    names = zipfile.ZipFile(io.BytesIO(body_of(archive))).namelist()
    assert any(f"矩阵{state}" in name for name in names), reason


@pytest.mark.parametrize("persona", ["anon", "unit_b", "other_staff"], indirect=True)
def test_hidden_issue_never_answers_304(persona, office_user):
    """The ETag of a draft, known to the office, gets a stranger a 404, not a 304."""
    draft = make_issue(status=Issue.Status.DRAFT, visibility=Visibility.INTERNAL)
    office = Client()
    office.force_login(office_user)
    etag = office.get(pdf_url(draft))["ETag"]
    response = persona.get(pdf_url(draft), headers={"if-none-match": etag})
    assert response.status_code == 404
    assert "ETag" not in response


# --- Conditional GET ---------------------------------------------------------------


def test_if_none_match_gets_304_without_rendering(office_client, fake_renderer):
    # (A unit's copy of an internal issue is marked per download: no validators, see
    # test_pdf_stamp.py; the office's copy is the stored file.)
    issue = make_issue(visibility=Visibility.INTERNAL)
    first = office_client.get(pdf_url(issue))
    body_of(first)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 20

    again = office_client.get(pdf_url(issue), headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "private, no-cache"
    assert fake_renderer == [issue.pk]  # rendered once, for the first download


def test_if_modified_since_gets_304(anon_client):
    issue = make_issue()
    first = anon_client.get(pdf_url(issue))
    body_of(first)
    assert first["Last-Modified"]
    again = anon_client.get(pdf_url(issue), headers={"if-modified-since": first["Last-Modified"]})
    assert again.status_code == 304


def test_an_edit_changes_the_etag_and_the_file(anon_client, fake_renderer):
    issue = make_issue()
    first = anon_client.get(pdf_url(issue))
    body_of(first)
    edit_body(issue, "<p>改过的正文。</p>")
    again = anon_client.get(pdf_url(issue), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert len(fake_renderer) == 2


def test_stale_etag_after_withdrawal_is_a_404_for_readers(anon_client, client_a):
    issue = make_issue()
    etag = anon_client.get(pdf_url(issue))["ETag"]
    issue.status, issue.withdrawn_at = Issue.Status.WITHDRAWN, issue.published_at
    issue.save()
    for client in (anon_client, client_a):
        assert client.get(pdf_url(issue), headers={"if-none-match": etag}).status_code == 404


# --- Headers -----------------------------------------------------------------------


def test_download_headers(anon_client):
    issue = make_issue()
    response = anon_client.get(pdf_url(issue))
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(FILENAME)}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    # Public and published: shared caches may keep it, revalidating each time.
    assert response["Cache-Control"] == "public, no-cache"


def test_the_download_name_follows_the_language_and_each_edit(anon_client):
    """The file name (kept per series, year, number, title and language) and its
    Last-Modified are those of the file asked for, whichever was asked for before."""
    issue = make_issue()
    names = {}
    for language in ("zh-hans", "en", "zh-hans"):
        response = anon_client.get(pdf_url(issue), headers={"accept-language": language})
        names.setdefault(language, response["Content-Disposition"])
        assert response["Content-Disposition"] == names[language]
        stored = Issue.objects.select_related("series").get(pk=issue.pk)
        modified = pdf_cache.pdf_validators(stored).last_modified
        assert response["Last-Modified"] == http_date(modified.timestamp())
    assert f"filename*=utf-8''{quote(FILENAME)}" in names["zh-hans"]
    assert names["en"] != names["zh-hans"] and "No." in names["en"]
    Issue.objects.filter(pk=issue.pk).update(number=5)
    renamed = anon_client.get(pdf_url(issue))["Content-Disposition"]
    assert quote(FILENAME.replace("第四期", "第五期")) in renamed


@pytest.mark.parametrize(
    ("state", "cache_control"),
    [
        ("internal", "private, no-cache"),
        ("draft", "private, no-cache"),
        ("withdrawn", "private, no-cache"),
    ],
)
def test_non_public_pdfs_are_private(office_client, state, cache_control):
    status, visibility = STATES[state]
    issue = make_issue(status=status, visibility=visibility)
    assert office_client.get(pdf_url(issue))["Cache-Control"] == cache_control


def test_zip_headers(client_a):
    make_issue()
    response = client_a.get(zip_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"filename*=utf-8''{quote('2020年简报.zip')}" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    body_of(response)


def test_head_answers_without_building_anything(client_a, user_a, fake_renderer):
    issue = make_issue(visibility=Visibility.INTERNAL)
    assert client_a.head(zip_url()).status_code == 200
    assert client_a.head(zip_url(2019)).status_code == 404
    assert client_a.head(pdf_url(issue)).status_code == 200
    assert not ReadReceipt.objects.filter(first_downloaded_at__isnull=False).exists()
    assert client_a.post(pdf_url(issue)).status_code == 405


def test_out_of_range_year_is_404(anon_client):
    assert anon_client.get(zip_url(99999)).status_code == 404


# --- The office's own file ---------------------------------------------------------


def test_office_pdf_is_downloaded_and_the_page_says_so(anon_client, fake_renderer):
    issue = make_issue()
    page = anon_client.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert "产改办上传的正式版" not in page

    issue.official_pdf.save("office.pdf", ContentFile(b"%PDF-1.7 office"))
    response = anon_client.get(pdf_url(issue))
    assert body_of(response) == b"%PDF-1.7 office"
    assert fake_renderer == []
    page = anon_client.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert "下载的是产改办上传的正式版 PDF" in page
    assert pdf_url(issue) in page


def test_year_archive_page_links_the_zip(anon_client):
    make_issue()
    page = anon_client.get(reverse("bulletins:year_archive", args=[2020])).content.decode()
    assert f'href="{zip_url()}"' in page


# --- Read receipts -----------------------------------------------------------------


def test_pdf_download_is_the_units_first_download(client_a, user_a, office_client):
    issue = make_issue(visibility=Visibility.INTERNAL)
    office_client.get(pdf_url(issue))  # the office records nothing
    assert not ReadReceipt.objects.exists()

    client_a.get(pdf_url(issue))
    receipt = ReadReceipt.objects.get(issue=issue, unit=user_a.unit)
    first = receipt.first_downloaded_at
    assert first is not None and receipt.first_downloaded_by == user_a

    client_a.get(pdf_url(issue))
    receipt.refresh_from_db()
    assert receipt.first_downloaded_at == first  # the first time is kept


def test_zip_download_counts_for_each_issue_in_it(client_a, user_a):
    one = make_issue(number=1)
    two = make_issue(number=2, visibility=Visibility.INTERNAL)
    body_of(client_a.get(zip_url()))
    downloaded = set(
        ReadReceipt.objects.filter(unit=user_a.unit, first_downloaded_at__isnull=False).values_list(
            "issue_id", flat=True
        )
    )
    assert downloaded == {one.pk, two.pk}


def test_last_modified_is_an_http_date(anon_client):
    issue = make_issue()
    response = anon_client.get(pdf_url(issue))
    stored = Issue.objects.get(pk=issue.pk).generated_pdf
    expected = http_date(stored.storage.get_modified_time(stored.name).timestamp())
    assert response["Last-Modified"] == expected


def test_office_pdf_missing_from_storage_is_404_not_500(anon_client):
    issue = make_issue()
    issue.official_pdf.save("office.pdf", ContentFile(b"%PDF-1.7 office"))
    issue.official_pdf.storage.delete(issue.official_pdf.name)
    assert anon_client.get(pdf_url(issue)).status_code == 404
