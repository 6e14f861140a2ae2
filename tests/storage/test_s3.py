"""Private files on a real S3 server (SeaweedFS): written, read, refused, replaced, deleted.

Every test runs the portal with ``STORAGES["private"]`` on the ``s3`` fixture's
bucket under a prefix of its own, and looks at the bucket itself.
"""

from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bulletins.models import Attachment, Issue
from tasks import services
from tasks.models import Evidence, ProgressReport
from tests.bulletins.admin_forms_data import post_change_form
from tests.factories import PDF, acknowledged, make_attachment, make_issue, pdf, png_bytes

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def objects(s3) -> list[str]:
    """Stored names (without the test's prefix) of everything in the bucket for this test."""
    return [key.removeprefix(f"{s3.prefix}/") for key in s3.keys(s3.prefix + "/")]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def report_form(**files):
    period = timezone.localdate().strftime("%Y-%m")
    return {"period": period, "percent": "10", "text": "保留这段文字", **files}


def test_evidence_is_stored_in_the_bucket_and_downloads_after_the_permission_check(
    s3, assignment_a, user_a, client_a, client_b
):
    acknowledged(assignment_a, user_a)
    url = reverse("tasks:report_create", args=[assignment_a.pk])
    response = client_a.post(url, report_form(files=[pdf("第二季度佐证材料.pdf")]))
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert objects(s3) == [evidence.file.name]
    assert not Path(settings.PRIVATE_MEDIA_ROOT, evidence.file.name).exists()

    download = reverse("tasks:evidence_download", args=[evidence.pk])
    assert client_b.get(download).status_code == 404
    got = client_a.get(download)
    assert got.status_code == 200 and body(got) == PDF
    assert got["Content-Disposition"] == (
        "attachment; filename=\"download.pdf\"; filename*=utf-8''"
        + quote("第二季度佐证材料.pdf", safe="")
    )
    assert got["X-Content-Type-Options"] == "nosniff"


def test_a_refused_upload_leaves_no_object(s3, assignment_a, user_a, client_a):
    acknowledged(assignment_a, user_a)
    response = client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]),
        report_form(files=[pdf(), SimpleUploadedFile("evil.pdf", b"<html>")]),
    )
    assert response.status_code == 200 and "evil.pdf" in response.content.decode()
    assert not ProgressReport.objects.exists()
    assert objects(s3) == []


def test_a_transaction_that_fails_after_the_upload_takes_its_objects_with_it(
    s3, assignment_a, user_a, monkeypatch
):
    acknowledged(assignment_a, user_a)

    def crash(*args, **kwargs):
        raise RuntimeError("worker died between the file and the commit")

    monkeypatch.setattr(services.assignments, "bump", crash)
    with pytest.raises(RuntimeError):
        services.submit_report(
            assignment=assignment_a,
            by=user_a,
            period=timezone.localdate().strftime("%Y-%m"),
            text="进展",
            percent=10,
            files=[pdf("一.pdf"), pdf("二.pdf")],
        )
    assert not Evidence.objects.exists()
    assert objects(s3) == []


def test_a_request_that_crashes_mid_way_leaves_no_object(s3, assignment_a, user_a, monkeypatch):
    acknowledged(assignment_a, user_a)
    client = Client(raise_request_exception=False)
    client.force_login(user_a)

    def crash(*args, **kwargs):
        raise RuntimeError("crash after the file was written")

    monkeypatch.setattr(services.assignments, "bump", crash)
    response = client.post(
        reverse("tasks:report_create", args=[assignment_a.pk]), report_form(files=[pdf()])
    )
    assert response.status_code == 500
    assert objects(s3) == [] and not Evidence.objects.exists()


def test_an_unreachable_store_gives_a_chinese_503_and_saves_nothing(
    s3, settings, assignment_a, user_a, client_a
):
    acknowledged(assignment_a, user_a)
    private = settings.STORAGES["private"]
    down = {**private, "OPTIONS": {**private["OPTIONS"], "endpoint_url": "http://127.0.0.1:9"}}
    settings.STORAGES = {**settings.STORAGES, "private": down}
    response = client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]), report_form(files=[pdf()])
    )
    assert response.status_code == 503
    page = response.content.decode()
    # The form comes back with what was typed and says the file must be chosen again.
    assert "文件存储暂时不可用" in page and "保留这段文字" in page
    assert "尚未保存，请重新选择后再提交" in page
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert objects(s3) == []


def test_a_download_while_the_store_is_down_is_the_chinese_503_page(
    s3, settings, assignment_a, user_a, client_a
):
    acknowledged(assignment_a, user_a)
    client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]), report_form(files=[pdf()])
    )
    evidence = Evidence.objects.get()
    private = settings.STORAGES["private"]
    down = {**private, "OPTIONS": {**private["OPTIONS"], "endpoint_url": "http://127.0.0.1:9"}}
    settings.STORAGES = {**settings.STORAGES, "private": down}
    response = client_a.get(reverse("tasks:evidence_download", args=[evidence.pk]))
    assert response.status_code == 503 and response["Retry-After"] == "60"
    page = response.content.decode()
    assert "文件存储暂时不可用" in page and "没有保存任何内容" in page


def test_a_full_store_gives_the_form_back_with_a_chinese_message_and_no_object(
    seaweed_full, settings, assignment_a, user_a, client_a
):
    prefix = "full"
    full = seaweed_full.storage_settings(prefix)
    settings.STORAGES = {**settings.STORAGES, "private": full}
    acknowledged(assignment_a, user_a)
    response = client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]),
        report_form(files=[pdf("佐证.pdf")]),
    )
    assert response.status_code == 503
    page = response.content.decode()
    assert "文件存储暂时不可用，文件未保存" in page and "保留这段文字" in page
    assert "所选文件（佐证.pdf）尚未保存" in page
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()
    assert seaweed_full.keys(prefix + "/") == []
    assert seaweed_full.keys() == ["seed"]


