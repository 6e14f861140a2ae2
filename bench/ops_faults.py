"""The four faults of issue 13 §4, each under a light load on the production shape
(``bench/ops_bench.py faults``); each prints "survived" or "NOT survived" with figures.

- ``postgres_restart``: the shape's own PostgreSQL cluster restarted (``pg_ctl
  restart -m fast``) mid-load. Survived: no 500 and no traceback in the servers'
  logs, every 503 is the Chinese page, both servers healthy again by themselves
  (same gunicorn masters), every acknowledged report present once with its sha256,
  no row without its file, no orphan file.
- ``worker_killed``: gunicorn workers SIGKILLed while 3 MB uploads run (half the
  requests are uploads). Survived: no acknowledged report lost, no row without its
  file; the orphans and spooled uploads the kills leave are counted, then removed by
  ``check_storage --delete-orphans --min-age 0`` (cron's job) and must be none after.
- ``storage_down``: SeaweedFS killed mid-load and started again 10 s later (with
  ``--local-files``: the private folder moved away). Survived: no 500, uploads
  refused meanwhile with the Chinese 503 page, nothing partial or orphaned, uploads
  acknowledged again afterwards.
- ``publish_killed``: ``publish_scheduled`` SIGKILLed mid-run over 40 due issues,
  then run again. Survived: every issue published, none twice, its PDF job queued
  at most once.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

from bench.ops_bench import ROOT, Tally, django, run_load, summary, upload
from bench.ops_bench import verify as verify_run
from deploy.client import PortalUser
from deploy.shape import (
    DEMO_PASSWORD,
    PYTHON,
    Shape,
    gunicorn_worker_pids,
    process_env,
    start_seaweed,
)


class LogWatch:
    """What the two servers log from now on."""

    def __init__(self, shape: Shape):
        self.files = [Path(shape.folder) / f"server{n}.log" for n in (1, 2)]
        self.offsets = [f.stat().st_size if f.exists() else 0 for f in self.files]

    def new_text(self) -> str:
        out = []
        for f, offset in zip(self.files, self.offsets, strict=True):
            with f.open("rb") as handle:
                handle.seek(offset)
                out.append(handle.read().decode(errors="replace"))
        return "".join(out)


async def healthy_again(shape: Shape, seconds: float = 60) -> float | None:
    """Seconds until both servers' /healthz answer 200, None if not within ``seconds``."""
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=5) as http:
        while time.monotonic() - started < seconds:
            try:
                codes = [
                    (await http.get(f"{shape.server_url(n)}/healthz")).status_code
                    for n in (0, 1)
                ]
            except httpx.HTTPError:
                codes = []
            if codes == [200, 200]:
                return round(time.monotonic() - started, 1)
            await asyncio.sleep(0.5)
    return None


def integrity(shape: Shape, tally: Tally) -> tuple[dict, list[str]]:
    """The after-the-fault checks every fault shares, and the reasons it failed."""
    verify = verify_run(shape, tally)
    storage = django(shape, "storage")
    reasons = []
    for key in ("missing", "duplicated", "without_evidence", "sha256_field_differs",
                "stored_bytes_differ"):  # fmt: skip
        if verify[key]:
            reasons.append(f"{verify[key]} acknowledged reports {key}")
    if storage["rows_missing_file"]:
        reasons.append(f"{storage['rows_missing_file']} rows without their file")
    return {"verify": verify, "storage": storage}, reasons


def server_errors(tally: Tally, log: str) -> list[str]:
    reasons = []
    fives = {k: v for k, v in tally.statuses.items() if isinstance(k, int) and k >= 500}
    if any(k != 503 for k in fives):
        reasons.append(f"server errors {fives}")
    if fives.get(503, 0) != tally.chinese_503:
        reasons.append(f"{fives.get(503, 0) - tally.chinese_503} 503 answers without the page")
    if "Traceback" in log:
        reasons.append(f"{log.count('Traceback')} tracebacks in the servers' logs")
    return reasons


def masters_alive(shape: Shape) -> bool:
    pids = [shape.pids["server1"], shape.pids["server2"]]
    return all(Path(f"/proc/{pid}").exists() for pid in pids)


