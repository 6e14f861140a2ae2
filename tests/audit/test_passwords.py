"""Password rules (等保 2.0 身份鉴别): complexity, not the account name, not a recent
password, changed at first sign-in when someone else set it, reminded and forced by age."""

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from portal.accounts.models import PasswordHistory
from portal.accounts.passwords import character_classes
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _messages(password, user):
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1!", "密码至少需要 8 个字符。"),
        ("abcdefgh12", "密码需包含小写字母、大写字母、数字、符号中的至少 3 类。"),
        ("ABCDEFGHIJ", "密码需包含小写字母、大写字母、数字、符号中的至少 3 类。"),
        ("Renshe#2026", "密码不能包含账号名。"),
        ("ehsner#2026A", "密码不能包含账号名。"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(user_a, password, expected):
    assert expected in _messages(password, user_a)


@pytest.mark.parametrize("password", ["Gongtou#2026", "xk4!mq9zpw", "Q7v@hN2e"])
def test_passwords_of_three_classes_pass(user_a, password):
    assert _messages(password, user_a) == []


def test_character_classes():
    assert [character_classes(p) for p in ["abc", "aB", "aB1", "aB1!", "中文1a"]] == [1, 2, 3, 4, 3]


def test_the_rules_are_settings(user_a, settings):
    settings.PASSWORD_MIN_LENGTH = 12
    settings.PASSWORD_MIN_CLASSES = 4
    assert len(_messages("Gongtou#2026", user_a)) == 0
    assert _messages("Gongtou2026x", user_a) == [
        "密码需包含小写字母、大写字母、数字、符号中的至少 4 类。"
    ]


def test_none_of_the_last_five_passwords(user_a):
    used = [f"Gongtou#{n}x" for n in range(6)]
    for password in used:
        assert _messages(password, user_a) == []
        user_a.set_password(password)
        user_a.save()
    assert PasswordHistory.objects.filter(user=user_a).count() == 6  # the factory's too
    assert "不能使用最近 5 次用过的密码。" in _messages(used[-1], user_a)  # the current one
    assert "不能使用最近 5 次用过的密码。" in _messages(used[1], user_a)
    assert _messages(used[0], user_a) == []  # six changes ago: allowed again


def test_a_password_saved_alone_joins_the_history(user_a):
    """``save(update_fields=["password"])`` after ``set_password`` is a change like any
    other: the old hash joins the history and the password's age starts again."""
    before = user_a.password
    long_ago = timezone.now() - dt.timedelta(days=200)
    type(user_a).objects.filter(pk=user_a.pk).update(password_changed_at=long_ago)
    user_a.set_password("Gongtou#alone1")
    user_a.save(update_fields=["password"])
    assert PasswordHistory.objects.filter(user=user_a, password=before).exists()
    user_a.refresh_from_db()
    assert user_a.password_changed_at > timezone.now() - dt.timedelta(minutes=1)
    assert "不能使用最近 5 次用过的密码。" in _messages("Gongtou#alone1", user_a)


def test_a_hash_upgrade_at_sign_in_is_not_a_change(user_a, settings):
    """Django re-hashes a password with the preferred hasher at sign-in (same password):
    no history row, the password's age unchanged."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    from django.contrib.auth.hashers import make_password

    changed_at = timezone.now() - dt.timedelta(days=3)
    type(user_a).objects.filter(pk=user_a.pk).update(
        password=make_password(PASSWORD, hasher="md5"), password_changed_at=changed_at
    )
    rows = PasswordHistory.objects.filter(user=user_a).count()
    _sign_in(user_a.username)
    user_a.refresh_from_db()
    assert user_a.password.startswith("pbkdf2_sha256$")  # upgraded
    assert PasswordHistory.objects.filter(user=user_a).count() == rows
    assert user_a.password_changed_at == changed_at


def _sign_in(username, password=PASSWORD):
    client = Client()
    assert (
        client.post("/accounts/login/", {"username": username, "password": password}).status_code
        == 302
    )
    return client


def test_a_password_set_by_an_administrator_must_be_changed_at_sign_in(admin_client, user_a):
    response = admin_client.post(
        f"/admin/accounts/user/{user_a.pk}/password/",
        {"password1": "Admin#set2026", "password2": "Admin#set2026", "usable_password": "true"},
    )
    assert response.status_code == 302
    user_a.refresh_from_db()
    assert user_a.must_change_password
    client = _sign_in("renshe", "Admin#set2026")
    for url in ["/", "/tasks/", "/bulletins/"]:
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/accounts/password/")
    page = client.get("/accounts/password/", follow=True)
    assert "您的密码由管理员设置，请先修改密码。" in page.content.decode()
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "Admin#set2026",
            "new_password1": "Mine#2026ok",
            "new_password2": "Mine#2026ok",
        },
    )
    assert response.status_code == 302
    user_a.refresh_from_db()
    assert not user_a.must_change_password
    assert client.get("/tasks/").status_code == 200


def test_a_refused_new_password_keeps_the_rule_and_says_why(user_a):
    user_a.must_change_password = True
    user_a.save(update_fields=["must_change_password"])
    client = _sign_in("renshe")
    page = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert page.status_code == 200 and "密码至少需要 8 个字符。" in page.content.decode()
    assert client.get("/tasks/").status_code == 302


def test_an_old_password_is_reminded_then_forced(user_a):
    user_a.password_changed_at = timezone.now() - dt.timedelta(days=100)
    user_a.save(update_fields=["password_changed_at"])
    client = _sign_in("renshe")
    page = client.get("/").content.decode()
    assert "您的密码已使用 100 天" in page
    assert "您的密码已使用" not in client.get("/").content.decode()  # once per session
    assert client.get("/tasks/").status_code == 200
    user_a.password_changed_at = timezone.now() - dt.timedelta(days=181)
    user_a.save(update_fields=["password_changed_at"])
    response = client.get("/tasks/")
    assert (response.status_code, response["Location"]) == (302, "/accounts/password/")
