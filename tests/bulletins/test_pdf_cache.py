"""The PDF made when an issue is published or edited, its stored key, and what downloads cost."""

import pytest
from django.urls import reverse

from bulletins import pdf_cache, services
from bulletins.models import Article, Issue, Visibility
from bulletins.pdf import issue_pdf, pdf_key
from bulletins.pdf_content import content_digest

from .reference import edit_body, make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def renders(monkeypatch):
    """Counts renders; the bytes are a stand-in (rendering is tested in test_pdf)."""
    calls = []

    def render(issue):
        calls.append(issue.pk)
        return f"%PDF-1.4 issue {issue.pk} {len(calls)}".encode()

    monkeypatch.setattr(pdf_cache, "render_issue_pdf", render)
    return calls


def _stored(issue) -> bool:
    row = Issue.objects.get(pk=issue.pk)
    return bool(row.generated_pdf.name) and row.generated_pdf_key == pdf_key(row)


def test_publishing_stores_the_pdf_before_anyone_downloads(
    renders, office_user, django_capture_on_commit_callbacks
):
    issue = make_issue(status=Issue.Status.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_issue(issue=issue, by=office_user)
    assert renders == [issue.pk]
    assert _stored(issue)
    # The first reader gets the stored file: no render.
    issue_pdf(Issue.objects.get(pk=issue.pk)).file.close()
    assert renders == [issue.pk]


def test_an_edit_of_a_published_issue_renders_again(renders, django_capture_on_commit_callbacks):
    issue = make_issue()
    with django_capture_on_commit_callbacks(execute=True):
        edit_body(issue, "<p>第一次修改。</p>")
    with django_capture_on_commit_callbacks(execute=True):
        edit_body(issue, "<p>第二次修改。</p>")
    assert renders == [issue.pk, issue.pk]
    assert _stored(issue)


def test_drafts_are_not_rendered_on_save(renders, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue = make_issue(status=Issue.Status.DRAFT)
        edit_body(issue, "<p>草稿修改。</p>")
    assert renders == []


def test_the_content_digest_follows_every_part(django_capture_on_commit_callbacks):
    issue = make_issue()
    issue.refresh_from_db()
    before = issue.pdf_content_digest
    assert before == content_digest(issue)
    Article.objects.create(issue=issue, order=2, title="第二篇", body="<p>新文章。</p>")
    issue.refresh_from_db()
    assert issue.pdf_content_digest not in ("", before)
    assert issue.pdf_content_digest == content_digest(issue)
    issue.series.name = "新的简报名称"
    issue.series.save()
    issue.refresh_from_db()
    assert issue.pdf_content_digest == ""  # computed again on the next use
    assert pdf_key(issue) != ""


def test_the_key_costs_no_query(django_assert_num_queries):
    issue = Issue.objects.get(pk=make_issue().pk)
    pdf_key(issue)  # the font fingerprint, once per process
    with django_assert_num_queries(0):
        pdf_key(issue)


@pytest.mark.parametrize("articles", [1, 6])
def test_a_cached_download_costs_the_same_queries_whatever_the_issue_holds(
    renders, anon_client, django_assert_num_queries, articles
):
    issue = make_issue(visibility=Visibility.PUBLIC)
    for n in range(2, articles + 1):
        Article.objects.create(issue=issue, order=n, title=f"第{n}篇", body="<p>正文。</p>")
    url = reverse("bulletins:issue_pdf", args=[issue.pk])
    b"".join(anon_client.get(url).streaming_content)  # stores the PDF
    # The issue (visible_to, with the stored key); record_download opens no
    # transaction for an anonymous reader, who has no receipt: was 9, 3 per article.
    with django_assert_num_queries(1):
        response = anon_client.get(url)
        b"".join(response.streaming_content)
    assert response.status_code == 200
    assert renders == [issue.pk]


def test_a_cached_download_looks_the_stored_file_up_once(renders, anon_client, monkeypatch):
    issue = make_issue(visibility=Visibility.PUBLIC)
    url = reverse("bulletins:issue_pdf", args=[issue.pk])
    b"".join(anon_client.get(url).streaming_content)  # stores the PDF
    storage = pdf_cache._storage()
    looked = []
    for name in ("exists", "get_modified_time"):
        real = getattr(storage, name)
        monkeypatch.setattr(
            storage, name, lambda n, real=real, name=name: looked.append(name) or real(n)
        )
    response = anon_client.get(url)
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4 issue")
    assert looked == ["get_modified_time"]
    assert response["Last-Modified"] and response["ETag"]


def test_a_stored_pdf_removed_after_the_look_up_is_made_again(renders):
    issue = Issue.objects.get(pk=make_issue(visibility=Visibility.PUBLIC).pk)
    issue_pdf(issue).file.close()
    issue = Issue.objects.get(pk=issue.pk)
    validators = pdf_cache.pdf_validators(issue)
    assert validators.stored
    pdf_cache._storage().delete(validators.stored)
    result = issue_pdf(issue, validators=validators)
    assert result.file.read() == f"%PDF-1.4 issue {issue.pk} 2".encode()
    result.file.close()


def test_a_download_reading_a_few_columns_renders_from_the_whole_issue(anon_client, monkeypatch):
    issue = make_issue(visibility=Visibility.PUBLIC, title="整期标题")
    Issue.objects.filter(pk=issue.pk).update(pdf_content_digest="")
    rendered = []

    def render(issue):
        rendered.append((issue.title, issue.get_deferred_fields()))
        return b"%PDF-1.4 whole"

    monkeypatch.setattr(pdf_cache, "render_issue_pdf", render)
    response = anon_client.get(reverse("bulletins:issue_pdf", args=[issue.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 whole"
    assert rendered == [("整期标题", set())]


def test_the_year_zip_packs_stored_pdfs_without_rendering(
    renders, anon_client, office_user, django_capture_on_commit_callbacks
):
    issues = [make_issue(number=n, status=Issue.Status.DRAFT) for n in (1, 2, 3)]
    with django_capture_on_commit_callbacks(execute=True):
        for issue in issues:
            services.publish_issue(issue=issue, by=office_user)
    assert len(renders) == 3
    response = anon_client.get(reverse("bulletins:year_zip", args=[2020]))
    body = b"".join(response.streaming_content)
    assert len(renders) == 3  # nothing rendered while streaming
    for issue in issues:
        assert f"%PDF-1.4 issue {issue.pk}".encode() in body