def postgres_restart(shape: Shape, users: list, issues: list, args) -> tuple[dict, list]:
    watch, figures = LogWatch(shape), {}

    async def fault(tally: Tally) -> None:
        await asyncio.sleep(5)
        started = time.monotonic()
        await asyncio.to_thread(shape.cluster().restart, "fast")
        figures["restart_seconds"] = round(time.monotonic() - started, 1)
        figures["recovered_after_seconds"] = await healthy_again(shape)

    tally = asyncio.run(
        run_load(shape, users, issues, seconds=25, upload_share=0.1,
                 upload_bytes=1024 * 1024, during=fault)
    )  # fmt: skip
    figures.update(load=summary(tally), chinese_503=tally.chinese_503)
    checks, reasons = integrity(shape, tally)
    figures.update(checks)
    reasons += server_errors(tally, watch.new_text())
    if figures.get("recovered_after_seconds") is None:
        reasons.append("servers not healthy within 60 s")
    if not masters_alive(shape):
        reasons.append("a gunicorn server died")
    if checks["storage"]["orphans"]:
        reasons.append(f"{checks['storage']['orphans']} orphan files")
    return figures, reasons


def worker_killed(shape: Shape, users: list, issues: list, args) -> tuple[dict, list]:
    spool = Path(shape.env["VAR_DIR"]) / "tmp" / "uploads"
    figures = {"kills": 0}

    async def fault(tally: Tally) -> None:
        await asyncio.sleep(3)
        for n in range(6):
            pids = gunicorn_worker_pids(shape, n % 2)
            if pids:
                os.kill(pids[n % len(pids)], signal.SIGKILL)
                figures["kills"] += 1
            await asyncio.sleep(2)
        figures["recovered_after_seconds"] = await healthy_again(shape)

    tally = asyncio.run(
        run_load(shape, users, issues, seconds=20, upload_share=0.5,
                 upload_bytes=3 * 1024 * 1024, during=fault)
    )  # fmt: skip
    figures.update(load=summary(tally))
    checks, reasons = integrity(shape, tally)
    figures.update(checks)
    figures["spooled_uploads_left"] = len(list(spool.glob("*"))) if spool.exists() else 0
    figures["orphans_left_by_kills"] = checks["storage"]["orphans"]
    cleanup = subprocess.run(
        [PYTHON, "manage.py", "check_storage", "--delete-orphans", "--min-age", "0"],
        cwd=ROOT, env=process_env(shape), capture_output=True, text=True,
    )  # fmt: skip
    figures["check_storage"] = cleanup.stdout.strip().splitlines()[-1:]
    after = django(shape, "storage")
    figures["orphans_after_cleanup"] = after["orphans"]
    figures["spooled_after_cleanup"] = len(list(spool.glob("*"))) if spool.exists() else 0
    if after["orphans"] or figures["spooled_after_cleanup"]:
        reasons.append("orphans or spooled uploads remain after check_storage")
    if not masters_alive(shape) or figures.get("recovered_after_seconds") is None:
        reasons.append("a server did not recover")
    return figures, reasons


async def upload_once(shape: Shape, username: str, tally: Tally) -> int:
    """Sign in as ``username`` and report once with a 1 MB file; 1 if acknowledged."""
    user = PortalUser(shape.front_url, timeout=120)
    try:
        await user.sign_in(username, DEMO_PASSWORD)
        before = len(tally.acknowledged)
        await upload(user, tally, await user.reportable_assignment(), 1024 * 1024)
        return len(tally.acknowledged) - before
    finally:
        await user.close()


def storage_down(shape: Shape, users: list, issues: list, args) -> tuple[dict, list]:
    watch, figures = LogWatch(shape), {"store": "S3 (SeaweedFS)" if shape.s3 else "folder"}
    private = Path(shape.env.get("PRIVATE_MEDIA_ROOT", ""))
    marks = {}

    async def fault(tally: Tally) -> None:
        await asyncio.sleep(4)
        marks["before"] = len(tally.acknowledged)
        if shape.s3:
            os.killpg(shape.pids["seaweedfs"], signal.SIGKILL)
        else:
            private.rename(private.with_name("private.away"))
            private.write_text("the store is away")
        await asyncio.sleep(10)
        marks["during"] = len(tally.acknowledged) - marks["before"]
        started = time.monotonic()
        if shape.s3:
            await asyncio.to_thread(start_seaweed, shape)
            figures["store_restart_seconds"] = round(time.monotonic() - started, 1)
        else:
            private.unlink()
            private.with_name("private.away").rename(private)
        marks["restored"] = len(tally.acknowledged)

    tally = asyncio.run(
        run_load(shape, users, issues, seconds=30, upload_share=0.3,
                 upload_bytes=1024 * 1024, during=fault)
    )  # fmt: skip
    figures.update(load=summary(tally), chinese_503=tally.chinese_503)
    figures["acknowledged_while_down"] = marks.get("during")
    after_load = len(tally.acknowledged) - marks.get("restored", 0)
    # One more report once the store is back, whatever the load's window caught (a
    # busy machine may take most of the window to start the store again).
    figures["acknowledged_after_restore"] = after_load + asyncio.run(
        upload_once(shape, users[0], tally)
    )
    checks, reasons = integrity(shape, tally)
    figures.update(checks)
    reasons += server_errors(tally, watch.new_text())
    if checks["storage"]["orphans"]:
        reasons.append(f"{checks['storage']['orphans']} orphan files")
    if not tally.chinese_503:
        reasons.append("no upload met the outage (no 503 seen)")
    if not figures["acknowledged_after_restore"]:
        reasons.append("no upload acknowledged after the store came back")
    return figures, reasons


