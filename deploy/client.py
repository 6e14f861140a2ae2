"""A signed-in portal user over HTTP (httpx, asyncio): what deploy/shape_check.py and
bench/ops_bench.py do as a unit user — sign in, read pages, report progress with an
evidence file, download it again."""

from __future__ import annotations

import re

import httpx

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ASSIGNMENT_RE = re.compile(r'href="/tasks/assignments/(\d+)/"')
EVIDENCE_RE = re.compile(r'<a href="(/tasks/evidence/\d+/)">([^<]+)</a>')
ISSUE_RE = re.compile(r'href="/bulletins/(\d+)/"')
PDF_HEAD = b"%PDF-1.4\n"
PDF_TAIL = b"\n%%EOF\n"


def evidence_pdf(size: int, seed: bytes) -> bytes:
    """A PDF-looking file of ``size`` bytes (the upload check reads the leading bytes),
    its body drawn from ``seed`` so every file differs."""
    import hashlib

    body = bytearray()
    block = seed
    while len(body) < size - len(PDF_HEAD) - len(PDF_TAIL):
        block = hashlib.sha256(block).digest()
        body.extend(block)
    return PDF_HEAD + bytes(body[: size - len(PDF_HEAD) - len(PDF_TAIL)]) + PDF_TAIL


class PortalUser:
    """One browser: a cookie jar and the pages it reads. ``base`` is the server asked
    unless a call names another (``server=``), so one session can hop servers."""

    def __init__(self, base: str, *, timeout: float = 60.0):
        self.base = base.rstrip("/")
        self.http = httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    async def close(self) -> None:
        await self.http.aclose()

    def url(self, path: str, server: str | None = None) -> str:
        return f"{(server or self.base).rstrip('/')}{path}"

    async def get(self, path: str, server: str | None = None) -> httpx.Response:
        return await self.http.get(self.url(path, server))

    async def csrf_from(self, path: str, server: str | None = None) -> str:
        page = await self.get(path, server)
        page.raise_for_status()
        return CSRF_RE.search(page.text).group(1)

    async def sign_in(self, username: str, password: str, server: str | None = None) -> None:
        """Sign in with the login form; raises ``RuntimeError`` when refused."""
        token = await self.csrf_from("/accounts/login/", server)
        response = await self.http.post(
            self.url("/accounts/login/", server),
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
        )
        if response.status_code != 302:
            raise RuntimeError(f"sign-in of {username} answered {response.status_code}")

    async def reportable_assignment(self, server: str | None = None) -> int | None:
        """The first of the user's assignments whose page offers the report form
        (acknowledging one first when none does)."""
        listing = await self.get("/tasks/", server)
        ids = list(dict.fromkeys(int(pk) for pk in ASSIGNMENT_RE.findall(listing.text)))
        for pk in ids:
            page = await self.get(f"/tasks/assignments/{pk}/", server)
            if f"/tasks/assignments/{pk}/reports/" in page.text:
                return pk
        for pk in ids:
            page = await self.get(f"/tasks/assignments/{pk}/", server)
            if f"/tasks/assignments/{pk}/acknowledge/" in page.text:
                token = CSRF_RE.search(page.text).group(1)
                await self.http.post(
                    self.url(f"/tasks/assignments/{pk}/acknowledge/", server),
                    data={"csrfmiddlewaretoken": token},
                )
                return pk
        return None

    async def submit_report(
        self, assignment: int, *, text: str, file_name: str, content: bytes,
        period: str, server: str | None = None,
    ) -> httpx.Response:  # fmt: skip
        """Post a progress report with one evidence file; 302 means it was stored."""
        token = await self.csrf_from(f"/tasks/assignments/{assignment}/", server)
        return await self.http.post(
            self.url(f"/tasks/assignments/{assignment}/reports/", server),
            data={"csrfmiddlewaretoken": token, "period": period, "percent": "50", "text": text},
            files={"files": (file_name, content, "application/pdf")},
        )

    async def evidence_links(self, assignment: int, server: str | None = None) -> dict:
        """``{original name: download path}`` of the evidence on the assignment page."""
        page = await self.get(f"/tasks/assignments/{assignment}/", server)
        return {name: path for path, name in EVIDENCE_RE.findall(page.text)}
