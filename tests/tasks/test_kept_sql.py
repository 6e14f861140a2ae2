"""The task list's statements compiled once per audience (portal/kept_sql.py): the key,
``assignment_audience``, names exactly what ``visible_to`` branches on, users of one
audience compile to the same SQL, and the kept statements give every persona the rows
the ORM gives."""

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.accounts.models import acting_unit_id
from portal.accounts.roles import AUDITOR, ensure_role_groups
from portal.kept_sql import compile_query
from tasks import selectors
from tasks.filters import (
    plans_and_categories,
    plans_and_categories_of_rows,
    plans_and_categories_query,
)
from tasks.html import NOTICE_FIELDS
from tasks.models import Assignment, Plan, Task, assignment_audience
from tasks.services import send_reminder
from tasks.views.units import _list_query
from tests.factories import UserFactory, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(office_user, user_a, user_b, unit_a, other_staff):
    leader = UserFactory(username="leader", unit=unit_a, is_unit_leader=True)
    auditor = UserFactory(username="auditor", is_staff=True, unit=None)
    auditor.groups.add(ensure_role_groups()[AUDITOR])
    return {
        "office": office_user,
        "unit": user_a,
        "leader": leader,
        "other unit": user_b,
        "auditor": auditor,
        "other staff": other_staff,
        "anonymous": AnonymousUser(),
    }


def _queries(user, today) -> dict:
    """The list page's statements for ``user``: name -> build."""
    return {
        "rows": lambda: _list_query(today, user, acting_unit_id(user)),
        "plans": lambda: plans_and_categories_query(Task.objects.visible_to(user)),
        "notices": lambda: selectors.unread_notices(user).values(*NOTICE_FIELDS),
    }


def test_the_audience_is_what_visible_to_branches_on(personas, unit_a, unit_b):
    audiences = {name: assignment_audience(user) for name, user in personas.items()}
    assert audiences == {
        "office": ("office",),
        "unit": ("unit", unit_a.pk),
        "leader": ("unit", unit_a.pk),
        "other unit": ("unit", unit_b.pk),
        "auditor": ("none",),
        "other staff": ("none",),
        "anonymous": ("none",),
    }


def test_kept_statements_give_the_orms_rows(
    personas, assignment_a, assignment_b, report_a, office_user, today
):
    send_reminder(assignments=[assignment_a, assignment_b], by=office_user, message="请抓紧")
    seen = {}
    for name, user in personas.items():
        for query, build in _queries(user, today).items():
            rows = compile_query(build()).dicts()
            assert rows == list(build()), (name, query)
            seen[name, query] = rows
    assert seen["unit", "rows"] and seen["office", "rows"] and seen["unit", "notices"]
    assert seen["auditor", "rows"] == seen["anonymous", "plans"] == []
    assert [r["pk"] for r in seen["unit", "rows"]] == [assignment_a.pk]
    assert {r["pk"] for r in seen["office", "rows"]} == {assignment_a.pk, assignment_b.pk}


def test_users_of_one_audience_compile_to_the_same_sql(personas, assignment_a, today):
    def compiled(persona, query):
        kept = compile_query(_queries(personas[persona], today)[query]())
        return kept.sql, kept.params

    for query in ("rows", "plans", "notices"):
        assert compiled("unit", query) == compiled("leader", query)
        assert compiled("unit", query) != compiled("other unit", query)
        assert compiled("auditor", query) == (None, ())  # none(): no statement at all


def test_a_units_whole_list_gives_the_filters_plans_and_categories(
    personas, plan, unit_a, unit_b, today
):
    """The plans and categories worked out from a unit's whole list (its rows' ranks)
    are those the filter's own statement reads, in its order: years newest first,
    titles and categories in the database's order (mixed case, accents, Chinese),
    tasks without a category, plans and categories only another unit has left out."""
    plans = [
        plan,
        Plan.objects.create(year=2025, title="b 清单", status=Plan.Status.ACTIVE),
        Plan.objects.create(year=2025, title="B 清单", status=Plan.Status.ACTIVE),
        Plan.objects.create(year=2025, title="Ä 清单", status=Plan.Status.ACTIVE),
        Plan.objects.create(year=2025, title="a 清单", status=Plan.Status.ACTIVE),
        Plan.objects.create(year=2024, title="中 清单", status=Plan.Status.ACTIVE),
    ]
    unseen = Plan.objects.create(year=2030, title="0 别家的清单", status=Plan.Status.ACTIVE)
    categories = ["素质提升", "", "b类", "B类", "Ä类", "a类", "思想引领"]
    for n in range(14):
        task = make_task(plans[n % len(plans)], f"{n}", category=categories[n % len(categories)])
        Assignment.objects.create(task=task, unit=unit_a)
    other = make_task(unseen, "x", category="0 别家的类别")
    Assignment.objects.create(task=other, unit=unit_b)
    seen = {}
    for name in ("unit", "leader", "other unit"):
        user = personas[name]
        rows = compile_query(_list_query(today, user, acting_unit_id(user))).dicts()
        expected = plans_and_categories(plans_and_categories_query(Task.objects.visible_to(user)))
        assert plans_and_categories_of_rows(rows) == expected, name
        seen[name] = expected
    assert (len(seen["unit"][0]), len(seen["unit"][1])) == (6, 6)
    assert seen["other unit"] == ([(unseen.pk, unseen.title)], [("0 别家的类别", "0 别家的类别")])
