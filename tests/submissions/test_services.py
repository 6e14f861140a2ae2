"""Every step of 信息报送 through its service: the right, the state, what changes, and
that a refusal changes nothing."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from bulletins.models import Article, Attachment
from bulletins.submissions import services
from bulletins.submissions.models import Adoption, Submission, SubmissionFile
from tests.factories import make_issue, make_submission, pdf, png

S = Submission.Status
pytestmark = pytest.mark.django_db


def fields(category, **extra):
    return {
        "category": category,
        "title": "市人社局推进技能人才评价",
        "body": "<p>今年以来开展职业技能等级认定1500人次。</p>",
        "author": "李敏",
        "author_phone": "0518-85800001",
        "signer": "",
        **extra,
    }


def test_a_unit_writes_a_draft_with_files(user_a, category):
    s = services.create_submission(by=user_a, fields=fields(category), files=[png(), pdf()])
    assert (s.status, s.unit, s.created_by) == (S.DRAFT, user_a.unit, user_a)
    assert sorted(s.files.values_list("original_name", flat=True)) == ["材料.pdf", "现场.png"]


def test_a_bad_file_refuses_the_draft_and_leaves_nothing(user_a, category):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("报告.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError) as exc:
        services.create_submission(by=user_a, fields=fields(category), files=[fake])
    assert exc.value.code == "mismatch"
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()


@pytest.mark.parametrize("who", ["office_user", "other_staff", "deactivated_user"])
def test_only_a_unit_writes(request, who, category):
    with pytest.raises(PermissionDenied):
        services.create_submission(by=request.getfixturevalue(who), fields=fields(category))
    assert not Submission.objects.exists()


def test_without_a_leader_the_piece_needs_a_signer_then_reaches_the_office(
    user_a, category, office_user
):
    s = services.create_submission(by=user_a, fields=fields(category))
    with pytest.raises(ValidationError) as exc:
        services.submit_submission(submission=s, by=user_a)
    assert exc.value.error_dict["signer"][0].code == "signer"
    s.refresh_from_db()
    assert s.status == S.DRAFT and s.sent_at is None
    s = services.update_submission(submission=s, by=user_a, fields={"signer": "张伟"})
    s = services.submit_submission(submission=s, by=user_a)
    assert s.status == S.PENDING and s.sent_at is not None
    assert Submission.objects.visible_to(office_user).get() == s


def test_with_a_leader_the_piece_waits_for_sign_off(
    user_a, leader_a, category, office_user, django_capture_on_commit_callbacks
):
    s = services.create_submission(by=user_a, fields=fields(category))
    with django_capture_on_commit_callbacks(execute=True):
        s = services.submit_submission(submission=s, by=user_a)
    assert s.status == S.AWAITING_SIGNOFF
    assert not Submission.objects.visible_to(office_user).exists()
    assert [m.to for m in mail.outbox] == [[leader_a.email]]
    assert not services.can_sign_off(user_a, s) and services.can_sign_off(leader_a, s)
    with pytest.raises(PermissionDenied):
        services.sign_off_submission(submission=s, by=user_a)
    s = services.sign_off_submission(submission=s, by=leader_a)
    assert (s.status, s.signed_off_by, s.signer) == (S.PENDING, leader_a, "王局长")
    assert Submission.objects.visible_to(office_user).get() == s


def test_the_leader_returns_with_a_comment_and_the_unit_resubmits(user_a, leader_a, category):
    s = services.submit_submission(
        submission=services.create_submission(by=user_a, fields=fields(category)), by=user_a
    )
    with pytest.raises(ValidationError):
        services.return_for_revision_by_leader(submission=s, by=leader_a, comment=" ")
    s = services.return_for_revision_by_leader(submission=s, by=leader_a, comment="数据请核实")
    assert (s.status, s.leader_comment) == (S.SIGNOFF_RETURNED, "数据请核实")
    s = services.update_submission(submission=s, by=user_a, fields={"title": "修改后的标题"})
    s = services.submit_submission(submission=s, by=user_a)
    assert s.status == S.AWAITING_SIGNOFF


def test_a_leaders_own_piece_is_signed_off_by_sending_it(leader_a, category):
    s = services.create_submission(by=leader_a, fields=fields(category))
    s = services.submit_submission(submission=s, by=leader_a)
    assert (s.status, s.signed_off_by) == (S.PENDING, leader_a)


def test_unit_b_cannot_touch_unit_a_s_piece(user_a, user_b, category):
    s = services.create_submission(by=user_a, fields=fields(category))
    for call in (
        lambda: services.update_submission(submission=s, by=user_b, fields={"title": "改"}),
        lambda: services.submit_submission(submission=s, by=user_b),
    ):
        with pytest.raises(PermissionDenied):
            call()
    s.refresh_from_db()
    assert (s.title, s.status, s.version) == ("市人社局推进技能人才评价", S.DRAFT, 1)


def test_a_stale_version_is_refused(user_a, category):
    s = services.create_submission(by=user_a, fields=fields(category))
    services.update_submission(submission=s, by=user_a, fields={"title": "一"})
    with pytest.raises(ValidationError) as exc:
        services.update_submission(submission=s, by=user_a, fields={"title": "二"}, version=1)
    assert exc.value.code == "conflict"
    s.refresh_from_db()
    assert s.title == "一"


def test_the_office_returns_and_every_version_is_kept(
    user_a, office_user, unit_a, django_capture_on_commit_callbacks
):
    s = make_submission(unit_a, "pending")
    first_sent = s.sent_at
    with pytest.raises(ValidationError):
        services.return_submission(submission=s, by=office_user, comment="")
    with django_capture_on_commit_callbacks(execute=True):
        s = services.return_submission(submission=s, by=office_user, comment="请补充数据")
    assert (s.status, s.office_comment) == (S.RETURNED, "请补充数据")
    assert mail.outbox[-1].to == ["renshe@example.cn"]
    s = services.update_submission(
        submission=s, by=user_a, fields={"body": "<p>补充：1500人。</p>"}
    )
    s = services.submit_submission(submission=s, by=user_a)
    assert s.status == S.PENDING and s.sent_at == first_sent and s.resent_at > first_sent
    bodies = list(s.history.values_list("body", flat=True))
    assert (
        "<p>补充：1500人。</p>" in bodies
        and "<p>全市开展职业技能培训，覆盖职工1200人。</p>" in bodies
    )


def test_the_office_declines_with_a_reason(office_user, user_a, unit_a):
    s = make_submission(unit_a, "pending")
    with pytest.raises(PermissionDenied):
        services.decline_submission(submission=s, by=user_a, comment="x")
    s = services.decline_submission(submission=s, by=office_user, comment="与本期主题无关")
    assert s.status == S.DECLINED
    with pytest.raises(ValidationError) as exc:
        services.return_submission(submission=s, by=office_user, comment="x")
    assert exc.value.code == "state"


def test_adopt_as_a_new_article_links_and_credits_the_unit(
    office_user, unit_a, user_a, draft_issue, django_capture_on_commit_callbacks
):
    user_a.email = "limin@example.cn"
    user_a.save()
    s = make_submission(unit_a, "pending", created_by=user_a)
    with django_capture_on_commit_callbacks(execute=True):
        adoption = services.adopt_submission(
            submission=s, by=office_user, issue=draft_issue, mode="article"
        )
    s.refresh_from_db()
    article = adoption.article
    assert s.status == S.ADOPTED and adoption.level == Adoption.Level.ISSUE
    assert article.issue == draft_issue and article.title == s.title
    assert article.body.endswith("<p>（市人社局供稿）</p>")
    assert list(draft_issue.articles.values_list("title", flat=True))[-1] == s.title
    assert "已采用" in mail.outbox[-1].subject
    assert mail.outbox[-1].to == ["renshe@example.cn", "limin@example.cn"]  # unit and writer


def test_adopt_as_a_section_of_an_existing_article(office_user, unit_a, unit_b, draft_issue):
    article = draft_issue.articles.get()
    for unit, title in ((unit_a, "人社局动态"), (unit_b, "新海石化动态")):
        s = make_submission(unit, "pending", title=title, body="<h2>小标题</h2><p>内容。</p>")
        services.adopt_submission(
            submission=s, by=office_user, issue=draft_issue, mode="section", article=article
        )
    article.refresh_from_db()
    assert article.body == (
        "<p>各单位动态如下。</p>"
        "<h2>人社局动态</h2><h3>小标题</h3><p>内容。</p><p>（市人社局供稿）</p>"
        "<h2>新海石化动态</h2><h3>小标题</h3><p>内容。</p><p>（江苏新海石化有限公司供稿）</p>"
    )
    assert draft_issue.articles.count() == 1


def test_adopting_carries_the_pictures_into_the_issue(user_a, office_user, category, draft_issue):
    s = services.create_submission(by=user_a, fields=fields(category, signer="张伟"), files=[png()])
    s = services.submit_submission(submission=s, by=user_a)
    adoption = services.adopt_submission(
        submission=s, by=office_user, issue=draft_issue, mode="article"
    )
    picture = Attachment.objects.get(issue=draft_issue, is_inline=True)
    assert f"/bulletins/{draft_issue.pk}/images/{picture.pk}/" in adoption.article.body


def test_adopting_into_a_published_issue_or_foreign_article_changes_nothing(
    office_user, unit_a, draft_issue
):
    s = make_submission(unit_a, "pending")
    published = make_issue("published")
    with pytest.raises(ValidationError):
        services.adopt_submission(submission=s, by=office_user, issue=published, mode="article")
    with pytest.raises(ValidationError):
        services.adopt_submission(
            submission=s,
            by=office_user,
            issue=draft_issue,
            mode="section",
            article=published.articles.first(),
        )
    s.refresh_from_db()
    assert s.status == S.PENDING and not Adoption.objects.exists()
    assert Article.objects.filter(issue=draft_issue).count() == 1


def test_upward_adoptions_once_per_level(office_user, unit_a, draft_issue, today):
    s = make_submission(unit_a, "pending")
    with pytest.raises(ValidationError):
        services.record_upward_adoption(
            submission=s, by=office_user, level="city", publication="连云港工运", published_on=today
        )
    services.adopt_submission(submission=s, by=office_user, issue=draft_issue, mode="article")
    services.record_upward_adoption(
        submission=s, by=office_user, level="province", publication="江苏工运", published_on=today
    )
    with pytest.raises(ValidationError) as exc:
        services.record_upward_adoption(
            submission=s, by=office_user, level="province", publication="又一", published_on=today
        )
    assert exc.value.code == "duplicate"
    assert sorted(s.adoptions.values_list("level", flat=True)) == ["issue", "province"]


def test_scoring_rules_are_the_office_s(office_user, user_a):
    with pytest.raises(PermissionDenied):
        services.save_scoring_rule(year=2026, by=user_a, values={"per_piece": 5})
    rule = services.save_scoring_rule(year=2026, by=office_user, values={"per_piece": 5})
    assert rule.per_piece == 5
    with pytest.raises(ValidationError):
        services.save_scoring_rule(year=2026, by=office_user, values={"per_piece": -1})
    rule.refresh_from_db()
    assert rule.per_piece == 5
