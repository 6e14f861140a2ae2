"""The CSRF tokens the pages' forms carry (portal/csrf.py): the request's secret masked
as Django masks it, the mask drawn from one ``os.urandom`` call; Django's middleware
takes them, no two are alike, and a mask's characters are drawn evenly."""

import collections
import re

import pytest
from django.middleware import csrf as django_csrf
from django.test import Client, RequestFactory

from portal import csrf

pytestmark = pytest.mark.django_db


def _request(secret: str | None = None):
    request = RequestFactory().get("/")
    if secret is not None:
        request.META["CSRF_COOKIE"] = secret
    return request


def test_a_token_is_the_requests_secret_masked_as_django_masks_it():
    secret = django_csrf._get_new_csrf_string()
    request = _request(secret)
    tokens = {csrf.get_token(request) for _ in range(100)}
    assert len(tokens) == 100
    for token in tokens:
        assert len(token) == django_csrf.CSRF_TOKEN_LENGTH
        assert set(token) <= set(django_csrf.CSRF_ALLOWED_CHARS)
        assert django_csrf._unmask_cipher_token(token) == secret
    # the cookie is sent again, its expiry renewed, as Django's get_token asks
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_the_masks_characters_are_drawn_evenly():
    """Each of the 62 characters from as many byte values: a byte taken modulo 62
    without dropping those of 248 and over would draw the first eight 5/4 as often."""
    counts = collections.Counter()
    for _ in range(5000):
        counts.update(csrf.get_token(_request("a" * 32))[:32])
    assert set(counts) == set(django_csrf.CSRF_ALLOWED_CHARS)
    expected = 5000 * 32 / 62
    assert all(abs(n - expected) < 6 * expected**0.5 for n in counts.values()), counts


@pytest.mark.parametrize("secret", [None, "", "a" * 31, "a" * 31 + "-"])
def test_a_request_without_a_secret_of_djangos_form_gets_djangos_token(secret, monkeypatch):
    asked = []
    monkeypatch.setattr(django_csrf, "get_token", lambda request: asked.append(request) or "x")
    request = _request(secret)
    assert csrf.get_token(request) == "x" and asked == [request]


def test_a_new_secret_is_made_as_django_makes_it():
    request = _request()
    token = csrf.get_token(request)
    assert django_csrf._unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_the_sign_out_form_posts_with_the_token_of_its_page(user_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user_a)
    client.get("/tasks/")  # the first page makes the secret and sets its cookie
    html = client.get("/tasks/").content.decode()  # this one masks the cookie's
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    secret = client.cookies["csrftoken"].value
    assert django_csrf._unmask_cipher_token(token) == secret
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    assert client.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/tasks/").status_code == 302  # signed out
