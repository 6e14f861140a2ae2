"""The task list's statements compiled once per audience (portal/kept_sql.py): the key,
``assignment_audience``, names exactly what ``visible_to`` branches on, users of one
audience compile to the same SQL, and the kept statements give every persona the rows
the ORM gives."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Window

from portal.accounts.roles import AUDITOR, ensure_role_groups
from portal.kept_sql import compile_query
from tasks import selectors
from tasks.filters import plans_and_categories_query
from tasks.html import NOTICE_FIELDS, UNLIT_ROW_FIELDS
from tasks.models import Task, assignment_audience
from tasks.services import send_reminder
from tasks.views.common import listed_assignments
from tests.factories import UserFactory

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
        "rows": lambda: (
            listed_assignments(today, user, lit=False)
            .values(*UNLIT_ROW_FIELDS)
            .annotate(list_count=Window(Count("*")))
        ),
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