def publish_killed(shape: Shape, users: list, issues: list, args) -> tuple[dict, list]:
    due = django(shape, "schedule", {"count": 40})["issues"]
    ids = ",".join(map(str, due))
    count_sql = f"SELECT count(*) FROM bulletins_issue WHERE id IN ({ids}) AND status='published'"
    psql = ["psql", "-h", "127.0.0.1", "-p", str(shape.pg_port), "-U", "postgres", "-d",
            "portal", "-tAc", count_sql]  # fmt: skip
    figures = {}

    def kill_and_rerun() -> None:
        run = subprocess.Popen(
            [PYTHON, "manage.py", "publish_scheduled"], cwd=ROOT, env=process_env(shape),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        published = 0
        while run.poll() is None:
            published = int(subprocess.run(psql, capture_output=True, text=True).stdout or 0)
            if published:
                run.kill()
                break
            time.sleep(0.05)
        run.wait()
        figures["published_when_killed"] = int(
            subprocess.run(psql, capture_output=True, text=True).stdout or 0
        )
        figures["killed_mid_run"] = run.returncode == -signal.SIGKILL
        subprocess.run(
            [PYTHON, "manage.py", "publish_scheduled"], cwd=ROOT, env=process_env(shape),
            capture_output=True, check=True,
        )  # fmt: skip

    async def fault(tally: Tally) -> None:
        await asyncio.sleep(2)
        await asyncio.to_thread(kill_and_rerun)

    tally = asyncio.run(
        run_load(shape, users, issues, seconds=15, upload_share=0.05,
                 upload_bytes=1024 * 1024, during=fault)
    )  # fmt: skip
    figures.update(load=summary(tally))
    outcome = django(shape, "published", {"issues": due})
    figures.update(outcome)
    reasons = []
    if outcome["published"] != len(due):
        reasons.append(f"{len(due) - outcome['published']} issues not published")
    if outcome["published_more_than_once"] or outcome["pdf_jobs_more_than_once"]:
        reasons.append("an issue published, or its PDF job queued, more than once")
    if not figures.get("killed_mid_run") or figures["published_when_killed"] >= len(due):
        reasons.append("the run finished before it could be killed (not a mid-run kill)")
    return figures, reasons


FAULTS = {
    "postgres_restart": postgres_restart,
    "worker_killed": worker_killed,
    "storage_down": storage_down,
    "publish_killed": publish_killed,
}


def run_faults(shape: Shape, args) -> dict:
    """Run the chosen faults in order, print each result, return ``{name: survived}``."""
    made = django(shape, "setup", {"users": args.fault_users, "password": DEMO_PASSWORD})
    chosen = args.only.split(",") if args.only else list(FAULTS)
    outcome = {}
    for name in chosen:
        shape = Shape.load(shape.folder)  # pids change when a part is restarted
        figures, reasons = FAULTS[name](shape, made["users"], made["issues"], args)
        outcome[name] = not reasons
        verdict = "survived" if not reasons else "NOT survived: " + "; ".join(reasons)
        print(json.dumps({"fault": name, "figures": figures}, ensure_ascii=False, indent=2))
        print(f"fault {name}: {verdict}", flush=True)
    print(f"faults survived: {sum(outcome.values())} of {len(outcome)}")
    return outcome


if shutil.which("psql") is None:  # pragma: no cover
    raise SystemExit("psql is needed (PostgreSQL client)")
