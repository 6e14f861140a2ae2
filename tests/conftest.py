"""Shared fixtures of every app: the personas (anonymous, office, unit A ``renshe``, unit B
``xinhai``, staff outside 产改办, a deactivated user), the ``today`` the clock stands on,
and a signed-in Chromium page for browser tests. Rows are built by tests/factories.py."""

import datetime as dt
import os
import shutil
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import translation

from portal.accounts.services import ensure_office_group

from .factories import PASSWORD, UnitFactory, UserFactory

# The day tests stand on: the middle of a month and of a year, so "this month", "due
# in 7 days" and "this year" mean the same whatever day the suite runs.
TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in English (LocaleMiddleware
    activates the language it asks for, for the rest of the thread) would otherwise
    leave the next test of its worker in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield


@pytest.fixture
def today():
    """Stand the clock on ``TODAY`` at 10:00 in the site's time zone; it ticks on from there.

    Everything that asks the time (``timezone.now()``, ``localdate()``, the live
    server's thread) sees that day. Returns the date.
    """
    start = dt.datetime.combine(TODAY, dt.time(10), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(start, tick=True):
        yield TODAY


@pytest.fixture
def office_group(db):
    return ensure_office_group()


@pytest.fixture
def unit_a(db):
    return UnitFactory(name="市人社局", short_name="人社局", email="renshe@example.cn")


@pytest.fixture
def unit_b(db):
    return UnitFactory(
        name="江苏新海石化有限公司", short_name="新海石化", email="xinhai@example.cn"
    )


@pytest.fixture
def office_user(db, office_group):
    user = UserFactory(username="office", is_staff=True, unit=None)
    user.groups.add(office_group)
    return user


@pytest.fixture
def other_staff(db):
    """Staff outside 产改办: may sign in to the admin, is not the office."""
    return UserFactory(username="otherstaff", is_staff=True, unit=None)


@pytest.fixture
def deactivated_user(db, unit_a):
    """A unit A user whose account was switched off: treated as anonymous everywhere."""
    return UserFactory(username="departed", unit=unit_a, is_active=False)


@pytest.fixture
def user_a(db, unit_a):
    return UserFactory(username="renshe", unit=unit_a)


@pytest.fixture
def user_b(db, unit_b):
    return UserFactory(username="xinhai", unit=unit_b)


def _client_for(user, **kwargs):
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def anon_client():
    return Client()


@pytest.fixture
def office_client(office_user):
    return _client_for(office_user)


@pytest.fixture
def client_a(user_a):
    return _client_for(user_a)


@pytest.fixture
def client_b(user_b):
    return _client_for(user_b)


PERSONAS = {
    "anon": "anon_client",
    "office": "office_client",
    "unit_a": "client_a",
    "unit_b": "client_b",
    "other_staff": "other_staff_client",
    "deactivated": "deactivated_client",
}


@pytest.fixture
def other_staff_client(other_staff):
    return _client_for(other_staff)


@pytest.fixture
def deactivated_client(deactivated_user):
    """Signed in before the account was switched off: the session no longer counts."""
    return _client_for(deactivated_user)


@pytest.fixture
def persona(request):
    """A client for one persona; parametrize with ``indirect``: "anon", "office",
    "unit_a" (renshe), "unit_b" (xinhai), "other_staff", "deactivated"."""
    return request.getfixturevalue(PERSONAS[request.param])


# --- Browser tests -------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never downloads a browser.

    Skips with the reason where Chromium is missing, except under CI, where a
    browser test that cannot run is a failure.
    """
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "Playwright for Python is not installed"
    if missing is None and not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        missing = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run under CI: {missing}")
        pytest.skip(missing)
    # Playwright's sync API runs an event loop; Django refuses ORM calls from
    # a thread with a running loop unless told this is on purpose.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def signed_in_page(browser, live_server, django_user_model):
    """``signed_in_page("renshe")`` → a Playwright page signed in through the login form.

    The user must exist (a persona fixture or ``load_demo``); its password is set
    to ``PASSWORD`` here.
    """
    contexts = []

    def open_as(username: str):
        user = django_user_model.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        context = browser.new_context(locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()
