"""Points of the year: the table, its xlsx export, the unit's own figure and the share
they take in the 考核评价 suggested score."""

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from bulletins.submissions import selectors
from bulletins.submissions.models import ScoringRule
from tasks import selectors as task_selectors
from tasks.models import Assignment, Plan
from tests.factories import UnitFactory, make_adoption, make_submission, make_task

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def at(month, day=10):
    return dt.datetime(2026, month, day, 9, tzinfo=TZ)


@pytest.fixture
def rule(db):
    return ScoringRule.objects.create(year=2026)  # 1 a piece, 3 本刊, 8 省级, quota 2, −2


@pytest.fixture
def pieces(unit_a, draft_issue):
    """Unit A: two pieces in January, one in February (adopted here and by the province)."""
    make_submission(unit_a, "pending", sent_at=at(1, 5))
    make_submission(unit_a, "declined", sent_at=at(1, 20))
    adopted = make_submission(unit_a, "adopted", sent_at=at(2))
    make_adoption(adopted, issue=draft_issue, published_on=dt.date(2026, 2, 20))
    make_adoption(adopted, "province", published_on=dt.date(2026, 3, 1))
    make_submission(unit_a, "draft")  # never sent: counts nowhere
    return adopted


def test_the_year_table_counts_pieces_adoptions_and_missed_months(
    today, rule, pieces, unit_a, unit_b
):
    rows = {r["unit"]: r for r in selectors.year_table(year=2026, today=today)}
    a = rows[unit_a]
    assert (a["sent"], a["adopted"], a["rate"], a["upward_total"]) == (3, 1, 33, 1)
    assert a["missed_months"] == [2, 3, 4, 5]  # June is not over on the 15th
    assert a["points"] == Decimal(3 * 1 + 3 + 8 - 2 * 4)
    assert rows[unit_b]["points"] == Decimal(-2 * 5)
    assert list(rows)[0] == unit_a  # highest first


def test_without_rules_the_defaults_show_but_nothing_counts_in_the_assessment(
    today, pieces, unit_a
):
    assert selectors.unit_points(unit=unit_a, year=2026, today=today)["points"] == 6
    assert selectors.assessment_points(unit=unit_a, year=2026, today=today) is None


def test_the_assessment_adds_the_points_within_the_cap(today, rule, pieces, unit_a, unit_b):
    plan = Plan.objects.create(year=2026, title="2026年任务清单", status=Plan.Status.ACTIVE)
    task = make_task(plan)
    Assignment.objects.create(task=task, unit=unit_a)
    Assignment.objects.create(task=task, unit=unit_b)
    a = task_selectors.unit_rates(plan=plan, unit=unit_a)
    assert a["points"] == 6 and a["suggested"] == a["tasks"] + 6
    b = task_selectors.unit_rates(plan=plan, unit=unit_b)
    assert b["points"] == -10  # −10 by the table, within the cap of 10
    assert b["suggested"] == max(Decimal(0), b["tasks"] - 10)


def test_the_assessment_page_shows_the_points(today, rule, pieces, unit_a, office_client):
    plan = Plan.objects.create(year=2026, title="2026年任务清单", status=Plan.Status.ACTIVE)
    Assignment.objects.create(task=make_task(plan), unit=unit_a)
    page = office_client.get(reverse("tasks:assessment_list", args=[plan.pk])).content.decode()
    assert "信息报送积分" in page and "data-points>6.0<" in page


def test_the_unit_sees_its_own_points(today, rule, pieces, client_a, client_b):
    page = client_a.get(reverse("submissions:list")).content.decode()
    assert "data-points>6.0<" in page
    assert "data-points>-10.0<" in client_b.get(reverse("submissions:list")).content.decode()


def test_the_office_s_table_and_xlsx_export(today, rule, pieces, office_client, unit_a):
    UnitFactory(name='=HYPERLINK("http://x")')
    page = office_client.get(reverse("submissions:points") + "?year=2026").content.decode()
    assert "市人社局" in page and "<strong>6.0</strong>" in page
    response = office_client.get(reverse("submissions:points_export") + "?year=2026")
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "单位" and rows[0][-1] == "积分"
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["市人社局"][1:4] == (3, 1, "33%") and by_name["市人社局"][-1] == 6
    formula = [c for c in sheet["A"] if str(c.value).startswith("=")][0]
    assert formula.data_type == "s"


def test_the_office_edits_the_rules_and_a_bad_value_keeps_the_input(today, office_client):
    address = reverse("submissions:rules", args=[2026])
    data = {
        "per_piece": "2",
        "per_issue": "3",
        "per_city": "5",
        "per_province": "8",
        "per_national": "12",
        "monthly_quota": "3",
        "quota_start_month": "1",
        "missed_month_penalty": "-1",
        "assessment_cap": "10",
    }
    page = office_client.post(address, data).content.decode()
    assert 'value="-1"' in page and not ScoringRule.objects.exists()
    response = office_client.post(address, {**data, "missed_month_penalty": "1"})
    assert response.status_code == 302
    assert ScoringRule.objects.get(year=2026).monthly_quota == 3


def test_the_year_table_costs_four_queries_however_many_units(
    today, rule, pieces, django_assert_num_queries
):
    for n in range(20):
        make_submission(UnitFactory(name=f"单位{n}"), "pending", sent_at=at(3))
    with django_assert_num_queries(4):  # the rules, the units, pieces by month, adoptions
        rows = selectors.year_table(year=2026, today=today)
    assert len(rows) == 21
