"""Who has not signed (签收) an issue: one rule for the 签收情况 page and its column, the 催签
mail and the home panel (bulletins.receipts.unacknowledged_units)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bulletins import services
from bulletins.models import ReadReceipt
from bulletins.receipts import unacknowledged_units
from tests.factories import IssueFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(office_user, unit_a, unit_b):
    """An issue sent to five units; only unit A has signed, and one unit is inactive."""
    units = {
        "a": unit_a,  # signed
        "b": unit_b,  # viewed, not signed
        "no_mail": UnitFactory(name="集团工会", email="", ordering=200),
        "no_users": UnitFactory(name="市财政局", email="caizheng@example.cn", ordering=300),
        "inactive": UnitFactory(name="已撤销单位", email="old@example.cn", active=False),
    }
    UserFactory(username="jituan", unit=units["no_mail"])
    UserFactory(username="chexiao", unit=units["inactive"])
    outsider = UnitFactory(name="不在抄送名单的单位")
    issue = IssueFactory(distribution=list(units.values()))
    services.publish_issue(issue=issue, by=office_user)
    now = timezone.now()
    ReadReceipt.objects.create(issue=issue, unit=unit_a, acknowledged_at=now)
    ReadReceipt.objects.create(issue=issue, unit=unit_b, first_viewed_at=now)
    ReadReceipt.objects.create(issue=issue, unit=outsider, acknowledged_at=now)
    return issue, units


def test_the_rule(sent):
    """Active units on the 抄送 list without an acknowledgement; with or without accounts."""
    issue, units = sent
    assert list(unacknowledged_units(issue)) == [units["b"], units["no_mail"], units["no_users"]]


def test_the_receipts_page_lists_the_same_units(office_client, sent):
    issue, units = sent
    html = office_client.get(reverse("admin:bulletins_issue_receipts", args=[issue.pk]))
    html = html.content.decode()
    pending = html.split('id="pending-units"')[1].split("</ul>")[0]
    listed = {name for name in (u.name for u in units.values()) if name in pending}
    assert listed == {u.name for u in unacknowledged_units(issue)}
    assert "抄送单位 4 个，已签收 1 个。" in html  # the inactive unit is not counted
    assert "已停用，无需签收" in html


def test_the_changelist_column_counts_the_same_units(office_client, sent):
    html = office_client.get("/admin/bulletins/issue/").content.decode()
    assert "1/4 已签收" in html


def test_the_reminder_mails_the_same_units(office_user, sent, django_capture_on_commit_callbacks):
    issue, _units = sent
    with django_capture_on_commit_callbacks(execute=True):
        count = services.remind_unacknowledged_units(issue=issue, by=office_user)
    expected = sorted(u.email for u in unacknowledged_units(issue) if u.email)
    assert (
        sorted(m.to[0] for m in mail.outbox)
        == expected
        == ["caizheng@example.cn", "xinhai@example.cn"]
    )
    assert count == 2


@pytest.mark.parametrize(
    "username, waiting",
    [
        pytest.param("renshe", False, id="unit A has signed"),
        pytest.param("xinhai", True, id="unit B has only viewed it"),
        pytest.param("jituan", True, id="a unit without a liaison address still has to sign"),
        pytest.param("chexiao", False, id="an inactive unit is not expected to sign"),
    ],
)
def test_the_home_panel_waits_for_the_same_units(client, sent, user_a, user_b, username, waiting):
    issue, _units = sent
    client.force_login(UserFactory._meta.model.objects.get(username=username))
    html = client.get("/").content.decode()
    # One heading or the other, by whether the issue came after the account was made.
    listed = "本单位有 1 期简报未签收" in html or "最近 1 期未签收的简报" in html
    assert listed is waiting
    assert ("本单位已签收全部简报" in html) is not waiting
