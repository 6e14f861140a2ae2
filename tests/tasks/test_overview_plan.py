"""/tasks/overview/ counts the current task list by default, not every year's together."""

from tasks.models import Plan
from tests.factories import make_assignment, make_plan, make_task
from tests.tasks.overview_page import shown_total


def _plans(unit_a, unit_b):
    old = make_plan(2020, "2020年度产改任务清单", status=Plan.Status.CLOSED)
    current = make_plan(2026, "2026年度产改任务清单", status=Plan.Status.ACTIVE)
    make_assignment(make_task(old, "1.1", title="去年的任务"), unit_a)
    make_assignment(make_task(old, "1.2", title="去年的另一项任务"), unit_b)
    make_assignment(make_task(current, "1.1", title="今年的任务"), unit_a)
    return old, current


def test_overview_shows_the_current_plan_by_default(office_client, unit_a, unit_b, today):
    _old, current = _plans(unit_a, unit_b)
    response = office_client.get("/tasks/overview/")
    html = response.content.decode()
    assert "显示当前任务清单：2026年度产改任务清单（2026年）" in html
    assert "今年的任务" in html and "去年的任务" not in html
    assert shown_total(html) == 1
    assert f'<option value="{current.pk}" selected>' in html


def test_overview_shows_every_plan_when_asked(office_client, unit_a, unit_b, today):
    _plans(unit_a, unit_b)
    html = office_client.get("/tasks/overview/?plan=").content.decode()
    assert shown_total(html) == 3
    assert "显示当前任务清单" not in html


def test_overview_shows_the_plan_chosen(office_client, unit_a, unit_b, today):
    old, _current = _plans(unit_a, unit_b)
    response = office_client.get(f"/tasks/overview/?plan={old.pk}")
    html = response.content.decode()
    assert shown_total(html) == 2
    assert "去年的任务" in html and "今年的任务" not in html


def test_the_current_plan_read_with_the_filters_plans_is_the_orms(
    unit_a, unit_b, user_a, user_b, office_user, other_staff, today
):
    """The overview's current task list comes from the filter's plans (``current_plan_of``
    over ``plans_and_categories_query``'s rows): for every persona's visible tasks, the
    plan the ORM's own query (in progress first, newest, by title) finds."""
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Case, Value, When

    from tasks import selectors
    from tasks.filters import plans_and_categories_query
    from tasks.models import Task

    old, current = _plans(unit_a, unit_b)  # unit B has tasks of the old plan only
    first = Case(When(status=Plan.Status.ACTIVE, then=Value(0)), default=Value(1))
    found = {}
    for user in (office_user, user_a, user_b, other_staff, AnonymousUser()):
        tasks = Task.objects.visible_to(user)
        expected = (
            Plan.objects.filter(pk__in=tasks.values("plan_id"))
            .order_by(first, "-year", "title")
            .first()
        )
        plan = selectors.current_plan_of(plans_and_categories_query(tasks))
        assert (plan and plan.pk) == (expected and expected.pk), user
        found[user] = plan
    assert found[user_b].pk == old.pk and found[user_a].pk == current.pk
    assert (found[office_user].title, found[office_user].year) == (current.title, current.year)
