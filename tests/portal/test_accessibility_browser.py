"""Chromium + axe-core: every page an anonymous visitor, a unit, its 负责人, the office and
the auditor and security administrator reach has no serious or critical accessibility
violation, at 1280 px and on a 375 px phone.

The pages are found as a person finds them: from each persona's starting pages, every
link on the site is followed (one page per URL shape, /tasks/assignments/12/ standing for
all assignments), so pages added later are checked without being listed here. The data
is the demo's (``load_demo``): every kind of row in every state a first week shows.
axe-core comes with axe-playwright-python (PyPI), which bundles its script.
"""

import os
import re
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The crawl checks markup, which does not depend on the database engine: it runs in
    # CI's SQLite pass only (.ci/run runs the suite twice), keeping CI near 20 minutes.
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="markup only: the accessibility crawl runs in the SQLite pass",
    ),
]

WIDTHS = (1280, 375)
IMPACTS = {"serious", "critical"}

# Where each persona starts; every link from there is followed.
START = {
    "anonymous": [
        "/",
        "/accounts/login/",
        "/bulletins/",
        "/meetings/",
        "/search/?q=改革",
        "/no-such-page/",
    ],
    "renshe": ["/", "/tasks/", "/search/?q=改革", "/accounts/password/"],
    "office": ["/", "/tasks/overview/", "/admin/"],
    # The unit's 负责人 (审签 of 信息报送) and the 三员分立 roles' own areas.
    "renshe_lead": ["/", "/submissions/"],
    "auditor": ["/", "/audit/"],
    "secadmin": ["/", "/accounts/security/"],
}
# Files, feeds and what leaves the page (logout is a form; the rest download or redirect).
NOT_PAGES = re.compile(
    r"/(pdf|zip|feed|download|export|images|ics|calendar/feed|attachments?|evidence|files?)"
    r"(/|$)|\.(pdf|zip|xlsx|ics|docx|png|jpe?g)(\?|$)|/admin/(jsi18n|r)/|/jsi18n/|/accounts/logout/|_popup="
)
# A persona reaching more page shapes than this fails the test rather than going unchecked.
MAX_PAGES = 200


def shape(path: str) -> str:
    """The page a URL shows: numbers stand for any, a query only filters or sorts it, and
    the admin's history and delete pages are one page whatever the model."""
    path = re.sub(r"\d+", "N", urlsplit(path).path)
    return re.sub(r"^/admin/\w+/\w+/N/(history|delete)/", r"/admin/*/*/N/\1/", path)


def settle(page):
    """Wait until the page's scripts have run (the admin's and the editor's build parts
    of the page after load)."""
    page.wait_for_load_state("load")
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def crawl(page, base: str, start: list[str], check) -> list[str]:
    """Visit ``start`` and every same-site link from there, one page per shape, calling
    ``check(path)`` on each page reached."""
    from playwright.sync_api import Error as PlaywrightError

    seen_shapes, pages, queue = set(), [], list(start)
    while queue:
        assert len(pages) < MAX_PAGES, f"more than {MAX_PAGES} page shapes: raise MAX_PAGES"
        path = queue.pop(0)
        if shape(path) in seen_shapes or NOT_PAGES.search(path):
            continue
        seen_shapes.add(shape(path))
        try:
            response = page.goto(base + path)
        except PlaywrightError as exc:  # a file behind a page-like address
            if "Download is starting" in str(exc):
                continue
            raise
        assert response is not None and response.status < 500, f"{path} answered {response}"
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        pages.append(path)
        settle(page)
        check(path)
        for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
            url = urlsplit(urljoin(base + path, href))
            if f"{url.scheme}://{url.netloc}" != base:
                continue
            target = url.path + ("?" + url.query if url.query else "")
            if shape(target) not in seen_shapes:
                queue.append(target)
    return pages


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in IMPACTS:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found


@pytest.fixture
def demo(db):
    call_command("load_demo", password="demo-pass-a11y", force=True, stdout=StringIO())


def open_page(browser, live_server, username, width):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": width, "height": 900}, accept_downloads=False
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    if username:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo-pass-a11y")
        page.click("form.form button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    return context, page


@pytest.mark.parametrize("persona", list(START))
def test_every_page_has_no_serious_accessibility_violation(persona, demo, browser, live_server):
    username = None if persona == "anonymous" else persona
    problems = []
    wide, narrow = WIDTHS
    context, page = open_page(browser, live_server, username, wide)

    def check(path):
        problems.extend(f"{wide}px {path}: {v}" for v in serious_violations(page))

    pages = crawl(page, live_server.url, START[persona], check)
    context.close()
    # Sanity: the crawl reached the persona's areas, not just the start pages.
    assert len(pages) >= len(START[persona]) + 3, pages
    context, page = open_page(browser, live_server, username, narrow)
    for path in pages:
        page.goto(live_server.url + path)
        settle(page)
        problems.extend(f"{narrow}px {path}: {v}" for v in serious_violations(page))
    context.close()
    assert not problems, "\n".join(problems)
