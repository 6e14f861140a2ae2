"""Lifecycle transitions of assignments and reports, each refusal with its code and
nothing changed; optimistic concurrency; evidence uploads."""

import io
import zipfile

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks import selectors, services
from tasks.models import Assignment, Evidence, ProgressReport, Reminder
from tasks.services import assignments
from tests.factories import acknowledged, pdf, png

S = Assignment.Status
R = ProgressReport.Review
pytestmark = pytest.mark.django_db


def snapshot(obj):
    obj.refresh_from_db()
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def refused(code, fn, *objs, **kwargs):
    before = [snapshot(o) for o in objs]
    counts = (ProgressReport.objects.count(), Evidence.objects.count(), Reminder.objects.count())
    with pytest.raises(ValidationError) as info:
        fn(**kwargs)
    assert info.value.code == code or code in [e.code for e in info.value.error_list]
    assert [snapshot(o) for o in objs] == before
    assert (
        ProgressReport.objects.count(),
        Evidence.objects.count(),
        Reminder.objects.count(),
    ) == counts
    return info.value


def submit(assignment, user, **kwargs):
    data = {"period": "2026-06", "text": "进展", "percent": 50} | kwargs
    return services.submit_report(assignment=assignment, by=user, **data)


# --- the happy path through every step ---------------------------------------------


def test_full_lifecycle(assignment_a, user_a, office_user):
    a = assignment_a
    assert a.status == S.PENDING
    a = services.acknowledge_assignment(assignment=a, by=user_a, version=a.version)
    assert a.status == S.ACKNOWLEDGED and a.acknowledged_at
    r1 = submit(a, user_a, percent=40)
    a.refresh_from_db()
    assert a.status == S.IN_PROGRESS and r1.review_status == R.PENDING
    services.return_report(report=r1, by=office_user, version=r1.version, comment="请补充材料")
    r1.refresh_from_db()
    assert r1.review_status == R.RETURNED and r1.review_comment == "请补充材料"
    r1 = services.update_report(
        report=r1, by=user_a, version=r1.version, period="2026-06", text="已补充", percent=45
    )
    assert r1.review_status == R.PENDING
    services.accept_report(report=r1, by=office_user, version=r1.version)
    a.refresh_from_db()
    assert a.progress == 45
    r2 = submit(a, user_a, percent=100, requests_completion=True)
    a.refresh_from_db()
    assert a.status == S.COMPLETION_REQUESTED and a.completion_requested_at
    services.accept_report(report=r2, by=office_user, version=r2.version)
    a.refresh_from_db()  # the accepted report moved its progress (and version)
    a = services.close_assignment(assignment=a, by=office_user, version=a.version)
    assert a.status == S.CLOSED and a.closed_at and a.progress == 100
    # Revisions are kept (django-simple-history).
    assert a.history.count() >= 5


def test_returned_completion_request_goes_back_to_in_progress(assignment_a, user_a, office_user):
    acknowledged(assignment_a, user_a)
    r = submit(assignment_a, user_a, percent=100, requests_completion=True)
    services.return_report(report=r, by=office_user, version=r.version, comment="证据不足")
    assignment_a.refresh_from_db()
    assert assignment_a.status == S.IN_PROGRESS and assignment_a.completion_requested_at is None


# --- refusals: right, state, version ------------------------------------------------


def test_unit_b_cannot_act_on_unit_a(assignment_a, user_a, user_b):
    with pytest.raises(PermissionDenied):
        services.acknowledge_assignment(assignment=assignment_a, by=user_b)
    acknowledged(assignment_a, user_a)
    with pytest.raises(PermissionDenied):
        submit(assignment_a, user_b)
    assert not ProgressReport.objects.exists()


