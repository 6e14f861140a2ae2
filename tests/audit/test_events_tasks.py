"""Task work in the audit trail: reviews, 办结, 催办, scores, extension decisions, calendar
addresses, evidence downloads and the Excel export; refusals too."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal.audit.models import AuditEntry
from tasks import services

pytestmark = pytest.mark.django_db
DONE, REFUSED = AuditEntry.Result.DONE, AuditEntry.Result.REFUSED


def _rows(action):
    return list(
        AuditEntry.objects.filter(action=action)
        .order_by("id")
        .values_list("actor_name", "result", "object_id")
    )


def _completion_report(assignment, user):
    return services.submit_report(
        assignment=assignment,
        by=user,
        period="2026-06",
        text="完成",
        percent=100,
        requests_completion=True,
    )


def test_review_return_and_accept_are_recorded(report_a, office_user, user_a):
    services.return_report(
        report=report_a, by=office_user, version=report_a.version, comment="请补充佐证"
    )
    (returned,) = AuditEntry.objects.filter(action="task.return_report")
    assert (returned.actor_name, returned.detail) == ("office", "请补充佐证")
    assert returned.object_type == "tasks.progressreport"
    assert returned.object_id == str(report_a.pk)
    report = _completion_report(report_a.assignment, user_a)
    with pytest.raises(PermissionDenied):
        services.accept_report(report=report, by=user_a, version=report.version)
    services.accept_report(report=report, by=office_user, version=report.version)
    assert _rows("task.accept_report") == [
        ("renshe", REFUSED, str(report.pk)),
        ("office", DONE, str(report.pk)),
    ]


def test_close_and_accept_and_close_are_recorded(
    assignment_a, assignment_b, office_user, user_a, user_b
):
    services.acknowledge_assignment(assignment=assignment_a, by=user_a)
    report = _completion_report(assignment_a, user_a)
    services.accept_report(report=report, by=office_user, version=report.version, close=True)
    services.acknowledge_assignment(assignment=assignment_b, by=user_b)
    report_b = _completion_report(assignment_b, user_b)
    with pytest.raises(ValidationError):  # not accepted yet
        services.close_assignment(assignment=assignment_b, by=office_user)
    assert _rows("task.close") == [
        ("office", DONE, str(assignment_a.pk)),
        ("office", REFUSED, str(assignment_b.pk)),
    ]
    assert AuditEntry.objects.filter(action="task.close").order_by("id")[0].detail == "通过并办结"
    services.accept_report(report=report_b, by=office_user, version=report_b.version)
    services.close_assignment(assignment=assignment_b, by=office_user)
    assert _rows("task.close")[-1] == ("office", DONE, str(assignment_b.pk))


def test_reminders_are_recorded_with_the_assignments_and_message(assignment_a, office_user, user_a):
    services.send_reminder(assignments=[assignment_a], by=office_user, message="请本周报送")
    with pytest.raises(PermissionDenied):
        services.send_reminder(assignments=[assignment_a], by=user_a, message="越权")
    done, refused = AuditEntry.objects.filter(action="task.remind").order_by("id")
    assert done.object_label == str(assignment_a) and done.detail == "请本周报送"
    assert refused.result == REFUSED and refused.object_label == str(assignment_a)


def test_scores_are_recorded(plan, assignment_a, unit_a, office_user):
    services.score_unit(plan=plan, unit=unit_a, by=office_user, score="95")
    with pytest.raises(ValidationError):
        services.score_unit(plan=plan, unit=unit_a, by=office_user, score="120", version=1)
    done, refused = AuditEntry.objects.filter(action="task.score").order_by("id")
    assert (done.object_label, done.detail) == ("市人社局", f"{plan}：95.0")
    assert refused.result == REFUSED and refused.detail == f"{plan}：120"


def test_extension_decisions_are_recorded(assignment_a, user_a, office_user, today):
    services.acknowledge_assignment(assignment=assignment_a, by=user_a)
    request = services.request_extension(
        assignment=assignment_a,
        by=user_a,
        due_date=assignment_a.task.due_date + dt.timedelta(days=20),
        reason="停产检修",
    )
    services.decline_extension(
        request=request, by=office_user, version=request.version, comment="理由不足"
    )
    (declined,) = AuditEntry.objects.filter(action="task.extension_decline")
    assert declined.detail == "理由不足" and declined.object_id == str(request.pk)


def test_calendar_addresses_issued_renewed_and_revoked(user_a):
    services.renew_calendar_token(by=user_a)
    services.renew_calendar_token(by=user_a)
    services.revoke_calendar_token(by=user_a)
    services.revoke_calendar_token(by=user_a)  # nothing left to revoke: nothing recorded
    calendar = AuditEntry.objects.filter(action__startswith="calendar.").order_by("id")
    actions = list(calendar.values_list("action", "actor_name"))
    assert actions == [
        ("calendar.issue", "renshe"),
        ("calendar.renew", "renshe"),
        ("calendar.revoke", "renshe"),
    ]


def test_evidence_downloads_and_exports_are_recorded(report_a, client_a, user_a):
    evidence = report_a.evidence.get()
    assert client_a.get(f"/tasks/evidence/{evidence.pk}/").status_code == 200
    entry = AuditEntry.objects.get(action="download.evidence")
    assert (entry.actor, entry.object_id, entry.object_label) == (
        user_a,
        str(evidence.pk),
        evidence.original_name,
    )
    assert client_a.get("/tasks/export.xlsx?light=red").status_code == 200
    export = AuditEntry.objects.get(action="export.xlsx")
    assert export.object_label == "产改任务-20260615.xlsx" and export.detail == "light=red"


def _extension_with_evidence(assignment, by):
    from tests.factories import pdf

    return services.request_extension(
        assignment=assignment,
        by=by,
        due_date=assignment.task.due_date + dt.timedelta(days=20),
        reason="停产检修",
        evidence=pdf("停产通知.pdf"),
    )


def test_downloads_of_extension_evidence_are_recorded(assignment_a, user_a, client_a, today):
    services.acknowledge_assignment(assignment=assignment_a, by=user_a)
    request = _extension_with_evidence(assignment_a, user_a)
    assert client_a.get(f"/tasks/extensions/{request.pk}/evidence/").status_code == 200
    entry = AuditEntry.objects.get(action="download.evidence")
    assert (entry.actor, entry.object_label) == (user_a, "停产通知.pdf")
    assert entry.object_type == "tasks.extensionrequest"


def test_refused_evidence_downloads_are_recorded(report_a, assignment_a, user_a, client_b, user_b):
    evidence = report_a.evidence.get()
    request = _extension_with_evidence(assignment_a, user_a)
    assert client_b.get(f"/tasks/evidence/{evidence.pk}/").status_code == 404
    assert client_b.get(f"/tasks/extensions/{request.pk}/evidence/").status_code == 404
    assert client_b.get("/tasks/evidence/999999/").status_code == 404
    rows = AuditEntry.objects.filter(action="download.evidence").order_by("id")
    assert [(e.actor, e.result, e.object_type, e.object_id) for e in rows] == [
        (user_b, REFUSED, "tasks.evidence", str(evidence.pk)),
        (user_b, REFUSED, "tasks.extensionrequest", str(request.pk)),
        (user_b, REFUSED, "tasks.evidence", "999999"),
    ]
    assert all(e.object_label.startswith("#") for e in rows)
