"""议定事项 in search: a meeting's decisions are found by whoever may see the meeting,
link to its page (the decision's place in the 议定事项 panel), and follow edits of the
decision and of its meeting."""

import datetime as dt

import pytest
from django.urls import reverse

from tasks import services
from tests.factories import INTERNAL, make_meeting
from tests.search.test_visibility import summary

pytestmark = pytest.mark.django_db
URL = "/search/"


@pytest.fixture
def decisions(office_user, today):
    public = make_meeting(day=today - dt.timedelta(days=3), title="产改工作推进会")
    internal = make_meeting(INTERNAL, day=today - dt.timedelta(days=2), title="内部碰头会")
    return {
        "public": services.add_decision(
            meeting=public, by=office_user, title="面上要坚持全市一盘棋", text="细化分解改革任务。"
        ),
        "internal": services.add_decision(
            meeting=internal, by=office_user, title="点上要助力企业主动推", text="遴选试点企业。"
        ),
    }


@pytest.mark.parametrize(
    ("persona", "word", "found", "reason"),
    [
        ("anon", "全市一盘棋", True, "a public meeting's decisions are for everyone"),
        ("anon", "遴选试点", False, "an internal meeting's decisions are hidden from the public"),
        ("unit_a", "遴选试点", True, "members see internal meetings and so their decisions"),
        ("office", "细化分解", True, "the office finds a decision by its text"),
    ],
    indirect=["persona"],
)
def test_a_decision_is_found_by_who_may_see_its_meeting(decisions, persona, word, found, reason):
    response = persona.get(URL, {"q": word})
    assert response.status_code == 200
    page = response.content.decode()
    if found:
        assert summary(response) == "找到1条结果。", reason
        assert "议定事项" in page
    else:
        assert summary(response) == "没有找到包含这些关键词的内容。", reason
        assert word not in page.replace(f'value="{word}"', "").replace(f"{word} · ", ""), reason


def test_a_hit_links_to_the_decision_on_its_meeting_page(client_a, decisions):
    decision = decisions["public"]
    response = client_a.get(URL, {"q": "全市一盘棋", "type": "decision"})
    meeting = reverse("bulletins:meeting_detail", args=[decision.meeting_id])
    link = f"{meeting}#decision-{decision.pk}"
    assert f'href="{link}"' in response.content.decode()
    # The anchor exists on the meeting page the link opens.
    page = client_a.get(meeting).content.decode()
    assert f'id="decision-{decision.pk}"' in page and "面上要坚持全市一盘棋" in page


def test_the_type_filter_offers_decisions(client_a, decisions):
    response = client_a.get(URL, {"q": "试点", "type": "decision"})
    assert summary(response) == "找到1条结果。"
    assert "点上要助力企业主动推" in response.content.decode()


def test_edits_of_the_decision_and_its_meeting_follow_in_the_index(
    anon_client, office_user, decisions
):
    decision = decisions["public"]
    services.update_decision(decision=decision, by=office_user, title="面上要同发力")
    assert "没有找到" in anon_client.get(URL, {"q": "全市一盘棋"}).content.decode()
    assert summary(anon_client.get(URL, {"q": "同发力"})) == "找到1条结果。"

    meeting = decision.meeting
    meeting.title = "季度调度会"
    meeting.save()
    page = anon_client.get(URL, {"q": "同发力"}).content.decode()
    assert "季度调度会" in page  # the hit's line names the renamed meeting

    services.delete_decision(decision=decision, by=office_user)
    assert "没有找到" in anon_client.get(URL, {"q": "同发力"}).content.decode()