def test_units_cannot_review_close_remind_or_score(report_a, user_a, plan, unit_a):
    for fn, kwargs in [
        (services.accept_report, {"report": report_a, "version": None}),
        (services.return_report, {"report": report_a, "version": None, "comment": "x"}),
        (services.close_assignment, {"assignment": report_a.assignment}),
        (services.send_reminder, {"assignments": [report_a.assignment], "message": "x"}),
        (services.score_unit, {"plan": plan, "unit": unit_a, "score": 90}),
    ]:
        with pytest.raises(PermissionDenied):
            fn(by=user_a, **kwargs)
    report_a.refresh_from_db()
    assert report_a.review_status == R.PENDING


def test_office_cannot_report_for_a_unit(assignment_a, user_a, office_user):
    acknowledged(assignment_a, user_a)
    with pytest.raises(PermissionDenied):
        submit(assignment_a, office_user)


def test_acknowledge_twice_refused(assignment_a, user_a):
    acknowledged(assignment_a, user_a)
    refused(
        "already_acknowledged",
        services.acknowledge_assignment,
        assignment_a,
        assignment=assignment_a,
        by=user_a,
    )


def test_report_before_acknowledging_refused(assignment_a, user_a):
    refused("not_acknowledged", submit, assignment_a, assignment=assignment_a, user=user_a)


def test_report_while_completion_pending_refused(assignment_a, user_a):
    acknowledged(assignment_a, user_a)
    submit(assignment_a, user_a, requests_completion=True, percent=100)
    refused("completion_pending", submit, assignment_a, assignment=assignment_a, user=user_a)


def test_close_refused_unless_completion_accepted(assignment_a, user_a, office_user):
    refused(
        "not_requested",
        services.close_assignment,
        assignment_a,
        assignment=assignment_a,
        by=office_user,
    )
    acknowledged(assignment_a, user_a)
    submit(assignment_a, user_a, requests_completion=True, percent=100)
    refused(
        "not_accepted",
        services.close_assignment,
        assignment_a,
        assignment=assignment_a,
        by=office_user,
    )


def test_closed_assignment_refuses_everything(assignment_a, user_a, office_user):
    acknowledged(assignment_a, user_a)
    r = submit(assignment_a, user_a, requests_completion=True, percent=100)
    services.accept_report(report=r, by=office_user, version=None)
    services.close_assignment(assignment=assignment_a, by=office_user)
    refused(
        "closed", services.close_assignment, assignment_a, assignment=assignment_a, by=office_user
    )
    refused("closed", submit, assignment_a, assignment=assignment_a, user=user_a)
    refused(
        "closed",
        services.send_reminder,
        assignment_a,
        assignments=[assignment_a],
        by=office_user,
        message="催",
    )


def test_review_twice_refused(report_a, office_user):
    services.accept_report(report=report_a, by=office_user, version=None)
    refused(
        "not_pending",
        services.accept_report,
        report_a,
        report=report_a,
        by=office_user,
        version=None,
    )
    refused(
        "not_pending",
        services.return_report,
        report_a,
        report=report_a,
        by=office_user,
        version=None,
        comment="x",
    )


def test_accepted_report_cannot_be_edited(report_a, user_a, office_user):
    services.accept_report(report=report_a, by=office_user, version=None)
    report_a.refresh_from_db()
    refused(
        "reviewed",
        services.update_report,
        report_a,
        report=report_a,
        by=user_a,
        version=report_a.version,
        period="2026-06",
        text="改",
        percent=10,
    )


def test_return_needs_a_comment(report_a, office_user):
    refused(
        "comment_required",
        services.return_report,
        report_a,
        report=report_a,
        by=office_user,
        version=None,
        comment="  ",
    )


@pytest.mark.parametrize(
    "field,value,code",
    [("period", "2026-13", "period"), ("percent", 101, "percent"), ("text", " ", "text")],
)
def test_bad_report_values_refused(assignment_a, user_a, field, value, code):
    acknowledged(assignment_a, user_a)
    refused(code, submit, assignment_a, assignment=assignment_a, user=user_a, **{field: value})


