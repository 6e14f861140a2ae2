"""The unit's form with the Word import, the office's inbox and its filters, and the
steps' refusals as a user sees them."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bulletins.models import Attachment
from bulletins.submissions import services
from bulletins.submissions.models import Submission, SubmissionFile
from portal.files import private_storage
from tests.bulletins.docx_files import bulletin_docx, zip_bomb_docx
from tests.factories import make_submission

pytestmark = pytest.mark.django_db


def form(category, **extra):
    return {
        "category": category.pk,
        "title": "",
        "body": "",
        "author": "李敏",
        "author_phone": "0518-85800001",
        "signer": "张伟",
        **extra,
    }


def test_the_word_import_fills_title_body_and_pictures(
    client_a, category, office_user, draft_issue
):
    docx = SimpleUploadedFile("人社局信息.docx", bulletin_docx())
    response = client_a.post(reverse("submissions:create"), {**form(category), "word_file": docx})
    assert response.status_code == 302
    piece = Submission.objects.get()
    assert piece.title == "全市产改工作推进会议主要精神"
    assert "<h2>一、会议传达了省试点工作会议精神</h2>" in piece.body
    picture = SubmissionFile.objects.get(is_inline=True)
    src = f"/submissions/{piece.pk}/images/{picture.pk}/"
    assert f'src="{src}"' in piece.body
    assert client_a.get(src)["Content-Type"] == "image/png"
    # Adopted, the picture moves into the issue and the body points at the issue's copy.
    services.submit_submission(submission=piece, by=piece.created_by)
    adoption = services.adopt_submission(
        submission=piece, by=office_user, issue=draft_issue, mode="article"
    )
    copy = Attachment.objects.get(issue=draft_issue, is_inline=True)
    assert f'src="/bulletins/{draft_issue.pk}/images/{copy.pk}/"' in adoption.article.body
    assert src not in adoption.article.body


def test_a_hostile_word_file_is_refused_and_leaves_nothing(client_a, category):
    before = set(private_storage().listdir("")[0]) if private_storage().exists("") else set()
    bomb = SimpleUploadedFile("炸弹.docx", zip_bomb_docx())
    data = {**form(category, title="保留的标题"), "word_file": bomb}
    page = client_a.post(reverse("submissions:create"), data).content.decode()
    assert 'value="保留的标题"' in page and "errorlist" in page
    assert not Submission.objects.exists() and not SubmissionFile.objects.exists()
    after = set(private_storage().listdir("")[0]) if private_storage().exists("") else set()
    assert after == before


def test_the_inbox_shows_what_waits_and_filters_narrow(office_client, unit_a, unit_b, category):
    make_submission(unit_a, "pending", title="人社局待处理")
    make_submission(unit_b, "pending", title="新海石化待处理")
    make_submission(unit_a, "adopted", title="人社局已采用")
    make_submission(unit_a, "draft", title="人社局草稿")
    page = office_client.get(reverse("submissions:list")).content.decode()
    assert "人社局待处理" in page and "新海石化待处理" in page
    assert "人社局已采用" not in page and "人社局草稿" not in page
    page = office_client.get(reverse("submissions:list") + f"?status=&unit={unit_b.pk}")
    assert "新海石化待处理" in page.content.decode()
    assert "人社局待处理" not in page.content.decode()
    page = office_client.get(reverse("submissions:list") + "?status=adopted").content.decode()
    assert "人社局已采用" in page and "待处理</a>" not in page.split("<tbody>")[1]
    page = office_client.get(reverse("submissions:list") + "?month=2026-13").content.decode()
    assert "没有信息" in page


def test_a_unit_filtering_for_another_unit_gets_nothing(client_b, unit_a, unit_b):
    make_submission(unit_b, "pending", title="新海石化的")
    page = client_b.get(reverse("submissions:list") + f"?unit={unit_a.pk}").content.decode()
    assert "新海石化的" not in page and "没有信息" in page


def test_the_inbox_costs_the_same_queries_for_many_rows(
    office_client, unit_a, category, django_assert_max_num_queries
):
    for n in range(25):
        make_submission(unit_a, "pending", title=f"信息{n}")
    with django_assert_max_num_queries(12):
        response = office_client.get(reverse("submissions:list"))
    assert len(re.findall(r"/submissions/\d+/", response.content.decode())) >= 25


def test_a_refused_step_says_why_and_keeps_the_comment(office_client, unit_a):
    piece = make_submission(unit_a, "pending")
    response = office_client.post(
        reverse("submissions:decline", args=[piece.pk]), {"comment": ""}, follow=True
    )
    assert "请填写未采用的原因" in response.content.decode()
    response = office_client.post(
        reverse("submissions:return", args=[piece.pk]),
        {"comment": "请补充", "version": piece.version + 5},
        follow=True,
    )
    page = response.content.decode()
    assert "已被他人修改" in page and "请补充</textarea>" in page
    piece.refresh_from_db()
    assert piece.status == Submission.Status.PENDING


def test_a_csrf_token_is_required(unit_a, office_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    piece = make_submission(unit_a, "pending")
    response = client.post(reverse("submissions:decline", args=[piece.pk]), {"comment": "x"})
    assert response.status_code == 403
    piece.refresh_from_db()
    assert piece.status == Submission.Status.PENDING


def test_the_list_reads_well_on_a_phone_and_in_one_term(office_client, client_a, unit_a, category):
    make_submission(unit_a, "returned", title="人社局退回的")
    page = office_client.get(reverse("submissions:list")).content.decode()
    # One term for the function: the menu and the title say 信息报送, never 信息采编.
    assert "<h1>信息报送</h1>" in page and "信息采编" not in page
    # The filters start closed (the status comes from the tabs) with Chinese empty choices.
    assert re.search(r'<details class="card filters-box"\s*>', page)
    assert "全部单位" in page and "全部栏目" in page and "---------" not in page
    page = office_client.get(reverse("submissions:list") + f"?unit={unit_a.pk}").content.decode()
    assert re.search(r'<details class="card filters-box"\s*open>', page)
    # Each cell names its column so the table stacks on a phone.
    page = client_a.get(reverse("submissions:list") + "?status=returned").content.decode()
    assert 'data-label="状态"' in page and 'data-label="栏目"' in page
    assert re.search(r'<details class="card filters-box"\s*open>', page)


def test_the_forms_name_their_empty_choices(client_a, office_client, unit_a, draft_issue):
    page = client_a.get(reverse("submissions:create")).content.decode()
    assert "请选择栏目" in page and "---------" not in page
    piece = make_submission(unit_a, "pending")
    page = office_client.get(reverse("submissions:detail", args=[piece.pk])).content.decode()
    assert "不并入已有文章" in page and "---------" not in page
    # The issues are radio buttons whose long titles wrap; the first is chosen.
    assert re.search(rf'type="radio" name="issue" value="{draft_issue.pk}"[^>]*checked', page)
    assert draft_issue.title in page
