"""What ``deploy/shape.py check`` shows of a started shape: the two servers are one
portal. A session made on server 1 works on server 2; a file uploaded through server 1
downloads through server 2 with the same sha256; a value one process puts in the cache
another reads; /healthz of each server and of the front answers 200."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import hashlib
import json
import subprocess
import uuid

import httpx

from deploy.client import PortalUser, evidence_pdf
from deploy.shape import DEMO_PASSWORD, PYTHON, ROOT, Shape, process_env

UNIT_USER = "renshe"


def cache_shared(shape: Shape) -> bool:
    """Two separate portal processes, the servers' environment: one writes, one reads."""
    key, value = f"shape-check-{uuid.uuid4().hex}", uuid.uuid4().hex
    setup = "import django; django.setup(); from django.core.cache import cache; "
    write = setup + f"cache.set({key!r}, {value!r}, 60)"
    read = setup + f"print(cache.get({key!r})); cache.delete({key!r})"
    for code in (write, read):
        result = subprocess.run(
            [PYTHON, "-c", code],
            cwd=ROOT, env=process_env(shape), capture_output=True, text=True, check=True,
        )  # fmt: skip
    return result.stdout.strip() == value


async def _checks(shape: Shape) -> list[tuple[str, bool, str]]:
    one, two = shape.server_url(0), shape.server_url(1)
    results = []
    async with httpx.AsyncClient(timeout=10) as http:
        for url in (one, two, shape.front_url):
            response = await http.get(f"{url}/healthz")
            results.append((f"/healthz on {url}", response.status_code == 200, response.text))
    user = PortalUser(one)
    try:
        await user.sign_in(UNIT_USER, DEMO_PASSWORD, server=one)
        on_two = await user.get("/tasks/", server=two)
        results.append(
            (
                "session made on server 1 works on server 2",
                on_two.status_code == 200,
                f"GET /tasks/ on server 2: {on_two.status_code}",
            )
        )
        assignment = await user.reportable_assignment(server=one)
        content = evidence_pdf(1024 * 1024, uuid.uuid4().bytes)
        name = f"shape-check-{uuid.uuid4().hex[:8]}.pdf"
        posted = await user.submit_report(
            assignment,
            text="shape check: uploaded through server 1",
            file_name=name,
            content=content,
            period=datetime.date.today().strftime("%Y-%m"),
            server=one,
        )
        links = await user.evidence_links(assignment, server=two)
        downloaded = await user.get(links[name], server=two) if name in links else None
        same = downloaded is not None and (
            hashlib.sha256(downloaded.content).hexdigest() == hashlib.sha256(content).hexdigest()
        )
        results.append(
            (
                "file uploaded through server 1 downloads through server 2",
                posted.status_code == 302 and same,
                f"upload {posted.status_code}, download "
                f"{downloaded.status_code if downloaded else 'no link'}, sha256 equal: {same}",
            )
        )
    finally:
        await user.close()
    results.append(("cache shared between processes (Redis)", cache_shared(shape), ""))
    return results


def run_checks(shape: Shape) -> list[str]:
    """Print each check as ok/FAILED; return the names of the failed ones."""
    failures = []
    # A thread of its own: the caller's thread may already run an event loop (the
    # test session's Playwright does), and asyncio.run refuses to nest.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(asyncio.run, _checks(shape)).result()
    for name, ok, detail in results:
        print(f"{'ok    ' if ok else 'FAILED'} {name}" + (f"  ({detail})" if detail else ""))
        if not ok:
            failures.append(name)
    print(json.dumps({"checks": "passed" if not failures else "failed", "failed": failures}))
    return failures
