"""The permission tables' shared machinery (tests/tasks/test_permissions.py,
tests/tasks/test_extension_permissions.py, tests/submissions/test_permissions.py).

A table maps a route name to ``(url(objs), POST data(objs), {persona: (GET cell, POST
cell)})``; a ``Cell`` says what one persona gets for one method, and why. ``check_cell``
makes the request and checks the status, that a sign-in redirect goes to the login
page and any other redirect does not, and that the database's ``fingerprint`` changed
exactly when the cell says the request takes effect (every refusal, page and refused
service call leaves it as it was). Every GET that takes no effect is sent again as
HEAD, which must answer the same status with no body.
"""

from collections.abc import Callable
from typing import NamedTuple

import pytest

LOGIN = "login"  # a redirect to the login page
LOGIN_PATH = "/accounts/login/"


class Cell(NamedTuple):
    """What one persona gets for one method on one URL, and why.

    ``status``: the HTTP status, or ``LOGIN`` for a redirect to sign in. ``changes``:
    the request takes effect (the fingerprint must change); otherwise it must not.
    """

    status: int | str
    reason: str
    changes: bool = False


def ok(reason: str) -> Cell:
    return Cell(200, reason)


def done(reason: str, status: int = 302) -> Cell:
    """An action that takes effect: a redirect, or (``status=200``) a page showing the result."""
    return Cell(status, reason, changes=True)


def hidden(reason: str) -> Cell:
    return Cell(404, reason)


def refused(reason: str) -> Cell:
    return Cell(403, reason)


READ_ONLY = Cell(405, "a page to read: POST is not allowed")
ACTION_ONLY = Cell(405, "an action: GET is not allowed")
OFFICE_PAGE = hidden("an office page: to anyone else it does not exist")


def office_only(get: Cell, post: Cell, *, personas, nobody: dict, office: str = "office") -> dict:
    """A row of an office page: ``office`` gets ``get``/``post``; each persona in ``nobody``
    (anonymous, switched off) its own pair; every other persona 404 both ways."""
    row = {who: nobody.get(who, (OFFICE_PAGE, OFFICE_PAGE)) for who in personas}
    row[office] = (get, post)
    return row


def cases(routes: dict, personas) -> list:
    """One pytest param ``(name, who, method)`` per route, persona and method."""
    return [
        pytest.param(name, who, method, id=f"{name}-{who}-{method}")
        for name in routes
        for who in personas
        for method in ("get", "post")
    ]


def cell_of(routes: dict, name: str, who: str, method: str) -> Cell:
    return routes[name][2][who][0 if method == "get" else 1]


def assert_every_persona(routes: dict, personas) -> None:
    """Each route's row names every persona (a new persona needs a cell everywhere)."""
    for name, (_url, _data, table) in routes.items():
        assert set(table) == set(personas), f"{name}: a row for every persona"


def check_cell(client, method: str, url: str, data: dict, cell: Cell, fingerprint: Callable):
    """Request ``url`` with ``method`` (POST sends ``data``) and check ``cell``; see the
    module docstring. ``fingerprint()``: everything a write in this area could change."""
    before = fingerprint()
    response = client.get(url) if method == "get" else client.post(url, data)
    if cell.status == LOGIN:
        assert response.status_code == 302, cell.reason
        assert response["Location"].startswith(LOGIN_PATH), cell.reason
    else:
        assert response.status_code == cell.status, (cell.reason, response.status_code)
        if cell.status == 302:
            assert not response["Location"].startswith(LOGIN_PATH), cell.reason
    if cell.changes:
        assert fingerprint() != before, f"the action did not take effect: {cell.reason}"
    else:
        assert fingerprint() == before, f"changed something: {cell.reason}"
        if method == "get":
            # HEAD answers as GET does (load balancers and link checkers probe with it),
            # with no body and no effect.
            head = client.head(url)
            assert head.status_code == response.status_code, (cell.reason, "HEAD")
            body = b"".join(head.streaming_content) if head.streaming else head.content
            assert not body, (cell.reason, "HEAD has no body")
            assert fingerprint() == before, f"HEAD changed something: {cell.reason}"
    return response


def run_row(routes: dict, objs: dict, name: str, who: str, method: str, client, fingerprint):
    """Check one cell of a table (the body of each file's parametrized test)."""
    url = routes[name][0](objs)
    data = routes[name][1](objs) if method == "post" else {}
    return check_cell(client, method, url, data, cell_of(routes, name, who, method), fingerprint)