def test_refused_credentials_are_the_same_503(s3, settings, assignment_a, user_a, client_a):
    acknowledged(assignment_a, user_a)
    private = settings.STORAGES["private"]
    wrong = {**private, "OPTIONS": {**private["OPTIONS"], "secret_key": "wrong"}}
    settings.STORAGES = {**settings.STORAGES, "private": wrong}
    response = client_a.post(
        reverse("tasks:report_create", args=[assignment_a.pk]), report_form(files=[pdf()])
    )
    assert response.status_code == 503 and "文件存储" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_official_pdf_downloads_with_etag_and_304_and_a_replacement_deletes_the_old_object(
    s3, office_client, anon_client, django_capture_on_commit_callbacks
):
    issue = make_issue(visibility="public")
    post_change_form(
        office_client,
        issue,
        official_pdf=SimpleUploadedFile("正式版.pdf", b"%PDF-1.7\nfirst\n%%EOF"),
    )
    first = Issue.objects.get(pk=issue.pk).official_pdf.name
    assert first in objects(s3)

    url = reverse("bulletins:issue_pdf", args=[issue.pk])
    response = anon_client.get(url)
    assert response.status_code == 200 and body(response) == b"%PDF-1.7\nfirst\n%%EOF"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert anon_client.get(url, headers={"if-none-match": response["ETag"]}).status_code == 304

    with django_capture_on_commit_callbacks(execute=True):
        post_change_form(
            office_client,
            issue,
            official_pdf=SimpleUploadedFile("正式版.pdf", b"%PDF-1.7\nsecond\n%%EOF"),
        )
    second = Issue.objects.get(pk=issue.pk).official_pdf.name
    assert second != first
    assert first not in objects(s3) and second in objects(s3)
    again = anon_client.get(url, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 200 and body(again) == b"%PDF-1.7\nsecond\n%%EOF"


def test_deleting_a_draft_deletes_its_objects(
    s3, office_client, django_capture_on_commit_callbacks
):
    draft = make_issue("draft")
    make_attachment(draft, name="讲话稿.pdf")
    make_attachment(
        draft, name="图.png", content=png_bytes(), content_type="image/png", inline=True
    )
    assert len(objects(s3)) == 2
    url = reverse("admin:bulletins_issue_delete", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Issue.objects.filter(pk=draft.pk).exists() and not Attachment.objects.exists()
    assert objects(s3) == []


def test_attachment_and_inline_picture_download_from_the_bucket(s3, anon_client, client_a):
    issue = make_issue(visibility="public")
    attachment = make_attachment(issue, name="会议讲话稿.pdf", content=b"%PDF-1.4 speech")
    picture = make_attachment(
        issue, name="现场.png", content=png_bytes(), content_type="image/png", inline=True
    )
    got = anon_client.get(reverse("bulletins:attachment_download", args=[issue.pk, attachment.pk]))
    assert got.status_code == 200 and body(got) == b"%PDF-1.4 speech"
    image = anon_client.get(reverse("bulletins:attachment_image", args=[issue.pk, picture.pk]))
    assert image.status_code == 200 and body(image) == png_bytes()
    internal = make_issue(visibility="internal")
    hidden = make_attachment(internal, name="内部.pdf")
    url = reverse("bulletins:attachment_download", args=[internal.pk, hidden.pk])
    assert anon_client.get(url).status_code in (302, 404)
    assert client_a.get(url).status_code == 200


def test_a_new_cover_replaces_both_old_objects_and_the_thumbnail_downloads(
    s3, office_client, anon_client, django_capture_on_commit_callbacks
):
    issue = make_issue(visibility="public")
    post_change_form(
        office_client,
        issue,
        cover=SimpleUploadedFile("封面.png", png_bytes((90, 120)), "image/png"),
    )
    first = Issue.objects.get(pk=issue.pk)
    old = {first.cover.name, first.cover_thumbnail.name}
    assert old <= set(objects(s3)) and len(old) == 2
    thumb = anon_client.get(reverse("bulletins:issue_cover", args=[issue.pk]))
    assert thumb.status_code == 200 and body(thumb).startswith(b"\x89PNG")

    with django_capture_on_commit_callbacks(execute=True):
        post_change_form(
            office_client,
            issue,
            cover=SimpleUploadedFile("新封面.png", png_bytes((60, 80)), "image/png"),
        )
    second = Issue.objects.get(pk=issue.pk)
    covers = {name for name in objects(s3) if name.startswith("covers/")}
    assert covers == {second.cover.name, second.cover_thumbnail.name}
    assert not old & covers


def test_the_generated_pdf_is_stored_once_in_the_bucket(s3, anon_client, monkeypatch):
    from bulletins import pdf_cache

    monkeypatch.setattr(pdf_cache, "render_issue_pdf", lambda issue: b"%PDF-1.4 generated")
    issue = make_issue(visibility="public")
    url = reverse("bulletins:issue_pdf", args=[issue.pk])
    first = anon_client.get(url)
    assert first.status_code == 200 and body(first) == b"%PDF-1.4 generated"
    stored = Issue.objects.get(pk=issue.pk).generated_pdf.name
    assert objects(s3) == [stored]
    assert anon_client.get(url, headers={"if-none-match": first["ETag"]}).status_code == 304
    again = anon_client.get(url)
    assert body(again) == b"%PDF-1.4 generated" and objects(s3) == [stored]
