"""Fixtures of the audit tests: the three administrator roles (三员分立) as personas, and
the task fixtures (a plan, assignments for units A and B, reports) for the task events."""

import pytest
from django.test import Client

from portal.accounts.roles import AUDITOR, SECURITY_ADMIN, SYSTEM_ADMIN, ensure_role_groups
from tests.factories import UserFactory
from tests.submissions.conftest import category  # noqa: F401
from tests.tasks.conftest import (  # noqa: F401
    assignment_a,
    assignment_b,
    plan,
    report_a,
    task,
)


@pytest.fixture
def role_groups(db):
    return ensure_role_groups()


def _role_user(role_groups, username, role, *, staff):
    user = UserFactory(username=username, is_staff=staff, unit=None)
    user.groups.add(role_groups[role])
    return user


@pytest.fixture
def auditor(role_groups):
    return _role_user(role_groups, "auditor", AUDITOR, staff=True)


@pytest.fixture
def system_admin(role_groups):
    return _role_user(role_groups, "sysadmin", SYSTEM_ADMIN, staff=True)


@pytest.fixture
def security_admin(role_groups):
    return _role_user(role_groups, "secadmin", SECURITY_ADMIN, staff=True)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def auditor_client(auditor):
    return _client(auditor)


@pytest.fixture
def system_admin_client(system_admin):
    return _client(system_admin)


@pytest.fixture
def security_admin_client(security_admin):
    return _client(security_admin)
