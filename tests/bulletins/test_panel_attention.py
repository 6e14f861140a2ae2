"""The home panel lists what needs a unit's attention (what came since its account exists,
else the last few unsigned issues) and leaves the backlog one click away."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import PUBLIC, make_issue

pytestmark = pytest.mark.django_db


def _backlog(unit, n):
    long_ago = timezone.now() - dt.timedelta(days=400)
    issues = []
    for k in range(n):
        issue = make_issue(
            "published", PUBLIC, title=f"旧简报{k}", published_at=long_ago + dt.timedelta(days=k)
        )
        issue.distribution.add(unit)
        issues.append(issue)
    return issues


def test_new_account_sees_what_came_since_and_a_link_to_the_backlog(client_a, user_a, unit_a):
    user_a.date_joined = timezone.now() - dt.timedelta(days=1)
    user_a.save()
    _backlog(unit_a, 4)
    fresh = make_issue("published", PUBLIC, title="新来的简报")
    fresh.distribution.add(unit_a)
    html = client_a.get("/").content.decode()
    assert "本单位有 1 期简报未签收" in html
    assert "新来的简报" in html
    assert "另有 4 期较早的简报未签收，查看全部 →" in html
    assert "/bulletins/?awaiting=on" in html


def test_without_new_issues_the_last_few_remind(client_a, user_a, unit_a):
    user_a.date_joined = timezone.now() - dt.timedelta(days=1)
    user_a.save()
    _backlog(unit_a, 5)
    html = client_a.get("/").content.decode()
    assert "最近 3 期未签收的简报" in html
    assert "本单位有" not in html
    assert "旧简报4" in html and "旧简报2" in html
    assert "另有 2 期较早的简报未签收" in html


def test_issue_list_filters_to_what_the_unit_has_not_signed(client_a, unit_a, unit_b):
    backlog = _backlog(unit_a, 2)
    other = make_issue("published", PUBLIC, title="只抄送新海石化")
    other.distribution.add(unit_b)
    client_a.post(f"/bulletins/{backlog[0].pk}/acknowledge/")
    html = client_a.get("/bulletins/?awaiting=on").content.decode()
    assert "旧简报1" in html
    assert "旧简报0" not in html and "只抄送新海石化" not in html
    assert "只看本单位未签收" in html


def test_the_unsigned_box_is_a_units_only(anon_client, office_client):
    make_issue("published", PUBLIC, title="公开简报")
    for client in (anon_client, office_client):
        html = client.get("/bulletins/?awaiting=on").content.decode()
        assert "只看本单位未签收" not in html and "公开简报" in html
