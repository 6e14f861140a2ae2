"""The account, security and audit pages fed the control characters Word and WPS paste
(U+000B, U+0000, U+001F, U+007F, U+0085, U+2028): a page or a Chinese message, never a
500; nothing stored keeps them; the audit export still opens (portal/text.py)."""

import io

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from portal.audit.models import AuditEntry
from tests.portal.test_control_characters_in import ALL, dirty, stored_controls
from tests.portal.test_text import CONTROLS, has_control

pytestmark = pytest.mark.django_db

EVERY = [*CONTROLS, ALL]


@pytest.mark.parametrize("ch", EVERY)
def test_sign_in_two_factor_and_password_pages(client_a, user_a, ch):
    anon = Client()
    response = anon.post(reverse("login"), {"username": dirty(ch, 1), "password": dirty(ch, 2)})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = client_a.post(
        reverse("password_change"),
        {
            "old_password": dirty(ch, 1),
            "new_password1": dirty(ch, 2),
            "new_password2": dirty(ch, 2),
        },
    )
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = client_a.post(
        reverse("accounts:two_factor"), {"action": "confirm", "token": dirty(ch, 1)}
    )
    assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    assert stored_controls() == []


@pytest.mark.parametrize("ch", EVERY)
def test_security_page(security_admin_client, user_a, ch):
    for key in ("release", "sign_out"):
        response = security_admin_client.post(
            reverse("accounts:security"), {key: dirty(ch, 1)}, follow=True
        )
        assert response.status_code == 200, key
        assert not has_control(response.content.decode()), key
    assert stored_controls() == []


@pytest.mark.parametrize("ch", EVERY)
def test_audit_page_filters_and_export(auditor_client, ch):
    query = {"account": dirty(ch, 1), "object": dirty(ch, 2)}
    assert auditor_client.get(reverse("audit:entry_list"), query).status_code == 200
    assert auditor_client.get(reverse("audit:export"), query).status_code == 200


def insert_raw(**fields) -> None:
    """An audit entry written around the model (entries cannot be updated: append only)."""
    fields = {
        "at": "2026-06-01 08:00:00+00",
        "actor_name": "",
        "unit_name": "",
        "action": "auth.sign_in_failed",
        "object_type": "",
        "object_id": "",
        "object_label": "",
        "result": "refused",
        "reason": "",
        "detail": "",
        **fields,
    }
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    names = ", ".join(connection.ops.quote_name(k) for k in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})",
            list(fields.values()),
        )


def test_the_audit_export_opens_with_dirty_rows(auditor_client):
    dirty_text = "甲\x0b乙\x01丙\x1f丁\x7f戊\x85己\u2028庚"  # no NUL: PostgreSQL refuses it
    insert_raw(
        actor_name=f"账号{dirty_text}",
        object_label=f"对象{dirty_text}",
        reason=f"原因{dirty_text}",
        detail=f"=详情{dirty_text}",
    )
    page = auditor_client.get(reverse("audit:entry_list"))
    assert page.status_code == 200 and "对象甲" in page.content.decode()
    response = auditor_client.get(reverse("audit:export"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response)))
    cells = [str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r if c.value]
    assert any(c.startswith("对象甲") for c in cells)
    assert not any(has_control(c) for c in cells)


def test_an_entry_recorded_with_dirty_text_is_stored_clean(user_a):
    from portal.audit.services import record

    entry = record("auth.sign_in_failed", actor_name=dirty(ALL, 1), reason=dirty(ALL, 2))
    entry.refresh_from_db()
    assert entry.actor_name == "甲1 乙" and "乙" in entry.reason
    assert not has_control(entry.reason)
