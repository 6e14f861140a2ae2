"""The Atom feed lists public published issues only, whoever asks."""

import pytest

from tests.factories import INTERNAL, PUBLIC, make_issue

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "persona",
    [
        pytest.param(p, id=f"{p}: the feed is public, the same for everyone")
        for p in ("anon", "unit_a", "office")
    ],
    indirect=True,
)
def test_feed_contains_public_published_issues_only(persona):
    make_issue("published", PUBLIC, title="公开发布的简报")
    make_issue("published", INTERNAL, title="内部发布的简报")
    make_issue("draft", PUBLIC, title="公开的草稿")
    make_issue("scheduled", PUBLIC, title="定时的简报")
    make_issue("withdrawn", PUBLIC, title="撤回的简报")
    response = persona.get("/bulletins/feed/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert "公开发布的简报" in xml
    for hidden in ["内部发布的简报", "公开的草稿", "定时的简报", "撤回的简报"]:
        assert hidden not in xml


def test_feed_links_to_the_issue_page(anon_client):
    issue = make_issue("published", PUBLIC, number=4, summary="会议主要精神")
    xml = anon_client.get("/bulletins/feed/").content.decode()
    assert f"http://testserver/bulletins/{issue.pk}/" in xml
    assert "2020年第四期" in xml
    assert "会议主要精神" in xml
    assert 'xmlns="http://www.w3.org/2005/Atom"' in xml
