"""Read receipts (阅读回执): first view, first download and 签收, once per unit."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models.query import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bulletins.models import ReadReceipt
from bulletins.receipts import acknowledge_issue, record_download, record_view
from tests.factories import INTERNAL, PUBLIC, UserFactory, make_attachment, make_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague_a(unit_a):
    """A second user of unit A (市人社局)."""
    return UserFactory(username="renshe2", unit=unit_a, last_name="王")


def test_first_view_is_recorded_once_per_unit(user_a, colleague_a):
    issue = make_issue("published", INTERNAL)
    first = record_view(issue=issue, by=user_a)
    assert first.first_viewed_by == user_a
    again = record_view(issue=issue, by=colleague_a)
    assert ReadReceipt.objects.filter(issue=issue).count() == 1
    assert again.pk == first.pk
    assert again.first_viewed_at == first.first_viewed_at
    assert again.first_viewed_by == user_a


def test_viewing_the_page_records_the_unit_once(client_a, colleague_a, unit_a):
    issue = make_issue("published", PUBLIC)
    url = reverse("bulletins:issue_detail", args=[issue.pk])
    assert client_a.get(url).status_code == 200
    receipt = ReadReceipt.objects.get(issue=issue, unit=unit_a)
    first_time = receipt.first_viewed_at
    other = Client()
    other.force_login(colleague_a)
    other.get(url)
    client_a.get(url)
    receipt.refresh_from_db()
    assert ReadReceipt.objects.filter(issue=issue).count() == 1
    assert receipt.first_viewed_at == first_time
    assert receipt.first_viewed_by.username == "renshe"


def test_each_unit_gets_its_own_receipt(client_a, client_b, unit_a, unit_b):
    issue = make_issue("published", INTERNAL)
    url = reverse("bulletins:issue_detail", args=[issue.pk])
    client_a.get(url)
    client_b.get(url)
    assert set(ReadReceipt.objects.filter(issue=issue).values_list("unit", flat=True)) == {
        unit_a.pk,
        unit_b.pk,
    }


@pytest.mark.parametrize(
    "persona",
    [
        pytest.param("anon", id="the public is no unit"),
        pytest.param("office", id="the office reads for no unit"),
        pytest.param("other_staff", id="staff without a unit read for none"),
        pytest.param("deactivated", id="a switched-off account reads as the public"),
    ],
    indirect=True,
)
def test_office_staff_and_anonymous_views_record_nothing(persona):
    issue = make_issue("published", PUBLIC)
    assert persona.get(reverse("bulletins:issue_detail", args=[issue.pk])).status_code == 200
    assert not ReadReceipt.objects.exists()


def test_office_preview_of_a_draft_records_nothing(office_client, office_user):
    issue = make_issue("draft", PUBLIC)
    office_client.get(reverse("bulletins:issue_detail", args=[issue.pk]))
    assert record_view(issue=issue, by=office_user) is None
    assert not ReadReceipt.objects.exists()


@pytest.mark.parametrize("state", ["draft", "scheduled", "withdrawn"])
def test_nothing_is_recorded_for_an_issue_that_is_not_published(user_a, state):
    issue = make_issue(state, PUBLIC)
    assert record_view(issue=issue, by=user_a) is None
    assert record_download(issue=issue, by=user_a) is None
    assert not ReadReceipt.objects.exists()


def test_first_download_is_kept(user_a, colleague_a, client_a, unit_a):
    issue = make_issue("published", INTERNAL)
    attachment = make_attachment(issue)
    url = reverse("bulletins:attachment_download", args=[issue.pk, attachment.pk])
    assert client_a.get(url).status_code == 200
    receipt = ReadReceipt.objects.get(issue=issue, unit=unit_a)
    first_time = receipt.first_downloaded_at
    assert first_time is not None
    assert receipt.first_downloaded_by == user_a
    record_download(issue=issue, by=colleague_a)
    receipt.refresh_from_db()
    assert receipt.first_downloaded_at == first_time
    assert receipt.first_downloaded_by == user_a


def test_a_download_before_any_view_then_a_view_fills_both(user_a):
    issue = make_issue("published", PUBLIC)
    record_download(issue=issue, by=user_a)
    receipt = record_view(issue=issue, by=user_a)
    assert receipt.first_downloaded_at is not None
    assert receipt.first_viewed_at is not None
    assert ReadReceipt.objects.count() == 1


def test_acknowledging_twice_keeps_the_first(user_a, colleague_a):
    issue = make_issue("published", INTERNAL)
    first = acknowledge_issue(issue=issue, by=user_a)
    assert first.acknowledged_by == user_a
    second = acknowledge_issue(issue=issue, by=colleague_a)
    assert second.acknowledged_at == first.acknowledged_at
    assert second.acknowledged_by == user_a
    assert ReadReceipt.objects.filter(issue=issue).count() == 1


def test_acknowledging_after_a_view_keeps_the_view(user_a):
    issue = make_issue("published", PUBLIC)
    viewed = record_view(issue=issue, by=user_a)
    receipt = acknowledge_issue(issue=issue, by=user_a)
    assert receipt.pk == viewed.pk
    assert receipt.first_viewed_at == viewed.first_viewed_at
    assert receipt.acknowledged_at is not None


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("office_user", id="the office sends issues, it does not sign for a unit"),
        pytest.param("other_staff", id="staff without a unit have no unit to sign for"),
        pytest.param("deactivated_user", id="a switched-off account signs for nobody"),
    ],
)
def test_only_unit_users_acknowledge(request, who):
    issue = make_issue("published", PUBLIC)
    with pytest.raises(PermissionDenied):
        acknowledge_issue(issue=issue, by=request.getfixturevalue(who))
    assert not ReadReceipt.objects.exists()


def test_anonymous_cannot_acknowledge():
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        acknowledge_issue(issue=make_issue("published", PUBLIC), by=AnonymousUser())


@pytest.mark.parametrize("state", ["draft", "withdrawn"])
def test_an_issue_that_is_not_published_cannot_be_acknowledged(user_a, state):
    issue = make_issue(state, PUBLIC)
    with pytest.raises(ValidationError) as excinfo:
        acknowledge_issue(issue=issue, by=user_a)
    assert excinfo.value.code == "not_published"
    assert not ReadReceipt.objects.exists()


def test_losing_the_create_race_keeps_the_winners_first_time(user_a, colleague_a, monkeypatch):
    """Another request creates the unit's receipt between our get and our create.

    The unique (issue, unit) constraint refuses our INSERT; the service must read
    the winner's row and leave its first view untouched.
    """
    issue = make_issue("published", PUBLIC)
    winner_time = timezone.now() - timedelta(minutes=5)
    original_get = QuerySet.get
    raced = []

    def get_after_a_concurrent_create(self, *args, **kwargs):
        if self.model is ReadReceipt and not raced:
            raced.append(True)
            ReadReceipt.objects.create(
                issue=issue,
                unit=colleague_a.unit,
                first_viewed_at=winner_time,
                first_viewed_by=colleague_a,
            )
            raise ReadReceipt.DoesNotExist
        return original_get(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "get", get_after_a_concurrent_create)
    receipt = record_view(issue=issue, by=user_a)
    assert raced
    assert ReadReceipt.objects.filter(issue=issue).count() == 1
    assert receipt.first_viewed_at == winner_time
    assert receipt.first_viewed_by == colleague_a


@pytest.mark.django_db(transaction=True)
def test_concurrent_acknowledgements_by_two_users_of_one_unit(unit_a):
    """Real threads on PostgreSQL: one receipt, one acknowledgement, no error."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections (run with DATABASE_URL=postgres://...)")
    users = [UserFactory(username=f"renshe-{n}", unit=unit_a) for n in range(4)]
    issue = make_issue("published", PUBLIC)
    barrier = threading.Barrier(len(users))
    results, errors = [], []

    def acknowledge(user):
        try:
            barrier.wait()
            results.append(acknowledge_issue(issue=issue, by=user))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=acknowledge, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    receipt = ReadReceipt.objects.get(issue=issue, unit=unit_a)
    assert {r.acknowledged_at for r in results} == {receipt.acknowledged_at}
    assert {r.acknowledged_by_id for r in results} == {receipt.acknowledged_by_id}


