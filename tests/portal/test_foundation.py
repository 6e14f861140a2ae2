"""Foundation: sign-in, admin access, health check, demo, settings safety."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client, override_settings

from portal.units.models import Unit

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_sign_in_and_out_with_the_form(user_a):
    client = Client(enforce_csrf_checks=False)
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    assert 'name="password"' in page.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "renshe", "password": "test-pass-123"}, follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "市人社局" in html  # the home page greets the unit
    assert response.wsgi_request.user.is_authenticated
    response = client.post("/accounts/logout/", follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert "成员单位登录" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_message(user_a):
    response = Client().post("/accounts/login/", {"username": "renshe", "password": "nope"})
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["__all__"]] == ["invalid_login"]
    assert form["username"].value() == "renshe"  # what was typed is kept
    assert not response.wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_for_that_address(user_a, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "renshe", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "renshe", "password": "test-pass-123"})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


@pytest.mark.django_db
def test_login_next_never_redirects_off_site(user_a):
    response = Client().post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "renshe", "password": "test-pass-123", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


@pytest.mark.django_db
def test_csrf_is_enforced_on_login():
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_unit_user_is_refused_the_admin(client_a):
    response = client_a.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_office_user_reaches_the_admin(office_client):
    response = office_client.get("/admin/")
    assert response.status_code == 200
    assert "成员单位" in response.content.decode()


@pytest.mark.django_db
def test_change_password(client_a, user_a):
    response = client_a.post(
        "/accounts/password/",
        {
            "old_password": "test-pass-123",
            "new_password1": "Another-pass-456",
            "new_password2": "Another-pass-456",
        },
    )
    assert response.status_code == 302
    user_a.refresh_from_db()
    assert user_a.check_password("Another-pass-456")


@pytest.mark.django_db
def test_healthz_ok(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_503_when_database_is_down(anon_client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, *args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
    assert response.json()["database"] == "error: DatabaseError"


@pytest.mark.django_db
def test_404_page_is_chinese(anon_client):
    response = anon_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


@pytest.mark.django_db
def test_500_page_is_chinese(rf):
    from portal.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode()


@pytest.mark.django_db
def test_home_page_for_anonymous_and_for_a_unit(anon_client, client_a):
    assert "成员单位登录" in anon_client.get("/").content.decode()
    html = client_a.get("/").content.decode()
    assert "市人社局" in html
    assert "退出" in html


@pytest.mark.django_db
def test_security_headers(anon_client):
    response = anon_client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_non_staff_user_must_have_a_unit():
    from django.core.exceptions import ValidationError

    user = get_user_model()(username="orphan", is_staff=False, unit=None)
    with pytest.raises(ValidationError) as err:
        user.full_clean()
    assert "必须属于一个成员单位" in str(err.value)


def _demo_rows():
    User = get_user_model()
    return (
        sorted(Unit.objects.values_list("name", "short_name", "kind", "liaison", "active")),
        sorted(User.objects.values_list("username", "unit__name", "is_staff")),
    )


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_load_demo_twice_leaves_the_same_rows(capsys):
    call_command("load_demo", password="same-pass")
    first = _demo_rows()
    call_command("load_demo", password="same-pass")
    assert _demo_rows() == first
    out = capsys.readouterr().out
    assert "renshe" in out and "same-pass" in out and "xinhai" in out and "office" in out
    names = {row[0] for row in first[0]}
    assert {"市人社局", "市国资委", "赣榆区委", "江苏新海石化有限公司"} <= names
    kinds = {row[2] for row in first[0]}
    assert {Unit.Kind.DIRECT, Unit.Kind.DEPARTMENT} <= kinds
    User = get_user_model()
    office = User.objects.get(username="office")
    assert office.is_office
    assert User.objects.get(username="renshe").unit.name == "市人社局"
    assert User.objects.get(username="xinhai").unit.name == "江苏新海石化有限公司"
    assert User.objects.get(username="renshe").check_password("same-pass")


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_load_demo_refuses_with_debug_off():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo")
    assert not get_user_model().objects.filter(username="renshe").exists()


def _manage(args, env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_missing_secret_key_with_debug_off_stops_start_up():
    result = _manage(["check"], {"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "0",
            "SECRET_KEY": "x7#Qm2!vLp9@Rt4$Wz8^Kc1&Nf6*Hb3(Jd5)Gs0_Ye-Ua+Io=Pl~Mn?Tq>Vr<Xw",
            "ALLOWED_HOSTS": "portal.example.cn",
            "VAR_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_private_media_inside_media_root_fails_the_system_check(settings, tmp_path):
    from portal.checks import private_media_outside_public_folders

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "media" / "private")
    errors = private_media_outside_public_folders()
    assert [e.id for e in errors] == ["portal.E001"]
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    assert private_media_outside_public_folders() == []
