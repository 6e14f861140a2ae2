"""``acting_unit``: the one answer to "which unit does this user act for"."""

import pytest
from django.contrib.auth.models import AnonymousUser

from portal.accounts.models import acting_unit, acting_unit_id
from tasks.models import Assignment, Plan
from tests.factories import make_task

from ..factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_unit_user_acts_for_its_unit(user_a, unit_a):
    assert acting_unit_id(user_a) == unit_a.pk
    assert acting_unit(user_a) == unit_a


@pytest.mark.parametrize("who", ["anonymous", "none", "inactive", "office_with_unit", "unitless"])
def test_nobody_else_acts_for_a_unit(who, unit_a, office_group):
    user = {
        "anonymous": lambda: AnonymousUser(),
        "none": lambda: None,
        "inactive": lambda: UserFactory(unit=unit_a, is_active=False),
        "unitless": lambda: UserFactory(is_staff=True, unit=None),
        "office_with_unit": lambda: _office_with_unit(unit_a, office_group),
    }[who]()
    assert acting_unit_id(user) is None
    assert acting_unit(user) is None


def _office_with_unit(unit, group):
    user = UserFactory(is_staff=True, unit=unit)
    user.groups.add(group)
    return user


def test_an_office_account_naming_a_unit_still_sees_as_the_office(unit_a, unit_b, office_group):
    """The office acts as the office: it sees every unit's rows, not its own unit's."""
    plan = Plan.objects.create(year=2026, title="清单")
    task = make_task(plan)
    Assignment.objects.create(task=task, unit=unit_a)
    Assignment.objects.create(task=task, unit=unit_b)
    office = _office_with_unit(unit_a, office_group)
    assert Assignment.objects.visible_to(office).count() == 2