# --- optimistic concurrency ---------------------------------------------------------


def test_two_reviewers_conflict(report_a, office_user, other_staff, office_group):
    second = other_staff
    second.groups.add(office_group)
    version = report_a.version  # both opened the review page at this version
    services.accept_report(report=report_a, by=office_user, version=version)
    err = refused(
        "conflict",
        services.return_report,
        report_a,
        report=report_a,
        by=second,
        version=version,
        comment="退回",
    )
    assert err.code == "conflict"
    report_a.refresh_from_db()
    assert report_a.review_status == R.ACCEPTED


def test_unit_edit_while_reviewed_conflicts(report_a, user_a, office_user):
    version = report_a.version  # the unit opened the edit form
    services.return_report(report=report_a, by=office_user, version=version, comment="请补充")
    refused(
        "conflict",
        services.update_report,
        report_a,
        report=report_a,
        by=user_a,
        version=version,
        period="2026-06",
        text="改过的",
        percent=50,
    )
    report_a.refresh_from_db()
    assert report_a.review_comment == "请补充" and report_a.text == "人社局进展"


def test_stale_acknowledge_conflicts(assignment_a, user_a):
    refused(
        "conflict",
        services.acknowledge_assignment,
        assignment_a,
        assignment=assignment_a,
        by=user_a,
        version=assignment_a.version + 1,
    )


# --- evidence files ---------------------------------------------------------------


def stored_files():
    from tasks.models import Evidence

    storage = Evidence._meta.get_field("file").storage
    try:
        _dirs, files = storage.listdir("evidence")
    except FileNotFoundError:
        return []
    found = []
    for d in _dirs:
        found += storage.listdir(f"evidence/{d}")[1]
    return found + files


