"""Personas of 信息报送 beside the shared ones: unit A's leader (负责人), a 栏目, a draft issue."""

import pytest
from django.test import Client

from tests.factories import UserFactory, make_category, make_issue


@pytest.fixture
def leader_a(db, unit_a):
    return UserFactory(username="renshe_lead", unit=unit_a, is_unit_leader=True, last_name="王局长")


@pytest.fixture
def leader_client(leader_a):
    client = Client()
    client.force_login(leader_a)
    return client


@pytest.fixture
def category(db):
    return make_category()


@pytest.fixture
def draft_issue(db, today):
    return make_issue("draft", year=today.year, articles=[("工作动态", "<p>各单位动态如下。</p>")])
