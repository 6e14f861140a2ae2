"""The audit trail itself: what ``record`` keeps, the helpers' transactions, append-only."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from portal.audit.checks import retention_check
from portal.audit.models import AppendOnlyError, AuditEntry
from portal.audit.request import client_address
from portal.audit.services import audit_step, audited, record
from tests.factories import make_issue

pytestmark = pytest.mark.django_db
DONE, REFUSED = AuditEntry.Result.DONE, AuditEntry.Result.REFUSED


def _entries():
    """The entries a test wrote, without those of the personas' accounts being created."""
    return AuditEntry.objects.exclude(action__startswith="account.")


def test_record_keeps_actor_unit_address_action_object_and_result(user_a):
    issue = make_issue(title="关于推进产改的通知")
    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.user = user_a
    entry = record("download.issue_pdf", obj=issue, request=request)
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor, entry.actor_name, entry.unit_id, entry.unit_name) == (
        user_a,
        "renshe",
        user_a.unit_id,
        "市人社局",
    )
    assert entry.address == "10.1.2.3"
    assert entry.action_label == "下载简报PDF"
    assert (entry.object_type, entry.object_id) == ("bulletins.issue", str(issue.pk))
    assert entry.object_label == str(issue)
    assert entry.result == DONE and entry.at is not None


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError, match="unknown audit action"):
        record("issue.publsh")
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.1"),  # no proxy: the header is the client's own text
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # nginx appended the real peer
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer hops than proxies: the peer
        (1, "not-an-address", None),
    ],
)
def test_the_source_address_honours_the_proxy_setting(settings, count, forwarded, expected):
    settings.PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_a_request_through_the_site_is_recorded_with_its_address(client_a, settings):
    """The middleware hands the request to ``record``: the signed-in account and address."""
    settings.PROXY_COUNT = 1
    client_a.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")
    # Nothing audited on the home page; the middleware left no request behind.
    from portal.audit.request import current_request

    assert current_request() is None


@audited("task.close", obj="thing")
def _service(*, thing, by, refuse=None):
    AuditEntry.objects.create(action="task.remind", result=DONE, object_label="side effect")
    if refuse:
        raise refuse
    return thing


def test_audited_records_success_in_the_services_transaction(office_user):
    issue = make_issue()
    with transaction.atomic():
        _service(thing=issue, by=office_user)
        assert _entries().filter(action="task.close", result=DONE).count() == 1
        transaction.set_rollback(True)
    # The change and its entry roll back together.
    assert not _entries().exists()


@pytest.mark.parametrize(
    ("refusal", "reason"),
    [
        (PermissionDenied("只有产改办可以执行此操作。"), "只有产改办可以执行此操作。"),
        (
            ValidationError(["该期简报已经发布。", "请填写期号。"]),
            "该期简报已经发布。；请填写期号。",
        ),
    ],
)
def test_audited_records_a_refusal_and_rolls_the_work_back(user_a, refusal, reason):
    issue = make_issue(title="待办结")
    with pytest.raises(type(refusal)):
        _service(thing=issue, by=user_a, refuse=refusal)
    entry = _entries().get()  # the side effect rolled back, the refusal stayed
    assert (entry.action, entry.result, entry.reason) == ("task.close", REFUSED, reason)
    assert entry.actor == user_a and entry.object_id == str(issue.pk)


def test_audit_step_records_what_the_block_learnt(office_user):
    issue = make_issue(title="第三期")
    with audit_step("issue.delete", by=office_user) as step:
        step["obj"] = issue
    entry = _entries().get()
    assert entry.object_label == str(issue) and entry.actor_name == "office"

    with pytest.raises(PermissionDenied), audit_step("issue.delete", by=office_user, obj=issue):
        raise PermissionDenied("不可删除")
    refused = _entries().get(result=REFUSED)
    assert refused.reason == "不可删除"


def test_other_errors_record_nothing(office_user):
    with pytest.raises(ZeroDivisionError), audit_step("issue.delete", by=office_user):
        raise ZeroDivisionError
    assert not _entries().exists()


def test_system_actions_have_no_actor():
    entry = record("issue.publish", label="定时发布")
    assert entry.actor is None and entry.actor_name == "" and entry.address is None


def test_the_application_refuses_to_change_or_delete_an_entry():
    entry = record("issue.publish", label="第1期")
    entry.reason = "改过"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="改过")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET reason = 'x'",
        "UPDATE audit_auditentry SET at = at - interval '1 year'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_postgresql_refuses_update_and_delete(sql):
    entry = record("issue.publish", label="第1期")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_a_prune_of_young_rows_even_with_the_setting():
    """Whoever sets the prune variable by hand still cannot delete the last six months."""
    record("issue.publish", label="第1期")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('portal.audit_prune_before', '2999-01-01', true)")
            cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.count() == 1


def test_the_retention_may_not_go_below_six_months(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    assert [e.id for e in retention_check(None)] == ["audit.E001"]
    settings.AUDIT_RETENTION_DAYS = 365
    assert retention_check(None) == []


def test_the_admin_offers_no_add_change_or_delete(admin_client):
    entry = record("issue.publish", label="第1期")
    assert admin_client.get("/admin/audit/auditentry/").status_code == 200
    assert admin_client.get("/admin/audit/auditentry/add/").status_code == 403
    page = admin_client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_entries_are_ordered_newest_first():
    record("issue.publish", label="早")
    AuditEntry.objects.create(
        action="issue.publish",
        result=DONE,
        object_label="旧",
        at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    assert list(AuditEntry.objects.values_list("object_label", flat=True)) == ["早", "旧"]
