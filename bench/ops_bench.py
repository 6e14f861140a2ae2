"""Load and faults on the production shape (issue 13 §4), through its round-robin front.

    .venv/bin/python deploy/shape.py start --demo          # once (PostgreSQL, Redis, S3, 2 servers)
    .venv/bin/python bench/ops_bench.py load              # 50 users, 60 s, 10 % 1 MB uploads
    .venv/bin/python bench/ops_bench.py faults            # the four faults, each under light load
    .venv/bin/python bench/ops_bench.py all

Each virtual user signs in as its own unit user (bench01…, made by
bench/ops_django.py over the demo units that have open assignments, so colleagues
report on the same assignment at once), then loops: the home page, the issue list,
an issue, /tasks/ and an assignment page, and with probability ``--upload-share`` a
progress report with a ``--upload-bytes`` evidence file (one GET of the assignment
page for its form, one POST), so that report POSTs are ``--upload-share`` of all
requests. A report is acknowledged when the POST answers 302.
Afterwards every acknowledged report must exist exactly once with its file's sha256
(in the row and in the stored bytes). Prints requests, errors by status and p50/p95/p99
per kind of request. Asyncio client: httpx (the test extra); no think time.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import hashlib
import json
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from deploy.client import ASSIGNMENT_RE, CSRF_RE, PortalUser, evidence_pdf  # noqa: E402
from deploy.shape import DEMO_PASSWORD, PYTHON, Shape, process_env  # noqa: E402

BENCH_TEXT = "bench report "


def django(shape: Shape, action: str, payload: dict | None = None) -> dict:
    """Run bench/ops_django.py ACTION in the shape's environment."""
    result = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "ops_django.py"), action],
        input=json.dumps(payload or {}), cwd=ROOT, env=process_env(shape),
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if result.returncode:
        raise RuntimeError(f"ops_django {action} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@dataclass
class Tally:
    """What a run saw: latencies by kind, statuses, acknowledged uploads, 503 pages."""

    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    acknowledged: list = field(default_factory=list)  # [token, sha256]
    attempted: list = field(default_factory=list)  # every token posted
    refused_uploads: Counter = field(default_factory=Counter)
    chinese_503: int = 0
    started: float = field(default_factory=time.monotonic)

    def record(self, kind: str, seconds: float, status) -> None:
        self.latencies[kind].append(seconds)
        self.statuses[status] += 1

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def errors(self) -> dict:
        return {str(k): v for k, v in sorted(self.statuses.items(), key=str) if k not in (200, 302)}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def timed(tally: Tally, kind: str, call):
    started = time.monotonic()
    try:
        response = await call
    except httpx.HTTPError as exc:
        tally.record(kind, time.monotonic() - started, type(exc).__name__)
        return None
    tally.record(kind, time.monotonic() - started, response.status_code)
    if response.status_code == 503 and "暂时不可用" in response.text:
        tally.chinese_503 += 1  # the portal's own 503 page (database or storage)
    return response


async def upload(user: PortalUser, tally: Tally, assignment: int, size: int) -> bool:
    """Report on ``assignment`` with one evidence file; False when its page offers no
    report form (closed, completion requested): the caller stops choosing it."""
    page = await timed(tally, "read", user.get(f"/tasks/assignments/{assignment}/"))
    if page is None or page.status_code != 200:
        return True
    if f"/tasks/assignments/{assignment}/reports/" not in page.text:
        return False
    token = uuid.uuid4().hex
    content = evidence_pdf(size, token.encode())
    tally.attempted.append(token)
    form = CSRF_RE.search(page.text).group(1)
    response = await timed(
        tally,
        "upload",
        user.http.post(
            user.url(f"/tasks/assignments/{assignment}/reports/"),
            data={
                "csrfmiddlewaretoken": form,
                "period": datetime.date.today().strftime("%Y-%m"),
                "percent": "50",
                "text": f"{BENCH_TEXT}{token}",
            },
            files={"files": (f"bench-{token[:8]}.pdf", content, "application/pdf")},
        ),
    )
    if response is not None and response.status_code == 302:
        tally.acknowledged.append([token, hashlib.sha256(content).hexdigest()])
    elif response is not None:
        tally.refused_uploads[response.status_code] += 1
    return True


async def virtual_user(
    shape: Shape, username: str, issues: list[int], tally: Tally, deadline: float,
    upload_share: float, upload_bytes: int, rng: random.Random,
) -> None:  # fmt: skip
    user = PortalUser(shape.front_url, timeout=120)
    try:
        for _attempt in range(30):  # signing in may meet a fault too
            try:
                await user.sign_in(username, DEMO_PASSWORD)
                break
            except (RuntimeError, httpx.HTTPError, AttributeError):
                await asyncio.sleep(1)
        listing = await user.get("/tasks/")
        while listing.status_code != 200 and time.monotonic() < deadline:
            await asyncio.sleep(1)
            listing = await user.get("/tasks/")
        assignments = list(dict.fromkeys(int(pk) for pk in ASSIGNMENT_RE.findall(listing.text)))
        reportable = set(assignments)
        # An upload is two requests (the form's page, the POST): choosing it with
        # probability s / (1 - s) makes POSTs the share s of all requests.
        chance = upload_share / (1 - upload_share)
        while time.monotonic() < deadline:
            if reportable and rng.random() < chance:
                while reportable:
                    chosen = rng.choice(sorted(reportable))
                    if await upload(user, tally, chosen, upload_bytes):
                        break
                    reportable.discard(chosen)  # no report form there (closed, waiting)
                continue
            pages = ["/", "/bulletins/", "/tasks/"]
            pages += [f"/bulletins/{rng.choice(issues)}/"] if issues else []
            pages += [f"/tasks/assignments/{rng.choice(assignments)}/"] if assignments else []
            path = rng.choice(pages)
            await timed(tally, "read", user.get(path))
    finally:
        await user.close()


async def run_load(
    shape: Shape, users: list[str], issues: list[int], *, seconds: float,
    upload_share: float, upload_bytes: int, seed: int = 13, during=None,
) -> Tally:  # fmt: skip
    """Run the virtual users for ``seconds``; ``during(tally)`` (a coroutine) runs beside
    them, for faults."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    rng = random.Random(seed)
    jobs = [
        virtual_user(shape, name, issues, tally, deadline, upload_share, upload_bytes,
                     random.Random(rng.random()))
        for name in users
    ]  # fmt: skip
    if during is not None:
        jobs.append(during(tally))
    await asyncio.gather(*jobs)
    tally.seconds = time.monotonic() - tally.started
    return tally


def verify(shape: Shape, tally: Tally) -> dict:
    """Every acknowledged report of this run once, with its sha256 (bench/ops_django.py)."""
    return django(
        shape, "verify", {"acknowledged": tally.acknowledged, "attempted": tally.attempted}
    )


def summary(tally: Tally) -> dict:
    out = {
        "requests": tally.requests,
        "seconds": round(getattr(tally, "seconds", 0), 1),
        "requests_per_second": round(tally.requests / max(getattr(tally, "seconds", 1), 1), 1),
        "errors_by_status": tally.errors(),
        "uploads_acknowledged": len(tally.acknowledged),
        "uploads_refused_by_status": {str(k): v for k, v in tally.refused_uploads.items()},
    }
    for kind, values in sorted(tally.latencies.items()):
        out[f"{kind}_ms"] = {
            "n": len(values),
            "p50": round(percentile(values, 50) * 1000),
            "p95": round(percentile(values, 95) * 1000),
            "p99": round(percentile(values, 99) * 1000),
            "mean": round(statistics.fmean(values) * 1000) if values else 0,
        }
    return out


def load(shape: Shape, args) -> dict:
    made = django(shape, "setup", {"users": args.users, "password": DEMO_PASSWORD})
    tally = asyncio.run(
        run_load(shape, made["users"], made["issues"], seconds=args.duration,
                 upload_share=args.upload_share, upload_bytes=args.upload_bytes)
    )  # fmt: skip
    result = summary(tally)
    result["users"] = len(made["users"])
    result["verify"] = verify(shape, tally)
    result["storage"] = django(shape, "storage")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="Load and faults on the production shape.")
    parser.add_argument("action", choices=["load", "faults", "all"])
    parser.add_argument("--folder", type=Path, default=ROOT / "var" / "shape")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--upload-share", type=float, default=0.10)
    parser.add_argument("--upload-bytes", type=int, default=1024 * 1024)
    parser.add_argument("--fault-users", type=int, default=10)
    parser.add_argument("--only", help="comma-separated fault names (faults)")
    args = parser.parse_args()
    shape = Shape.load(args.folder)
    if args.action in ("load", "all"):
        result = load(shape, args)
        print(json.dumps({"load": result}, ensure_ascii=False, indent=2))
    if args.action in ("faults", "all"):
        from bench.ops_faults import run_faults

        run_faults(shape, args)


if __name__ == "__main__":
    main()
