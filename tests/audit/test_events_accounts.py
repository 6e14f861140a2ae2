"""Sign-in, sign-out, failed sign-ins, lock-outs and account changes reach the audit trail."""

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.contrib.auth.models import Group
from django.test import Client

from portal.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
DONE, REFUSED = AuditEntry.Result.DONE, AuditEntry.Result.REFUSED
LOGIN = "/accounts/login/"


def _entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def _sign_in(client, username, password=PASSWORD, address="10.0.0.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_sign_in_and_sign_out_are_recorded_with_account_unit_and_address(user_a):
    client = Client()
    assert _sign_in(client, "renshe").status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR="10.0.0.5")
    (signed_in,) = _entries("auth.sign_in")
    (signed_out,) = _entries("auth.sign_out")
    for entry in (signed_in, signed_out):
        assert (entry.actor, entry.actor_name, entry.unit_name, entry.address) == (
            user_a,
            "renshe",
            "市人社局",
            "10.0.0.5",
        )
        assert entry.result == DONE


def test_a_failed_sign_in_is_recorded_as_refused_with_the_name_typed(user_a):
    _sign_in(Client(), "renshe", password="wrong-password")
    (entry,) = _entries("auth.sign_in_failed")
    assert entry.result == REFUSED and entry.reason == "用户名或密码错误"
    assert entry.actor is None and entry.actor_name == "renshe"
    assert entry.address == "10.0.0.5"
    assert not _entries("auth.sign_in")


def test_lock_out_and_its_release_are_recorded(user_a, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "renshe", password="wrong-password")
    assert len(_entries("auth.sign_in_failed")) == settings.AXES_FAILURE_LIMIT - 1
    (locked,) = _entries("auth.locked_out")
    assert locked.result == REFUSED and locked.actor_name == "renshe"
    assert f"{settings.AXES_FAILURE_LIMIT} 次" in locked.reason
    # Still locked: the right password is refused, and that is recorded too.
    assert _sign_in(client, "renshe").status_code == 429
    assert len(_entries("auth.locked_out")) == 2
    reset(username="renshe")
    (released,) = _entries("auth.lockout_released")
    assert released.object_label == "renshe" and "10.0.0.5" in released.detail
    assert not AccessAttempt.objects.exists()
    assert _sign_in(client, "renshe").status_code == 302


def test_creating_deactivating_and_moving_an_account_are_recorded(unit_a, unit_b):
    user = UserFactory(username="zhang", unit=unit_a, first_name="三", last_name="张")
    user.is_active = False
    user.save()
    user.is_active = True
    user.unit = unit_b
    user.save()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [
        "account.create",
        "account.deactivate",
        "account.reactivate",
        "account.unit",
    ]
    moved = _entries("account.unit")[0]
    assert moved.detail == "市人社局 → 江苏新海石化有限公司"
    assert moved.object_id == str(user.pk) and moved.object_label.startswith("zhang")


def test_a_sign_in_records_no_account_change(user_a):
    before = AuditEntry.objects.count()
    _sign_in(Client(), "renshe")
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.latest("id").action == "auth.sign_in"


def test_changes_made_in_the_admin_name_the_administrator(admin_user, user_a):
    client = Client()
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/user/{user_a.pk}/password/",
        {"password1": "Xk4!new-pass", "password2": "Xk4!new-pass", "usable_password": "true"},
        REMOTE_ADDR="10.9.8.7",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (entry,) = _entries("account.password")
    assert (entry.actor, entry.address, entry.object_id) == (admin_user, "10.9.8.7", str(user_a.pk))


def test_groups_and_staff_flags_are_recorded(user_a):
    group = Group.objects.create(name="测试角色")
    user_a.groups.add(group)
    user_a.groups.remove(group)
    user_a.is_staff = True
    user_a.save()
    details = [e.detail for e in _entries("account.groups")]
    assert details == ["加入角色：测试角色", "移出角色：测试角色"]
    (flags,) = _entries("account.permissions")
    assert flags.detail == "is_staff: False → True"
