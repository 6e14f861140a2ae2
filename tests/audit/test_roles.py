"""三员分立: each administrator role reaches only its own pages (least privilege)."""

import pytest
from django.contrib.auth import get_user_model

from portal.accounts.roles import AUDITOR, SECURITY_ADMIN, SYSTEM_ADMIN

pytestmark = pytest.mark.django_db

PAGES = {
    "accounts": "/admin/accounts/user/",
    "units": "/admin/units/unit/",
    "issues": "/admin/bulletins/issue/",
    "tasks": "/admin/tasks/plan/",
    "audit": "/audit/",
    "audit_admin": "/admin/audit/auditentry/",
    "security": "/accounts/security/",
    "lockouts": "/admin/axes/accessattempt/",
    "office_overview": "/tasks/overview/",
}
# page → status for system admin, security admin, auditor, office (产改办)
TABLE = {
    "accounts": (200, 200, 403, 200),
    "units": (200, 403, 403, 200),
    "issues": (403, 403, 403, 200),
    "tasks": (403, 403, 403, 200),
    "audit": (404, 404, 200, 404),
    "audit_admin": (403, 403, 200, 403),
    "security": (404, 200, 404, 404),
    "lockouts": (403, 200, 403, 403),
    "office_overview": (404, 404, 404, 200),
}
ROLES = ["system_admin_client", "security_admin_client", "auditor_client", "office_client"]


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("column", range(4), ids=["system", "security", "audit", "office"])
def test_each_role_reaches_only_its_own_pages(request, page, column):
    client = request.getfixturevalue(ROLES[column])
    assert client.get(PAGES[page]).status_code == TABLE[page][column]


def test_the_system_administrator_cannot_grant_superuser_or_roles(
    system_admin_client, user_a, role_groups
):
    page = system_admin_client.get(f"/admin/accounts/user/{user_a.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert AUDITOR not in page and SECURITY_ADMIN not in page
    data = {
        "username": "renshe", "last_name": user_a.last_name, "first_name": "", "email": "",
        "unit": user_a.unit_id, "is_active": "on", "is_superuser": "on",
        "groups": [role_groups[AUDITOR].pk], "last_login_0": "", "last_login_1": "",
        "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
    }  # fmt: skip
    system_admin_client.post(f"/admin/accounts/user/{user_a.pk}/change/", data)
    user_a.refresh_from_db()
    assert not user_a.is_superuser and not user_a.groups.exists()


def test_the_system_administrator_cannot_edit_the_other_administrators(
    system_admin_client, security_admin, auditor
):
    for other in (security_admin, auditor):
        response = system_admin_client.get(f"/admin/accounts/user/{other.pk}/change/")
        assert response.status_code in (302, 404)


def test_the_roles_exist_after_migrate():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {SYSTEM_ADMIN, SECURITY_ADMIN, AUDITOR} <= names
    assert not get_user_model().objects.filter(groups__name=AUDITOR).exists()
