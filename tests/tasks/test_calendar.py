"""Calendar feed (.ics): hashed per-user tokens, revoke and renew, dead when the user is
deactivated or changes unit, only the unit's own dates, text escaped per RFC 5545."""

import re

import pytest
from django.urls import reverse
from icalendar import Calendar

from tasks.models import Assignment, CalendarToken, Milestone
from tests.factories import make_task

pytestmark = pytest.mark.django_db


def issue(client):
    response = client.post(reverse("tasks:calendar"), {"action": "renew"})
    assert response.status_code == 200
    match = re.search(r"(/tasks/calendar/[\w-]+\.ics)", response.content.decode())
    return match.group(1)


def test_token_is_stored_only_as_a_hash(client_a, user_a):
    url = issue(client_a)
    token = url.rsplit("/", 1)[1][: -len(".ics")]
    row = CalendarToken.objects.get(user=user_a)
    assert token not in row.token_hash and len(row.token_hash) == 64
    # The page does not show it again.
    assert token not in client_a.get(reverse("tasks:calendar")).content.decode()


def test_feed_has_own_due_dates_and_milestones_only(
    client_a, anon_client, assignment_a, unit_b, plan
):
    assignment_a.task.title = '宣讲, 进车间; 反斜杠\\ 与"引号"'
    assignment_a.task.requirement = "第一行\n第二行"
    assignment_a.task.save()
    Milestone.objects.create(
        task=assignment_a.task, title="制定方案", due_date=assignment_a.task.due_date
    )
    Assignment.objects.create(task=make_task(plan, "7.7", title="新海的任务"), unit=unit_b)
    url = issue(client_a)
    response = anon_client.get(url)  # calendar apps do not sign in: the URL is the key
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "private" in response["Cache-Control"]
    body = response.content
    cal = Calendar.from_ical(body)
    summaries = [str(e["summary"]) for e in cal.walk("VEVENT")]
    assert any('宣讲, 进车间; 反斜杠\\ 与"引号"' in s for s in summaries)
    assert any("第一行\n第二行" in str(e["description"]) for e in cal.walk("VEVENT"))
    assert any("【节点】制定方案" in s for s in summaries)
    assert not any("新海的任务" in s for s in summaries)
    raw = body.decode()
    assert "宣讲\\, 进车间\\; 反斜杠\\\\" in raw.replace("\r\n ", "")  # RFC 5545 escaping
    assert all(len(line.encode()) <= 75 for line in raw.split("\r\n"))  # folded


def test_revoke_and_renew(client_a, anon_client):
    old = issue(client_a)
    new = issue(client_a)
    assert anon_client.get(old).status_code == 404
    assert anon_client.get(new).status_code == 200
    client_a.post(reverse("tasks:calendar"), {"action": "revoke"})
    assert anon_client.get(new).status_code == 404
    assert not CalendarToken.objects.exists()


def test_dead_when_user_deactivated(client_a, anon_client, user_a):
    url = issue(client_a)
    user_a.is_active = False
    user_a.save()
    assert anon_client.get(url).status_code == 404


def test_dead_when_user_changes_unit(client_a, anon_client, user_a, unit_b):
    url = issue(client_a)
    user_a.unit = unit_b
    user_a.save()
    assert anon_client.get(url).status_code == 404


def test_unknown_or_oversized_token_is_404(anon_client):
    assert anon_client.get(reverse("tasks:calendar_feed", args=["x" * 500])).status_code == 404
