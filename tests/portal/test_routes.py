"""Every named route of the site has a permission expectation somewhere.

The site's own routes are checked here, persona by persona; each app's routes
by that app's table (named in APP_TABLES). A new route that nobody expects
fails this test.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# namespace → the test module that holds the app's permission table
APP_TABLES = {
    "bulletins": "tests/bulletins/test_visibility_matrix.py",
    "tasks": "tests/tasks/test_permissions.py",
    "search": "tests/search/test_visibility.py",
    "submissions": "tests/submissions/test_permissions.py",
    "audit": "tests/audit/test_permissions.py",
    "accounts": "tests/audit/test_account_routes.py",
}
SKIPPED_NAMESPACES = {"admin"}  # Django's admin checks is_staff and permissions itself

SIGNED_IN = ("unit_a", "office", "other_staff")
ANONYMOUS = ("anon", "deactivated")  # a switched-off account counts as nobody

# (route name, personas, status for GET, reason)
SITE_TABLE = [
    ("home", ANONYMOUS + SIGNED_IN, 200, "the home page is for everyone; its panels narrow what each sees"),
    ("healthz", ANONYMOUS + SIGNED_IN, 200, "the load balancer asks without signing in"),
    ("javascript-catalog", ANONYMOUS + SIGNED_IN, 200, "the interface's translations are public text"),
    ("login", ANONYMOUS, 200, "whoever is not signed in may sign in"),
    ("login", SIGNED_IN, 302, "a signed-in user is sent on from the login page"),
    ("logout", ANONYMOUS + SIGNED_IN, 405, "logging out takes a POST only (no logout by a link)"),
    ("password_change", ANONYMOUS, 302, "changing a password needs a signed-in user: to the login page"),
    ("password_change", SIGNED_IN, 200, "every signed-in user may change their own password"),
    ("password_change_done", ANONYMOUS, 302, "needs a signed-in user"),
    ("password_change_done", SIGNED_IN, 200, "shown after a change"),
]  # fmt: skip
SITE_ROUTES = {row[0] for row in SITE_TABLE}
SITE_CASES = [
    pytest.param(name, persona, status, reason, id=f"{name}-{persona}")
    for name, personas, status, reason in SITE_TABLE
    for persona in personas
]


def _named_routes(resolver=None, namespace=None):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_routes(pattern, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace, pattern.name


def test_every_named_route_has_an_expectation():
    missing = []
    for namespace, name in set(_named_routes()):
        if namespace in SKIPPED_NAMESPACES:
            continue
        if namespace is None and name in SITE_ROUTES:
            continue
        if namespace in APP_TABLES:
            continue
        missing.append(f"{namespace}:{name}" if namespace else name)
    assert not missing, f"routes without a permission expectation: {sorted(missing)}"


def test_every_app_table_exists():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    namespaces = {ns for ns, _ in _named_routes()}
    for namespace, path in APP_TABLES.items():
        if namespace in namespaces:
            assert (root / path).exists(), f"{namespace} routes need their table in {path}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "persona", "status", "reason"), SITE_CASES, indirect=["persona"])
def test_site_routes_answer_each_persona(name, persona, status, reason):
    assert persona.get(reverse(name)).status_code == status, reason


def test_the_site_table_covers_each_persona_once_per_route():
    for name in SITE_ROUTES:
        personas = [p for n, ps, _s, _r in SITE_TABLE if n == name for p in ps]
        assert sorted(personas) == sorted(ANONYMOUS + SIGNED_IN), name
