"""Sessions (等保 2.0): idle sign-out with its warning, sign out everywhere (oneself, or any
account by the security administrator), and credentials that die with the account."""

import time

import pytest
from django.test import Client

from portal.accounts import services
from portal.accounts.middleware import LAST_SEEN
from portal.audit.models import AuditEntry
from tasks.models import CalendarToken
from tasks.services import renew_calendar_token
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_an_idle_session_is_signed_out_at_its_next_request(user_a, settings):
    client = _signed_in(user_a)
    assert client.get("/tasks/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 5
    session.save()
    response = client.get("/tasks/", follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/?next=/tasks/")
    assert "长时间未操作，已自动退出" in response.content.decode()
    assert client.get("/tasks/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.sign_out", actor=user_a).exists()


def test_a_session_in_use_stays_and_keepalive_restarts_the_clock(user_a, settings):
    client = _signed_in(user_a)
    client.get("/")
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    assert client.get("/accounts/keepalive/").status_code == 204
    assert client.session[LAST_SEEN] >= int(time.time()) - 2
    assert client.get("/tasks/").status_code == 200


def test_pages_carry_the_timeout_and_the_warning(client_a, anon_client, settings):
    page = client_a.get("/").content.decode()
    assert f'data-idle-timeout="{settings.SESSION_IDLE_TIMEOUT}"' in page
    assert "将在一分钟后自动退出" in page and "js/idle.js" in page
    assert "data-idle-timeout" not in anon_client.get("/").content.decode()


def test_sign_out_everywhere_ends_every_session_of_the_account(user_a):
    here, elsewhere = _signed_in(user_a), _signed_in(user_a)
    response = here.post("/accounts/sessions/end/")
    assert response.status_code == 302
    assert here.get("/tasks/").status_code == 302
    assert elsewhere.get("/tasks/").status_code == 302
    entry = AuditEntry.objects.get(action="account.sessions_ended")
    assert entry.actor == user_a and entry.object_id == str(user_a.pk)
    # The password still works: a new sign-in is a new session.
    client = Client()
    client.post("/accounts/login/", {"username": "renshe", "password": PASSWORD})
    assert client.get("/tasks/").status_code == 200


def test_the_security_administrator_signs_any_account_out(security_admin_client, user_a, user_b):
    victim = _signed_in(user_a)
    response = security_admin_client.post(
        "/accounts/security/", {"sign_out": "renshe"}, follow=True
    )
    assert "renshe 已在所有设备上下线" in response.content.decode()
    assert victim.get("/tasks/").status_code == 302
    # A unit user may not sign another account out; the refusal is recorded.
    with pytest.raises(services.PermissionDenied):
        services.end_sessions(user=user_a, by=user_b)
    refused = AuditEntry.objects.get(action="account.sessions_ended", result="refused")
    assert refused.actor == user_b and "安全管理员" in refused.reason


@pytest.mark.parametrize("change", ["deactivate", "move"])
def test_deactivating_or_moving_an_account_ends_its_sessions_and_calendar(user_a, unit_b, change):
    client = _signed_in(user_a)
    token = renew_calendar_token(by=user_a)
    assert client.get(f"/tasks/calendar/{token}.ics").status_code == 200
    if change == "deactivate":
        user_a.is_active = False
        user_a.save()
        user_a.is_active = True
        user_a.save()
    else:
        user_a.unit = unit_b
        user_a.save()
    assert client.get("/tasks/").status_code == 302  # signed out, even after reactivation
    assert not CalendarToken.objects.filter(user=user_a).exists()
    assert Client().get(f"/tasks/calendar/{token}.ics").status_code == 404
    revoked = AuditEntry.objects.filter(action="calendar.revoke", object_id=str(user_a.pk))
    assert revoked.exists()


def test_the_security_administrator_releases_a_lock_out(
    security_admin_client, security_admin, user_a, settings
):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "renshe", "password": "wrong"})
    page = security_admin_client.get("/accounts/security/").content.decode()
    assert "renshe" in page and "解除锁定" in page
    response = security_admin_client.post("/accounts/security/", {"release": "renshe"}, follow=True)
    assert "已解除 renshe 的锁定" in response.content.decode()
    released = AuditEntry.objects.get(action="auth.lockout_released")
    assert released.actor == security_admin
    assert (
        client.post("/accounts/login/", {"username": "renshe", "password": PASSWORD}).status_code
        == 302
    )
