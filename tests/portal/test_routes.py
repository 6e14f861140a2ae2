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
}
SKIPPED_NAMESPACES = {"admin"}  # Django's admin checks is_staff and permissions itself

# name → {persona: status for GET}
SITE_ROUTES = {
    "home": {"anon": 200, "unit_a": 200, "office": 200, "other_staff": 200},
    "healthz": {"anon": 200, "unit_a": 200, "office": 200, "other_staff": 200},
    # Signed-in users are sent on from the login page.
    "login": {"anon": 200, "unit_a": 302, "office": 302, "other_staff": 302},
    # Logging out takes a POST only.
    "logout": {"anon": 405, "unit_a": 405, "office": 405, "other_staff": 405},
    "password_change": {"anon": 302, "unit_a": 200, "office": 200, "other_staff": 200},
    "password_change_done": {"anon": 302, "unit_a": 200, "office": 200, "other_staff": 200},
}


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
@pytest.mark.parametrize(
    ("name", "persona"),
    [(name, p) for name, table in SITE_ROUTES.items() for p in table],
    indirect=["persona"],
)
def test_site_routes_answer_each_persona(name, persona, request):
    expected = SITE_ROUTES[name][request.node.callspec.params["persona"]]
    assert persona.get(reverse(name)).status_code == expected
