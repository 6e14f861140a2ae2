"""The frame every page shares (portal/chrome.py): the navigation each role reaches, the
current page marked, the account links or the sign-in link back to the page, the idle
sign-out's parts on signed-in pages only, in the visitor's language."""

import re

import pytest
from django.test import Client
from django.urls import set_script_prefix

from portal.accounts.roles import AUDITOR, SECURITY_ADMIN, ensure_role_groups
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _site_nav(response) -> str:
    html = response.content.decode()
    return re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', html, re.S).group(1)


def _nav(response) -> list[str]:
    return re.findall(r"<a [^>]*>([^<]+)</a>", _site_nav(response))


def _current(response) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', _site_nav(response))


def test_anonymous_visitors_see_the_public_links_and_sign_in_back_to_the_page(anon_client):
    response = anon_client.get("/bulletins/", {"q": "工人 & 农民"})
    assert _nav(response) == ["首页", "简报", "会议纪要", "搜索"]
    assert _current(response) == ["/bulletins/"]
    html = response.content.decode()
    assert (
        '<a href="/accounts/login/?next=/bulletins/%3Fq%3D%25E5%25B7%25A5%25E4%25BA%25BA'
        '%2B%2526%2B%25E5%2586%259C%25E6%25B0%2591">登录</a>' in html
    )
    assert "data-idle-timeout" not in html
    assert "idle-warning" not in html
    assert "产改领导小组办公室 · " in html


def test_a_unit_user_sees_the_units_links_name_and_sign_out(client_a, user_a):
    response = client_a.get("/")
    assert _nav(response) == ["首页", "简报", "会议纪要", "信息报送", "我的任务", "搜索"]
    assert _current(response) == ["/"]
    html = response.content.decode()
    name = f'<span class="site-user__name">{user_a.display_name} · 人社局</span>'
    assert name in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token and '<form method="post" action="/accounts/logout/"' in html
    assert 'data-idle-timeout="1800" data-keepalive="/accounts/keepalive/"' in html
    assert 'class="idle-warning"' in html
    assert "?next=" not in html


def test_the_office_sees_the_overview_and_the_admin(office_client):
    response = office_client.get("/tasks/overview/")
    assert _nav(response) == [
        "首页",
        "简报",
        "会议纪要",
        "信息报送",
        "任务总览",
        "搜索",
        "管理后台",
    ]
    assert _current(response) == ["/tasks/overview/"]


@pytest.mark.parametrize("role, link", [(AUDITOR, "审计日志"), (SECURITY_ADMIN, "安全管理")])
def test_administrator_roles_see_their_page(role, link):
    user = UserFactory(username="admin-role", is_staff=True, unit=None)
    user.groups.add(ensure_role_groups()[role])
    client = Client()
    client.force_login(user)
    assert _nav(client.get("/")) == ["首页", "简报", "会议纪要", "搜索", link, "管理后台"]


def test_each_language_gets_its_own_labels_in_one_process(client_a):
    chinese = client_a.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client_a.get("/", HTTP_ACCEPT_LANGUAGE="en")
    again = client_a.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert _nav(english)[:3] == ["Home", "Bulletins", "Meeting record"]
    assert (
        _nav(chinese) == _nav(again) == ["首页", "简报", "会议纪要", "信息报送", "我的任务", "搜索"]
    )
    assert 'aria-label="Main navigation"' in english.content.decode()


def test_a_changed_script_prefix_changes_the_links(anon_client):
    """The kept links are per script prefix (the test client never sets one itself)."""
    anon_client.get("/bulletins/")
    set_script_prefix("/portal/")
    try:
        html = anon_client.get("/bulletins/").content.decode()
    finally:
        set_script_prefix("/")
    assert '<a href="/portal/bulletins/" aria-current="page">' in html
    assert '<a class="site-brand" href="/portal/">' in html
    assert 'action="/portal/search/"' in html
    assert '<a class="site-brand" href="/">' in anon_client.get("/").content.decode()


@pytest.mark.parametrize(
    "name, ids",
    [
        ("bulletins:issue_pdf", [7]),
        ("bulletins:attachment_download", [12, 345]),
        ("admin:bulletins_issue_change", [9]),
    ],
)
def test_urls_with_ids_are_what_reverse_gives(name, ids):
    from django.urls import reverse

    from portal.chrome import url_with_ids

    assert url_with_ids(name, *ids) == reverse(name, args=ids)
    set_script_prefix("/portal/")
    try:
        assert url_with_ids(name, *ids) == reverse(name, args=ids)
        assert url_with_ids(name, *ids).startswith("/portal/")
    finally:
        set_script_prefix("/")
