"""Home page panel: the latest issues, and what the unit has not yet acknowledged (签收)."""

import pytest

from tests.factories import INTERNAL, PUBLIC, make_issue

pytestmark = pytest.mark.django_db


def test_unit_user_sees_the_issues_to_acknowledge(client_a, unit_a):
    first = make_issue("published", INTERNAL, title="待签收的内部简报")
    second = make_issue("published", PUBLIC, title="待签收的公开简报")
    draft = make_issue("draft", PUBLIC, title="还是草稿")
    for issue in (first, second, draft):
        issue.distribution.add(unit_a)
    html = client_a.get("/").content.decode()
    assert "本单位有 2 期简报未签收" in html
    assert "待签收的内部简报" in html
    assert "还是草稿" not in html
    client_a.post(f"/bulletins/{first.pk}/acknowledge/")
    html = client_a.get("/").content.decode()
    assert "本单位有 1 期简报未签收" in html


def test_issues_not_sent_to_the_unit_are_not_waiting_for_it(client_a, unit_b):
    issue = make_issue("published", PUBLIC, title="只抄送新海石化")
    issue.distribution.add(unit_b)
    html = client_a.get("/").content.decode()
    assert "只抄送新海石化" in html  # still among the latest issues
    assert "本单位有 1 期简报未签收" not in html


def test_another_units_acknowledgement_does_not_count(client_a, client_b, unit_a, unit_b):
    issue = make_issue("published", PUBLIC)
    issue.distribution.add(unit_a, unit_b)
    client_b.post(f"/bulletins/{issue.pk}/acknowledge/")
    assert "本单位有 1 期简报未签收" in client_a.get("/").content.decode()
    assert "本单位已签收全部简报" in client_b.get("/").content.decode()


def test_anonymous_home_lists_public_issues_only(anon_client):
    make_issue("published", PUBLIC, title="首页公开简报")
    make_issue("published", INTERNAL, title="首页内部简报")
    html = anon_client.get("/").content.decode()
    assert "首页公开简报" in html
    assert "首页内部简报" not in html
    assert "未签收" not in html


def test_no_panel_without_issues(anon_client):
    assert "最新简报" not in anon_client.get("/").content.decode()


def test_office_sees_latest_without_acknowledgement_counts(office_client):
    make_issue("published", PUBLIC, title="办公室看到的简报")
    html = office_client.get("/").content.decode()
    assert "办公室看到的简报" in html
    assert "未签收" not in html