# --- the 签收 button -------------------------------------------------------------


def _csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_acknowledge_requires_the_csrf_token(user_a, unit_a):
    issue = make_issue("published", INTERNAL)
    client = _csrf_client(user_a)
    url = reverse("bulletins:issue_acknowledge", args=[issue.pk])
    assert client.post(url).status_code == 403
    assert not ReadReceipt.objects.filter(acknowledged_at__isnull=False).exists()

    client.get(reverse("bulletins:issue_detail", args=[issue.pk]))  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("bulletins:issue_detail", args=[issue.pk])
    receipt = ReadReceipt.objects.get(issue=issue, unit=unit_a)
    assert receipt.acknowledged_by == user_a


def test_acknowledged_issue_shows_who_and_when(client_a, user_a):
    user_a.last_name = "李敏"
    user_a.save()
    issue = make_issue("published", PUBLIC)
    url = reverse("bulletins:issue_detail", args=[issue.pk])
    assert f'action="/bulletins/{issue.pk}/acknowledge/"' in client_a.get(url).content.decode()
    response = client_a.post(reverse("bulletins:issue_acknowledge", args=[issue.pk]), follow=True)
    html = response.content.decode()
    when = timezone.localtime(ReadReceipt.objects.get().acknowledged_at)
    assert f"已签收（{when:%Y}年{when.month}月{when.day}日" in html
    assert "，李敏）" in html
    assert f'action="/bulletins/{issue.pk}/acknowledge/"' not in html


