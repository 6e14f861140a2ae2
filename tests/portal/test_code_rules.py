"""Rules read off the source: a lifecycle status is written only in a ``services`` module.

Every ``status`` (and ``review_status``) write goes through ``<app>/services.py`` or
a ``services/`` package, which check the acting user and the step; migrations may
too. Anything else (views, admin, forms, demo loaders, commands, jobs) calls a
service. Tests and the benchmarks' corpus builders (``bench/``) set up rows directly
and are not scanned.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ["bulletins", "portal", "tasks"]
# Calls whose status= keyword reads (a filter, a condition), never writes.
READING_CALLS = {
    "filter", "exclude", "get", "Q", "When", "Count", "Sum", "Exists", "first", "last",
    "values", "values_list", "aggregate", "annotate", "count", "exists", "none",
}  # fmt: skip


def _is_status(name) -> bool:
    return isinstance(name, str) and (name == "status" or name.endswith("_status"))


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _dict_sets_status(node) -> bool:
    return isinstance(node, ast.Dict) and any(
        isinstance(k, ast.Constant) and _is_status(k.value) for k in node.keys
    )


def _targets(node):
    for target in node:
        if isinstance(target, (ast.Tuple, ast.List)):
            yield from _targets(target.elts)
        else:
            yield target


def status_writes(source: str) -> list[tuple[int, str]]:
    """(line, what) for each write of a status field in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in _targets(targets):
                if isinstance(target, ast.Attribute) and _is_status(target.attr):
                    found.append((node.lineno, f".{target.attr} ="))
        elif isinstance(node, ast.Call):
            name = _callee(node)
            if name == "setattr" and len(node.args) > 1:
                field = node.args[1]
                if isinstance(field, ast.Constant) and _is_status(field.value):
                    found.append((node.lineno, "setattr(…, status)"))
                continue
            if name in READING_CALLS or name == "render" or name.endswith("Response"):
                continue  # status= there is a condition, or an HTTP status
            for kw in node.keywords:
                if _is_status(kw.arg):
                    found.append((node.lineno, f"{name}({kw.arg}=…)"))
                elif kw.arg in (None, "defaults", "create_defaults") and _dict_sets_status(
                    kw.value
                ):
                    found.append((node.lineno, f"{name}(… status …)"))
    return found


def _exempt(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return "migrations" in parts or "services" in parts or path.name == "services.py"


def _scanned_files():
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*.py")):
            if not _exempt(path):
                yield path


def test_no_status_is_written_outside_the_services():
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _scanned_files()
        for line, what in status_writes(path.read_text(encoding="utf-8"))
    ]
    assert not offences, "write the status through a service:\n" + "\n".join(offences)


def test_the_scan_covers_the_apps_and_skips_only_services_and_migrations():
    scanned = {str(p.relative_to(ROOT)) for p in _scanned_files()}
    assert {"tasks/demo.py", "tasks/admin.py", "bulletins/views.py", "portal/demo.py"} <= scanned
    assert not any("services" in p or "migrations" in p for p in scanned)


@pytest.mark.parametrize(
    "code",
    [
        "a.status = 'closed'",
        "a.status, a.closed_at = S.CLOSED, now",
        "report.review_status = R.ACCEPTED",
        "Plan.objects.filter(pk=1).update(status='closed')",
        "Plan.objects.create(year=2026, status=Plan.Status.ACTIVE)",
        "Issue(status='published')",
        "qs.update(**{'status': 'draft'})",
        "Plan.objects.update_or_create(pk=1, defaults={'status': 'active'})",
        "setattr(issue, 'status', 'withdrawn')",
    ],
)
def test_the_scanner_finds_each_kind_of_write(code):
    assert status_writes(code), code


@pytest.mark.parametrize(
    "code",
    [
        "Assignment.objects.filter(status=S.CLOSED).exclude(review_status='x')",
        "Q(status='closed') | Q(review_status='pending')",
        "Case(When(status=S.CLOSED, then=1))",
        "if a.status == S.CLOSED: pass",
        "status = models.CharField(max_length=20)",
        "Count('pk', filter=Q(status='closed'))",
        "render(request, '404.html', status=404)",
        "JsonResponse({'ok': False}, status=503)",
    ],
)
def test_the_scanner_lets_reads_pass(code):
    assert status_writes(code) == [], code


# --- portal/ is below the apps: it imports none of them (search included) ----------

APPS = {"bulletins", "tasks"}


def app_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) for each import of an app package, at module level or inside a function.

    Dotted app paths in strings (``"bulletins.Issue"``, ``import_module("tasks.x")``)
    count too: they are imports by another name.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            modules = [node.module or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            modules = [node.value] if "." in node.value and " " not in node.value else []
        else:
            continue
        found += [(node.lineno, m) for m in modules if m.split(".")[0] in APPS]
    return found


def _portal_modules(under: str):
    for path in sorted((ROOT / under).rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def test_search_imports_no_app():
    """Apps register their searchable kinds with portal.search, never the other way round."""
    offences = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in _portal_modules("portal/search")
        for line, module in app_imports(path.read_text(encoding="utf-8"))
    ]
    assert not offences, "declare it in the app's search.py instead:\n" + "\n".join(offences)


def test_portal_imports_no_app_module():
    """Nothing in portal/ imports bulletins or tasks (the home page names its panels by path)."""
    offences = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in _portal_modules("portal")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if (isinstance(node, ast.Import) and any(a.name.split(".")[0] in APPS for a in node.names))
        or (
            isinstance(node, ast.ImportFrom)
            and not node.level
            and (node.module or "").split(".")[0] in APPS
        )
    ]
    assert not offences, "\n".join(offences)


@pytest.mark.parametrize(
    "code",
    [
        "from bulletins.models import Issue",
        "import tasks.models",
        "def f():\n    from tasks.models import Task",
        "apps.get_model('bulletins.Issue')",
        "import_module('tasks.search')",
    ],
)
def test_the_import_scanner_finds_each_kind_of_app_import(code):
    assert app_imports(code), code


@pytest.mark.parametrize(
    "code",
    [
        "from .models import SearchDocument",
        "from portal.search import registry",
        "'search/hit.html'",
        "x = 'tasks and reports only for units and the office.'",
    ],
)
def test_the_import_scanner_lets_other_code_pass(code):
    assert app_imports(code) == [], code