def zip_bomb(name="bomb.docx"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", b"0" * 5_000_000)
    return SimpleUploadedFile(name, buf.getvalue())


@pytest.mark.parametrize(
    "bad,code",
    [
        (lambda: SimpleUploadedFile("page.pdf", b"<html><script>alert(1)</script>"), "mismatch"),
        (
            lambda: SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "file_type",
        ),
        (lambda: SimpleUploadedFile("x.html", b"<html></html>"), "file_type"),
        (zip_bomb, "zip_ratio"),
    ],
)
def test_refused_upload_leaves_no_row_and_no_file(assignment_a, user_a, bad, code):
    acknowledged(assignment_a, user_a)
    before = stored_files()
    refused(code, submit, assignment_a, assignment=assignment_a, user=user_a, files=[pdf(), bad()])
    assert stored_files() == before
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def test_failure_after_storing_deletes_the_files(assignment_a, user_a, monkeypatch):
    acknowledged(assignment_a, user_a)

    def boom(*args, **kwargs):
        raise ValidationError("boom", code="boom")

    # Fail after the files were written (the assignment update comes last).
    monkeypatch.setattr(assignments, "bump", boom)
    before = stored_files()
    with pytest.raises(ValidationError):
        submit(assignment_a, user_a, files=[pdf()])
    assert stored_files() == before
    assert not Evidence.objects.exists()


def test_evidence_stored_privately_under_generated_name(assignment_a, user_a):
    acknowledged(assignment_a, user_a)
    report = submit(assignment_a, user_a, files=[pdf("培训签到表.pdf"), png()])
    names = sorted(e.original_name for e in report.evidence.all())
    assert names == ["培训签到表.pdf", "现场.png"]
    for e in report.evidence.all():
        assert e.file.name.startswith("evidence/") and "培训" not in e.file.name
        path = str(e.file.path)
        assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
        assert not path.startswith(str(settings.MEDIA_ROOT))


# --- reminders ------------------------------------------------------------------------


def test_send_reminder_many_at_once_notifies_and_mails(
    assignment_a, assignment_b, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = services.send_reminder(
            assignments=[assignment_a, assignment_b], by=office_user, message="请于周五前报送"
        )
    assert len(made) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["renshe@example.cn", "xinhai@example.cn"]
    assert "请于周五前报送" in mail.outbox[0].body


def test_mark_reminder_read(reminder_a, user_a, user_b):
    with pytest.raises(PermissionDenied):
        services.mark_reminder_read(reminder=reminder_a, by=user_b)
    services.mark_reminder_read(reminder=reminder_a, by=user_a)
    reminder_a.refresh_from_db()
    assert reminder_a.read_at and reminder_a.read_by == user_a


# --- problems and assessments ------------------------------------------------------------


def test_problem_raised_and_answered(problem_a, office_user, user_b, assignment_b):
    p = services.reply_problem(
        problem=problem_a, by=office_user, reply="已协调", version=problem_a.version
    )
    assert p.status == p.Status.ANSWERED and p.reply == "已协调"
    with pytest.raises(PermissionDenied):
        services.reply_problem(problem=problem_a, by=user_b, reply="x", version=None)
    # A unit may not file a problem about another unit's task.
    other_task = assignment_b.task.plan.tasks.create(
        number="8.8", title="未分派给新海", due_date=p.raised_at.date()
    )
    with pytest.raises(PermissionDenied):
        services.raise_problem(by=user_b, title="t", text="x", task=other_task)


def test_suggested_score_and_scoring(plan, unit_a, user_a, office_user):
    import datetime

    from django.utils import timezone

    from tests.factories import make_task

    past = timezone.localdate() - datetime.timedelta(days=1)
    on_time = Assignment.objects.create(task=make_task(plan, "1.1"), unit=unit_a)
    Assignment.objects.create(task=make_task(plan, "1.2", due=past), unit=unit_a)
    acknowledged(on_time, user_a)
    r = submit(on_time, user_a, requests_completion=True, percent=100)
    services.accept_report(report=r, by=office_user, version=None)
    services.close_assignment(assignment=on_time, by=office_user)
    rates = selectors.unit_rates(plan=plan, unit=unit_a)
    assert rates["suggested"] == 50  # half closed, on time: 100 × (0.6 × ½ + 0.4 × ½)
    a = services.score_unit(plan=plan, unit=unit_a, by=office_user, score="88.5", comment="好")
    assert a.score == pytest.approx(88.5) and a.suggested_score == 50
    refused(
        "conflict",
        services.score_unit,
        a,
        plan=plan,
        unit=unit_a,
        by=office_user,
        score=70,
        version=a.version + 5,
    )
    refused("score", services.score_unit, a, plan=plan, unit=unit_a, by=office_user, score=101)
    # Not numbers at all: a message, never a 500 from Decimal's comparison.
    for bad in ("NaN", "Infinity", "八十", None):
        refused("score", services.score_unit, a, plan=plan, unit=unit_a, by=office_user, score=bad)


def test_assign_units_many_at_once_keeps_existing(
    plan, task, unit_a, unit_b, office_user, assignment_a
):
    from tests.factories import make_task

    t2 = make_task(plan, "2.1")
    made = services.assign_units(
        tasks=[task, t2], units=[unit_a, unit_b], role="cooperate", by=office_user
    )
    assert len(made) == 3  # (task, unit_a) already existed
    assignment_a.refresh_from_db()
    assert assignment_a.role == "lead"


def test_returning_a_progress_report_keeps_a_pending_completion_request(
    assignment_a, user_a, office_user
):
    acknowledged(assignment_a, user_a)
    progress = submit(assignment_a, user_a, percent=90)
    submit_completion = submit(assignment_a, user_a, percent=100, requests_completion=True)
    services.return_report(report=progress, by=office_user, version=None, comment="旧报送不全")
    assignment_a.refresh_from_db()
    assert assignment_a.status == S.COMPLETION_REQUESTED
    assert submit_completion.review_status == R.PENDING