def test_a_colleague_acknowledging_again_is_told_who_did_it_first(client_a, colleague_a):
    issue = make_issue("published", PUBLIC)
    client_a.post(reverse("bulletins:issue_acknowledge", args=[issue.pk]))
    other = Client()
    other.force_login(colleague_a)
    html = other.post(
        reverse("bulletins:issue_acknowledge", args=[issue.pk]), follow=True
    ).content.decode()
    assert "本单位已由" in html
    assert ReadReceipt.objects.get().acknowledged_by.username == "renshe"


def test_acknowledge_is_post_only(client_a):
    issue = make_issue("published", PUBLIC)
    assert client_a.get(reverse("bulletins:issue_acknowledge", args=[issue.pk])).status_code == 405
    assert not ReadReceipt.objects.filter(acknowledged_at__isnull=False).exists()


def test_anonymous_acknowledge_goes_to_the_login_page(anon_client):
    issue = make_issue("published", PUBLIC)
    response = anon_client.post(reverse("bulletins:issue_acknowledge", args=[issue.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not ReadReceipt.objects.exists()


@pytest.mark.parametrize("state", ["draft", "withdrawn"])
def test_a_unit_acknowledging_a_hidden_issue_gets_404(client_a, state):
    issue = make_issue(state, PUBLIC)
    response = client_a.post(reverse("bulletins:issue_acknowledge", args=[issue.pk]))
    assert response.status_code == 404
    assert not ReadReceipt.objects.exists()


def test_office_sees_no_button_and_cannot_acknowledge(office_client):
    issue = make_issue("published", PUBLIC)
    html = office_client.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert "/acknowledge/" not in html
    response = office_client.post(reverse("bulletins:issue_acknowledge", args=[issue.pk]))
    assert response.status_code == 403  # the office may see the issue, but 签收 is a unit's act
    assert not ReadReceipt.objects.exists()


def test_anonymous_sees_no_button(anon_client):
    issue = make_issue("published", PUBLIC)
    html = anon_client.get(reverse("bulletins:issue_detail", args=[issue.pk])).content.decode()
    assert "/acknowledge/" not in html
