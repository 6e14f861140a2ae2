"""Two-factor sign-in (TOTP) with recovery codes, and staff made to set it up when required."""

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.audit.models import AuditEntry
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _set_up(client):
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post("/accounts/two-factor/", {"action": "confirm", "token": _code(device)})
    codes = response.context["codes"]
    assert len(codes) == 10
    return device, codes


def _password_sign_in(username="renshe"):
    # A code is accepted once per 30-second step: start the next step for the test.
    TOTPDevice.objects.update(last_t=-1)
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_setting_up_needs_a_right_code(client_a):
    client_a.get("/accounts/two-factor/")
    page = client_a.post("/accounts/two-factor/", {"action": "confirm", "token": "000000"})
    assert "验证码不正确" in page.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_sign_in_asks_for_the_code_after_the_password(client_a, user_a):
    device, codes = _set_up(client_a)
    assert AuditEntry.objects.filter(action="account.otp_enabled", actor=user_a).exists()
    client = _password_sign_in()
    response = client.get("/tasks/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/verify/?next=%2Ftasks%2F")
    page = client.post("/accounts/two-factor/verify/", {"token": "123456", "next": "/tasks/"})
    assert "验证码不正确" in page.content.decode()
    failed = AuditEntry.objects.get(action="auth.otp_failed")
    assert failed.result == "refused" and failed.actor == user_a
    # django-otp makes a device wait after a wrong code (1 s, then doubling): let it pass.
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(
        "/accounts/two-factor/verify/", {"token": _code(device), "next": "/tasks/"}
    )
    assert (response.status_code, response["Location"]) == (302, "/tasks/")
    assert client.get("/tasks/").status_code == 200
    assert AuditEntry.objects.filter(action="auth.otp_verified", actor=user_a).exists()


def test_a_recovery_code_works_once(client_a):
    _device, codes = _set_up(client_a)
    first = _password_sign_in()
    assert (
        first.post("/accounts/two-factor/verify/", {"token": codes[0].upper()}).status_code == 302
    )
    assert first.get("/tasks/").status_code == 200
    second = _password_sign_in()
    page = second.post("/accounts/two-factor/verify/", {"token": codes[0]})
    assert page.status_code == 200 and "验证码不正确" in page.content.decode()


def test_too_many_wrong_codes_sign_out(client_a):
    _set_up(client_a)
    client = _password_sign_in()
    for _ in range(5):
        response = client.post("/accounts/two-factor/verify/", {"token": "999999"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert client.get("/tasks/").status_code == 302


def test_an_unsafe_next_address_is_ignored(client_a):
    device, _codes = _set_up(client_a)
    client = _password_sign_in()
    response = client.post(
        "/accounts/two-factor/verify/", {"token": _code(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_staff_must_set_it_up_when_the_setting_is_on(office_client, client_a, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    response = office_client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/two-factor/")
    assert office_client.get("/accounts/two-factor/").status_code == 200
    assert client_a.get("/tasks/").status_code == 200  # unit users stay optional


def test_the_admin_asks_for_the_code_too(office_client, office_user):
    device, _codes = _set_up(office_client)
    client = _password_sign_in("office")
    response = client.get("/admin/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")
    client.post("/accounts/two-factor/verify/", {"token": _code(device)})
    assert client.get("/admin/").status_code == 200
