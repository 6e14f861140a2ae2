"""A task list's status moves draft → active → closed only through ``activate_plan`` and
``close_plan`` (office only), from the admin's actions as from the demo."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tasks import services
from tasks.models import Plan

pytestmark = pytest.mark.django_db
S = Plan.Status


@pytest.fixture
def draft():
    return Plan.objects.create(year=2026, title="2026年任务清单")


def status(plan):
    return Plan.objects.values_list("status", flat=True).get(pk=plan.pk)


def test_activate_then_close(draft, office_user):
    assert services.activate_plan(plan=draft, by=office_user).status == S.ACTIVE
    assert status(draft) == S.ACTIVE
    assert services.close_plan(plan=draft, by=office_user).status == S.CLOSED
    assert status(draft) == S.CLOSED
    assert draft.history.latest().history_user == office_user


@pytest.mark.parametrize(
    "steps,service,code",
    [
        ([], "close_plan", "not_active"),
        (["activate_plan"], "activate_plan", "not_draft"),
        (["activate_plan", "close_plan"], "activate_plan", "not_draft"),
        (["activate_plan", "close_plan"], "close_plan", "not_active"),
    ],
)
def test_illegal_steps_are_refused_with_their_code(draft, office_user, steps, service, code):
    for step in steps:
        getattr(services, step)(plan=draft, by=office_user)
    before = status(draft)
    with pytest.raises(ValidationError) as info:
        getattr(services, service)(plan=draft, by=office_user)
    assert info.value.code == code
    assert status(draft) == before


@pytest.mark.parametrize("service", ["activate_plan", "close_plan"])
def test_only_the_office_moves_a_plan(draft, office_user, user_a, other_staff, service):
    if service == "close_plan":
        services.activate_plan(plan=draft, by=office_user)
    before = status(draft)
    for who in (user_a, other_staff, None):
        with pytest.raises(PermissionDenied):
            getattr(services, service)(plan=draft, by=who)
    assert status(draft) == before


def test_status_is_read_only_in_the_admin(draft, office_client):
    url = reverse("admin:tasks_plan_change", args=[draft.pk])
    assert 'name="status"' not in office_client.get(url).content.decode()
    response = office_client.post(
        url,
        {
            "year": "2026",
            "title": "改名",
            "status": "closed",
            "tasks-TOTAL_FORMS": "0",
            "tasks-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("改名", S.DRAFT)


def test_admin_actions_call_the_services(draft, office_client):
    done = Plan.objects.create(year=2025, title="2025年任务清单")
    changelist = reverse("admin:tasks_plan_changelist")
    office_client.post(changelist, {"action": "activate", "_selected_action": [draft.pk]})
    assert status(draft) == S.ACTIVE
    response = office_client.post(
        changelist, {"action": "close", "_selected_action": [draft.pk, done.pk]}, follow=True
    )
    text = response.content.decode()
    assert "已结束 1 份任务清单。" in text
    assert "1 项未能处理" in text and "只有执行中的任务清单可以结束。" in text
    assert (status(draft), status(done)) == (S.CLOSED, S.DRAFT)
