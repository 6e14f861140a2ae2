"""What every client gets: file names it can read, HEAD wherever GET works, no sign-in loop."""

import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bulletins.models import Visibility
from portal.files import ascii_filename, content_disposition
from tests.bulletins.reference import make_issue

# --- Content-Disposition (RFC 6266 appendix D) -----------------------------------


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("市工投集团产业工人队伍建设改革简报2020年第四期.pdf", "2020.pdf"),
        ("附件.docx", "download.docx"),
        ("2026年任务清单.xlsx", "2026.xlsx"),
        ('a "quoted"\\name.pdf', "a_quoted_name.pdf"),
        ("Café Ünïcode.pdf", "Cafe_Unicode.pdf"),
    ],
)
def test_ascii_fallback_keeps_what_ascii_can_say(name, fallback):
    assert ascii_filename(name) == fallback


def test_both_names_are_sent_for_a_chinese_name():
    header = content_disposition("附件.docx")
    assert (
        header == f"attachment; filename=\"download.docx\"; filename*=utf-8''{quote('附件.docx')}"
    )


def test_an_ascii_name_is_sent_once():
    assert content_disposition("tasks.ics", inline=True) == 'inline; filename="tasks.ics"'


def _pdf_issue():
    issue = make_issue(visibility=Visibility.PUBLIC)
    issue.official_pdf.save("office.pdf", _pdf_file())
    return issue


def _pdf_file():
    from django.core.files.base import ContentFile

    return ContentFile(b"%PDF-1.7 the office's own file\n%%EOF\n")


@pytest.mark.django_db
def test_pdf_download_carries_both_names(client):
    issue = _pdf_issue()
    response = client.get(reverse("bulletins:issue_pdf", args=[issue.pk]))
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="2020.pdf"; ')
    assert "filename*=utf-8''%E5%B8%82" in disposition


@pytest.mark.django_db(transaction=True)
def test_curl_and_wget_save_the_file_under_a_name(live_server, tmp_path):
    """curl -OJ reads only ``filename=``; wget --content-disposition prefers ``filename*``."""
    issue = _pdf_issue()
    url = f"{live_server.url}/bulletins/{issue.pk}/pdf/"
    curl_dir = tmp_path / "curl"
    curl_dir.mkdir()
    subprocess.run(["curl", "-sS", "-OJ", url], cwd=curl_dir, check=True, timeout=60)
    assert [p.name for p in curl_dir.iterdir()] == ["2020.pdf"]
    assert (curl_dir / "2020.pdf").read_bytes().startswith(b"%PDF-")

    wget_dir = tmp_path / "wget"
    wget_dir.mkdir()
    subprocess.run(
        ["wget", "-q", "--content-disposition", url], cwd=wget_dir, check=True, timeout=60
    )
    saved = [p.name for p in wget_dir.iterdir()]
    assert saved in (["市工投集团产业工人队伍建设改革简报2020年第四期.pdf"], ["2020.pdf"]), saved
    assert Path(wget_dir / saved[0]).read_bytes().startswith(b"%PDF-")


# --- HEAD wherever GET is answered --------------------------------------------------


def _views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's admin
            yield from _views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _allowed_methods(view) -> list[str] | None:
    """The method list of a ``require_http_methods`` decorator around ``view``, if any."""
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(v, str) and v.isupper() for v in value)
            ):
                return list(value)
        view = getattr(view, "__wrapped__", None)
    return None


def test_every_view_that_answers_get_answers_head():
    """``require_GET`` refuses HEAD (405): load balancers probe with HEAD. Use ``require_safe``."""
    offenders = []
    for route, view in _views():
        methods = _allowed_methods(view)
        if methods and "GET" in methods and "HEAD" not in methods:
            offenders.append(route)
    assert not offenders, f"GET without HEAD: {offenders}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/healthz", "/search/?q=工人", "/bulletins/"])
def test_head_answers_like_get(client, url):
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code == 200
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


# --- No sign-in loop ------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    ["/accounts/login/", "/accounts/login/?next=/accounts/login/", "/accounts/logout/"],
)
def test_signed_in_next_back_to_sign_in_goes_home(client_a, next_url):
    response = client_a.get(f"/accounts/login/?next={quote(next_url)}")
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_signed_in_next_elsewhere_is_followed(client_a):
    response = client_a.get("/accounts/login/?next=/bulletins/")
    assert response.status_code == 302
    assert response["Location"] == "/bulletins/"


@pytest.mark.django_db
def test_signing_in_with_next_to_sign_in_lands_home(client, user_a):
    user_a.set_password("pw-123456-abc")
    user_a.save()
    response = client.post(
        "/accounts/login/?next=/accounts/login/",
        {"username": user_a.username, "password": "pw-123456-abc"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_task_export_and_calendar_name_themselves_for_every_client(client_a):
    response = client_a.get(reverse("tasks:export"))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert ".xlsx\"; filename*=utf-8''%E4%BA%A7%E6%94%B9%E4%BB%BB%E5%8A%A1-" in disposition


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["tasks:assignment_list", "tasks:problem_list", "tasks:calendar"])
def test_task_pages_answer_head(client_a, name):
    get = client_a.get(reverse(name))
    head = client_a.head(reverse(name))
    assert head.status_code == get.status_code == 200
    assert head.content == b""
