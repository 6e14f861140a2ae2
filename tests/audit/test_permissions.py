"""Who reaches the audit pages: the auditor (审计管理员) only; everyone else signed in gets
404, anonymous and switched-off accounts are sent to sign in."""

import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

CLIENTS = {
    "anon": "anon_client",
    "deactivated": "deactivated_client",
    "unit_a": "client_a",
    "unit_b": "client_b",
    "office": "office_client",
    "other_staff": "other_staff_client",
    "system_admin": "system_admin_client",
    "security_admin": "security_admin_client",
    "auditor": "auditor_client",
}
EXPECTED = {
    "anon": 302,
    "deactivated": 302,
    "unit_a": 404,
    "unit_b": 404,
    "office": 404,
    "other_staff": 404,
    "system_admin": 404,
    "security_admin": 404,
    "auditor": 200,
}
ROUTES = ["audit:entry_list", "audit:export"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("persona", list(CLIENTS))
def test_only_the_auditor_reaches_the_audit_pages(request, route, persona):
    client = request.getfixturevalue(CLIENTS[persona])
    response = client.get(reverse(route))
    assert response.status_code == EXPECTED[persona]
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_the_table_covers_every_audit_route():
    from tests.portal.test_routes import _named_routes

    assert {f"audit:{name}" for ns, name in _named_routes() if ns == "audit"} == set(ROUTES)


def test_the_audit_link_shows_for_the_auditor_only(auditor_client, office_client):
    assert "审计日志" in auditor_client.get("/").content.decode()
    assert "审计日志" not in office_client.get("/").content.decode()


def test_the_security_link_shows_for_the_security_administrator_only(
    security_admin_client, auditor_client, office_client
):
    assert 'href="/accounts/security/"' in security_admin_client.get("/").content.decode()
    for client in (auditor_client, office_client):
        assert 'href="/accounts/security/"' not in client.get("/").content.decode()


def test_an_auditor_without_the_export_right_may_read_but_not_export(auditor, auditor_client):
    from django.contrib.auth.models import Permission

    group = auditor.groups.get()
    group.permissions.remove(Permission.objects.get(codename="export_auditentry"))
    page = auditor_client.get(reverse("audit:entry_list"))
    assert page.status_code == 200 and "导出 Excel" not in page.content.decode()
    assert auditor_client.get(reverse("audit:export")).status_code == 404
    assert not AuditEntry.objects.filter(action="audit.export").exists()
