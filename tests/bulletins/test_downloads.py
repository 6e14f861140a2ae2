"""Attachments, article pictures and covers leave only through views that check who asks."""

from urllib.parse import quote

import pytest
from django.urls import reverse

from bulletins.models import Attachment, ReadReceipt
from bulletins.receipts import record_attachment_download
from tests.factories import (
    INTERNAL,
    PUBLIC,
    add_cover,
    make_attachment,
    make_image,
    make_issue,
    png_bytes,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% a bulletin attachment\n"


def _download(issue, attachment):
    return reverse("bulletins:attachment_download", args=[issue.pk, attachment.pk])


def _image(issue, attachment):
    return reverse("bulletins:attachment_image", args=[issue.pk, attachment.pk])


def _headers(response):
    return " ".join(f"{k}: {v}" for k, v in response.items())


def test_download_sends_the_chinese_name_and_the_file(client_a):
    issue = make_issue("published", INTERNAL)
    attachment = make_attachment(issue, name="胡建军同志讲话全文.pdf", content=PDF)
    response = client_a.get(_download(issue, attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('胡建军同志讲话全文.pdf')}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_download_never_exposes_the_storage_path(client_a):
    issue = make_issue("published", PUBLIC)
    attachment = make_attachment(issue, name="讲话.pdf")
    stored = attachment.file.name  # attachments/<yyyy>/<uuid>.pdf
    assert "讲话" not in stored
    response = client_a.get(_download(issue, attachment))
    assert stored not in _headers(response)
    assert stored.rsplit("/", 1)[-1] not in _headers(response)
    page = client_a.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert stored not in page


def test_download_counts_and_records_the_units_first_download(client_a, client_b, unit_a):
    issue = make_issue("published", PUBLIC)
    attachment = make_attachment(issue)
    client_a.get(_download(issue, attachment))
    first = ReadReceipt.objects.get(issue=issue, unit=unit_a).first_downloaded_at
    client_a.get(_download(issue, attachment))
    client_b.get(_download(issue, attachment))
    attachment.refresh_from_db()
    assert attachment.download_count == 3
    assert ReadReceipt.objects.get(issue=issue, unit=unit_a).first_downloaded_at == first
    assert ReadReceipt.objects.filter(issue=issue).count() == 2


def test_the_counter_service_counts_only_what_the_user_may_read(user_a, unit_a):
    """The service checks for itself: a hidden or unpublished issue counts nothing."""
    from django.contrib.auth.models import AnonymousUser

    internal = make_attachment(make_issue("published", INTERNAL))
    draft = make_attachment(make_issue("draft", PUBLIC))
    assert record_attachment_download(attachment=internal, by=AnonymousUser()) is None
    assert record_attachment_download(attachment=draft, by=user_a) is None
    receipt = record_attachment_download(attachment=internal, by=user_a)
    assert receipt.unit == unit_a and receipt.first_downloaded_at is not None
    counts = Attachment.objects.filter(pk__in=[internal.pk, draft.pk]).order_by("pk")
    assert list(counts.values_list("download_count", flat=True)) == [1, 0]


def test_anonymous_downloads_count_but_record_no_receipt(anon_client):
    issue = make_issue("published", PUBLIC)
    attachment = make_attachment(issue)
    assert anon_client.get(_download(issue, attachment)).status_code == 200
    attachment.refresh_from_db()
    assert attachment.download_count == 1
    assert not ReadReceipt.objects.exists()


def test_office_preview_download_of_a_draft_is_not_counted(office_client):
    issue = make_issue("draft", PUBLIC)
    attachment = make_attachment(issue)
    assert office_client.get(_download(issue, attachment)).status_code == 200
    attachment.refresh_from_db()
    assert attachment.download_count == 0


@pytest.mark.parametrize(
    "persona",
    [
        pytest.param(p, id=f"{p}: only the office sees an unpublished issue's files")
        for p in ("anon", "unit_a", "unit_b", "other_staff", "deactivated")
    ],
    indirect=True,
)
@pytest.mark.parametrize("state", ["draft", "scheduled", "withdrawn"])
def test_files_of_an_unpublished_issue_are_404_and_uncounted(persona, state):
    issue = make_issue(state, PUBLIC)
    attachment = make_attachment(issue)
    image = make_image(issue)
    add_cover(issue)
    assert persona.get(_download(issue, attachment)).status_code == 404
    assert persona.get(_image(issue, image)).status_code == 404
    assert persona.get(reverse("bulletins:issue_cover", args=[issue.pk])).status_code == 404
    attachment.refresh_from_db()
    assert attachment.download_count == 0


def test_attachment_under_another_issues_url_is_404(client_a):
    visible = make_issue("published", PUBLIC)
    hidden = make_issue("draft", PUBLIC)
    attachment = make_attachment(hidden)
    assert client_a.get(_download(visible, attachment)).status_code == 404
    image = make_image(hidden)
    assert client_a.get(_image(visible, image)).status_code == 404


def test_missing_file_is_404_not_500(client_a):
    issue = make_issue("published", PUBLIC)
    attachment = make_attachment(issue)
    attachment.file.storage.delete(attachment.file.name)
    assert client_a.get(_download(issue, attachment)).status_code == 404


def test_image_is_served_inline_with_its_type(anon_client):
    issue = make_issue("published", PUBLIC)
    image = make_image(issue, name="现场照片.png")
    response = anon_client.get(_image(issue, image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == png_bytes()


def test_image_view_serves_only_inline_pictures(anon_client):
    issue = make_issue("published", PUBLIC)
    attachment = make_attachment(issue)  # a download, not a picture of the body
    assert anon_client.get(_image(issue, attachment)).status_code == 404
    image = make_image(issue)
    assert anon_client.get(_download(issue, image)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content_type", "content"),
    [
        ("图.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("页面.html", "text/html", b"<script>alert(1)</script>"),
        ("无类型.bin", "", b"<script>alert(1)</script>"),
    ],
)  # fmt: skip
def test_image_view_refuses_anything_but_raster_images(anon_client, name, content_type, content):
    issue = make_issue("published", PUBLIC)
    hostile = make_attachment(
        issue, name=name, content=content, content_type=content_type, inline=True
    )
    assert anon_client.get(_image(issue, hostile)).status_code == 404


def test_cover_thumbnail(anon_client):
    issue = add_cover(make_issue("published", PUBLIC))
    response = anon_client.get(reverse("bulletins:issue_cover", args=[issue.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"


def test_issue_without_a_cover_is_404(anon_client):
    issue = make_issue("published", PUBLIC)
    assert anon_client.get(reverse("bulletins:issue_cover", args=[issue.pk])).status_code == 404


def test_internal_files_are_404_to_anonymous_and_served_to_members(anon_client, client_a):
    issue = add_cover(make_issue("published", INTERNAL))
    attachment = make_attachment(issue)
    image = make_image(issue)
    cover = reverse("bulletins:issue_cover", args=[issue.pk])
    for url in (_download(issue, attachment), _image(issue, image), cover):
        assert anon_client.get(url).status_code == 404, url
        assert client_a.get(url).status_code == 200, url
    assert Attachment.objects.get(pk=attachment.pk).download_count == 1
