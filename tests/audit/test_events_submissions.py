"""信息报送 decisions in the audit trail: return, decline, adopt; refusals too."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from bulletins.submissions import services
from portal.audit.models import AuditEntry
from tests.factories import make_issue, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_issue(db, today):
    return make_issue("draft", year=today.year, articles=[("工作动态", "<p>各单位动态如下。</p>")])


@pytest.fixture
def submission_with_file(user_a, category):
    from tests.factories import pdf

    return services.create_submission(
        by=user_a,
        fields={
            "category": category, "title": "市人社局推进技能人才评价",
            "body": "<p>今年以来开展职业技能等级认定1500人次。</p>", "author": "李敏",
            "author_phone": "0518-85800001", "signer": "",
        },
        files=[pdf("培训名单.pdf")],
    )  # fmt: skip


def _rows(prefix="submission."):
    return list(
        AuditEntry.objects.filter(action__startswith=prefix)
        .order_by("id")
        .values_list("action", "actor_name", "result", "detail")
    )


def test_return_and_decline_are_recorded_with_the_comment(unit_a, office_user, user_a):
    s = make_submission(unit_a, "pending")
    with pytest.raises(ValidationError):
        services.return_submission(submission=s, by=office_user, comment="")
    s = services.return_submission(submission=s, by=office_user, comment="请补充数据")
    t = make_submission(unit_a, "pending")
    with pytest.raises(PermissionDenied):
        services.decline_submission(submission=t, by=user_a, comment="越权")
    services.decline_submission(submission=t, by=office_user, comment="与本刊主题不符")
    assert _rows() == [
        ("submission.return", "office", "refused", ""),
        ("submission.return", "office", "done", "请补充数据"),
        ("submission.decline", "renshe", "refused", "越权"),
        ("submission.decline", "office", "done", "与本刊主题不符"),
    ]
    entry = AuditEntry.objects.filter(action="submission.return", result="done").get()
    assert entry.object_id == str(s.pk) and entry.object_type == "submissions.submission"


def test_adoption_is_recorded_with_the_issue(unit_a, office_user, draft_issue):
    s = make_submission(unit_a, "pending")
    services.adopt_submission(submission=s, by=office_user, issue=draft_issue, mode="article")
    assert _rows() == [("submission.adopt", "office", "done", str(draft_issue))]


def test_downloads_of_submission_files_are_recorded(user_a, client_a, submission_with_file):
    s = submission_with_file
    f = s.files.get()
    assert client_a.get(f"/submissions/{s.pk}/files/{f.pk}/").status_code == 200
    entry = AuditEntry.objects.get(action="download.attachment")
    assert (entry.actor, entry.object_label, entry.object_id) == (user_a, "培训名单.pdf", str(f.pk))


def test_a_refused_submission_file_download_is_recorded(client_b, user_b, submission_with_file):
    s = submission_with_file
    f = s.files.get()
    assert client_b.get(f"/submissions/{s.pk}/files/{f.pk}/").status_code == 404
    entry = AuditEntry.objects.get(action="download.attachment")
    assert (entry.actor, entry.result, entry.object_type, entry.object_id) == (
        user_b,
        AuditEntry.Result.REFUSED,
        "submissions.submissionfile",
        str(f.pk),
    )
    # The entry names no more than the address asked for: not the file's name.
    assert entry.object_label == f"#{f.pk}"
