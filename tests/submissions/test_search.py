"""Search finds pieces (信息) for the submitting unit and the office only, and follows
their changes."""

import pytest
from django.urls import reverse

from bulletins.submissions import services
from tests.factories import make_submission

pytestmark = pytest.mark.django_db
URL = reverse("search:search")


def found(client, word) -> bool:
    page = client.get(URL, {"q": word}).content.decode()
    return "找到 <strong>1</strong> 条结果" in page


def test_the_unit_and_the_office_find_a_piece_others_do_not(
    unit_a, client_a, client_b, office_client, anon_client, leader_client
):
    piece = make_submission(unit_a, "pending", body="<p>开展焊工绝技比武。</p>")
    assert found(client_a, "绝技比武") and found(leader_client, "绝技比武")
    assert found(office_client, "绝技比武")
    assert not found(client_b, "绝技比武") and not found(anon_client, "绝技比武")
    page = client_a.get(URL, {"q": "绝技比武"}).content.decode()
    assert reverse("submissions:detail", args=[piece.pk]) in page


def test_a_draft_is_found_by_its_unit_only(unit_a, client_a, office_client):
    make_submission(unit_a, "draft", body="<p>草稿里的独有词甲乙丙。</p>")
    assert found(client_a, "甲乙丙")
    assert not found(office_client, "甲乙丙")


def test_the_index_follows_revisions(user_a, unit_a, client_a, category):
    piece = services.create_submission(
        by=user_a,
        fields={
            "category": category,
            "title": "旧标题",
            "body": "<p>旧的正文。</p>",
            "author": "李敏",
            "author_phone": "1",
            "signer": "张伟",
        },
    )
    services.update_submission(
        submission=piece, by=user_a, fields={"body": "<p>新增钳工技能。</p>"}
    )
    assert found(client_a, "钳工技能") and not found(client_a, "旧的正文")
