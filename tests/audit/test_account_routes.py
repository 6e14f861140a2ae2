"""The account pages (accounts namespace), persona by persona."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CLIENTS = {
    "anon": "anon_client",
    "deactivated": "deactivated_client",
    "unit_a": "client_a",
    "office": "office_client",
    "other_staff": "other_staff_client",
    "system_admin": "system_admin_client",
    "security_admin": "security_admin_client",
    "auditor": "auditor_client",
}
SIGNED_IN = ["unit_a", "office", "other_staff", "system_admin", "security_admin", "auditor"]
LOGIN = 302
# route → {persona: status}; GET only (ending sessions takes a POST).
TABLE = {
    "accounts:keepalive": dict.fromkeys(CLIENTS, 204),
    "accounts:end_sessions": dict.fromkeys(CLIENTS, 405) | {"anon": LOGIN, "deactivated": LOGIN},
    "accounts:two_factor": {"anon": LOGIN, "deactivated": LOGIN} | dict.fromkeys(SIGNED_IN, 200),
    # Without an authenticator there is nothing to verify: on to the home page.
    "accounts:otp_verify": {"anon": LOGIN, "deactivated": LOGIN} | dict.fromkeys(SIGNED_IN, 302),
    "accounts:security": {"anon": LOGIN, "deactivated": LOGIN}
    | dict.fromkeys(SIGNED_IN, 404)
    | {"security_admin": 200},
}


@pytest.mark.parametrize("route", list(TABLE))
@pytest.mark.parametrize("persona", list(CLIENTS))
def test_account_routes_answer_each_persona(request, route, persona):
    client = request.getfixturevalue(CLIENTS[persona])
    assert client.get(reverse(route)).status_code == TABLE[route][persona]


def test_the_table_covers_every_account_route():
    from tests.portal.test_routes import _named_routes

    assert {f"accounts:{n}" for ns, n in _named_routes() if ns == "accounts"} == set(TABLE)


def test_ending_sessions_needs_csrf(user_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_a)
    assert client.post(reverse("accounts:end_sessions")).status_code == 403
    assert client.get("/tasks/").status_code == 200
