"""Page benchmark (issue 11): every reading page against a hello-world page, same run.

Seeds issue 11's volume into a PostgreSQL database (bench/pages_data.py; the
database named by DATABASE_URL is dropped and recreated unless ``--reuse``),
serves the portal under gunicorn (2 sync workers, production settings with
DEBUG off: bench/pages_settings.py) together with a hello-world page rendering
a 5 KB template through the same middleware (bench/pages_urls.py), and loads
each page with wrk (16 connections) in rounds, the hello page before the first
page and after each page. Prints requests per second, p50/p99 latency, SQL
queries per page and the ratio to the hello-world page runs on either side of
the page's (median of the rounds; ``--hello once``: to the round's first hello
run, as the benchmark did until the sixth pass), and
beside it each page's CPU time in this process through the test client against
the hello page's (a ratio the machine's load hardly moves).

    apt-get install wrk      # Debian's
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_pages_bench \\
        .venv/bin/python bench/pages_bench.py [--reuse] [--rounds 3] [--duration 10]
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.pages_settings")

# (name, who asks, path template, target × ceiling). {issue} is the reference issue.
PAGES = [
    ("/bulletins/ anonymous", "anonymous", "/bulletins/", 0.30),
    ("/bulletins/?page=250", "anonymous", "/bulletins/?page=250", 0.30),
    ("/bulletins/<id>/ (3 articles)", "anonymous", "/bulletins/{issue}/", 0.50),
    ("/bulletins/ unit user", "unit", "/bulletins/", 0.25),
    ("/tasks/ unit user (40)", "unit", "/tasks/", 0.25),
    ("/tasks/overview/ office (2,000)", "office", "/tasks/overview/", 0.15),
    ("/search/?q=工人", "anonymous", "/search/?q=%E5%B7%A5%E4%BA%BA", 0.25),
    ("/bulletins/<id>/pdf/ cached", "anonymous", "/bulletins/{issue}/pdf/", 0.50),
]
HELLO = "/bench-hello/"


def fresh_database():
    import psycopg2
    from django.conf import settings

    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        sys.exit("The page benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    admin = psycopg2.connect(
        dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
        cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
    admin.close()


def reference_issue():
    """The newest public issue with three articles (about 5,000 characters)."""
    from django.db.models import Count

    from bulletins.models import Issue

    return (
        Issue.objects.published()
        .public()
        .annotate(n=Count("articles"))
        .filter(n=3)
        .order_by("-pk")
        .first()
    )


def prepare(args) -> dict:
    """Data, search index, the reference issue's stored PDF, static files; what was made."""
    import django
    from django.core.management import call_command
    from django.db import connection, connections

    report = {}
    if not args.reuse:
        django.setup()
        fresh_database()
        connections.close_all()
    django.setup()
    if args.reuse:  # data of an older checkout: its schema and stored fields brought up to date
        from pages_data import store_readings

        call_command("migrate", verbosity=0)
        if store_readings(out=sys.stderr):
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE bulletins_issuereading")
    else:
        from django.utils import timezone
        from pages_data import generate

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        report["data"] = generate(today=timezone.localdate(), out=sys.stderr)
        report["generate_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        call_command("rebuild_search_index", reset=True, batch_size=500, no_progress=True)
        report["search_index_s"] = round(time.perf_counter() - started, 1)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    from bulletins.pdf_cache import store_issue_pdf
    from bulletins.pdf_signals import refresh_content_digest
    from bulletins.reading import refresh_reading

    issue = reference_issue()
    refresh_content_digest(issue.pk)  # what publishing stores
    refresh_reading(issue.pk, create=True)  # what saving its articles stores
    store_issue_pdf(issue.pk)
    report["issue"] = issue.pk
    call_command("collectstatic", interactive=False, verbosity=0)  # the manifest, up to date
    return report


def sessions() -> dict[str, str]:
    """A session cookie per persona (the same sessions the test client uses)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    cookies = {"anonymous": ""}
    for persona in ("office", "unit"):
        client = Client()
        client.force_login(get_user_model().objects.get(username=f"bench-{persona}"))
        # A browser that has been on the portal also holds its CSRF cookie (the
        # header's sign-out form sets it): without it every signed-in page under wrk
        # would make a new CSRF secret and send it back, as only a first visit does.
        client.get("/bulletins/")
        cookies[persona] = "; ".join(
            f"{name}={client.cookies[name].value}"
            for name in ("sessionid", "csrftoken")
            if name in client.cookies
        )
    return cookies


def set_cookies(client, header: str) -> None:
    """Give the test ``client`` the cookies of a ``Cookie:`` header made by ``sessions``."""
    for pair in filter(None, header.split("; ")):
        name, value = pair.split("=", 1)
        client.cookies[name] = value


def in_process(pages, cookies, requests: int) -> tuple[dict[str, int], dict[str, float]]:
    """SQL queries of each page (second request) and the CPU time of this process per
    request (ms, ``time.process_time`` over ``requests`` requests), through the test
    client, hello page included: a figure the machine's load hardly moves, unlike wrk's
    (it leaves out gunicorn and the database server's own CPU)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts, cpu = {}, {}
    for name, persona, path in [("hello", "anonymous", HELLO), *pages]:
        client = Client()
        set_cookies(client, cookies[persona])
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{path} as {persona} answered {response.status_code}")
        counts[name] = len(captured)
        started = time.process_time()
        for _ in range(requests):
            client.get(path)
        cpu[name] = (time.process_time() - started) * 1000 / requests
    return counts, cpu


_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, cookie: str, *, duration: int, connections: int) -> dict:
    """One wrk run: requests per second, p50 and p99 in ms; exits on a non-2xx answer."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s"]
    command += ["--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        sys.exit(f"wrk saw error answers from {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: float(v) * _UNIT_MS[u] for p, v, u in _LATENCY.findall(out)}
    return {"rps": rps, "p50_ms": latency.get("50"), "p99_ms": latency.get("99")}


def serve(port: int):
    """gunicorn, 2 sync workers, on the benchmark's settings; waits until it answers."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.pages_settings", "PYTHONPATH": str(ROOT)}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "portal.wsgi:application", "--workers", "2", "--worker-class", "sync"]
        + ["--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{HELLO}", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit("gunicorn did not answer")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="keep the database and its data")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--hello",
        choices=["each", "once"],
        default="each",
        help="hello page beside every page (default) or once at the start of a round",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 9500)))
    parser.add_argument("--only", help="run only the pages whose name contains this")
    parser.add_argument(
        "--cpu-requests", type=int, default=30, help="test-client requests timed per page"
    )
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    os.environ.setdefault("BENCH_STATIC_ROOT", "/tmp/portal-pages-bench-static")

    report = prepare(args)
    cookies = sessions()
    pages = [
        (name, persona, path.format(issue=report["issue"]), target)
        for name, persona, path, target in PAGES
        if not args.only or args.only in name
    ]
    report["queries"], report["cpu_ms"] = in_process(
        [p[:3] for p in pages], cookies, args.cpu_requests
    )
    from django.db import connections

    connections.close_all()
    base = f"http://127.0.0.1:{args.port}"
    server = serve(args.port)
    report["load_before"] = os.getloadavg()
    rounds = []
    try:
        for target in [(HELLO, "anonymous", HELLO)] + [p[:3] for p in pages]:
            wrk(base + target[2], cookies[target[1]], duration=2, connections=args.connections)
        for r in range(args.rounds):
            row = round_of(base, pages, cookies, args)
            rounds.append(row)
            print(
                f"round {r + 1}: hello {row['hello']['rps']:.0f}/s, load {row['load']:.1f}",
                file=sys.stderr,
                flush=True,
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    report["load_after"] = os.getloadavg()
    report["rounds"] = rounds
    print_table(report, pages)
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


def round_of(base: str, pages, cookies, args) -> dict:
    """One round: every page loaded by wrk, each page's ``ratio`` its requests per
    second over the hello page's.

    ``--hello each`` (the default): the hello page is loaded before the first page and
    after every page (H P1 H P2 … Pn H), and a page's ratio is taken against the
    geometric mean of the two hello runs on either side of it, ``hello_rps``: this
    2-core virtual machine's speed drifts by a third within minutes, and a hello page
    measured once at the start of a round put that drift into the pages measured
    last. ``--hello once``: one hello run at the start of the round, as before.
    ``row["hello"]`` is the round's median hello run (the printed ceiling).
    """

    def hello_run() -> dict:
        run = wrk(base + HELLO, "", duration=args.duration, connections=args.connections)
        if not run["rps"]:
            sys.exit("the hello page answered nothing in a round: is the machine saturated?")
        return run

    hellos = [hello_run()]
    row = {"load": os.getloadavg()[0]}
    for name, persona, path, _target in pages:
        row[name] = wrk(
            base + path, cookies[persona], duration=args.duration, connections=args.connections
        )
        if args.hello == "each":
            hellos.append(hello_run())
            adjacent = math.sqrt(hellos[-2]["rps"] * hellos[-1]["rps"])
        else:
            adjacent = hellos[0]["rps"]
        row[name]["hello_rps"] = adjacent
        row[name]["ratio"] = row[name]["rps"] / adjacent
    row["hello"] = sorted(hellos, key=lambda run: run["rps"])[len(hellos) // 2]
    row["hellos"] = [run["rps"] for run in hellos]
    return row


def print_table(report, pages):
    rounds = report["rounds"]

    def med(name, key):
        return statistics.median(r[name][key] for r in rounds)

    print(
        f"\nPage benchmark, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, "
        f"{len(rounds)} rounds, load {report['load_before'][0]:.1f} → "
        f"{report['load_after'][0]:.1f}"
    )
    print(
        f"hello-world ceiling: {med('hello', 'rps'):.0f} req/s, p50 "
        f"{med('hello', 'p50_ms'):.1f} ms, p99 {med('hello', 'p99_ms'):.1f} ms\n"
    )
    cpu = report["cpu_ms"]
    print(f"hello page in process: {cpu['hello']:.2f} ms of CPU a request\n")
    print("| page | req/s | p50 ms | p99 ms | queries | CPU ms | × ceiling | CPU × | target | |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, _persona, _path, target in pages:
        ratio = med(name, "ratio")
        print(
            f"| `{name}` | {med(name, 'rps'):.0f} | {med(name, 'p50_ms'):.1f} | "
            f"{med(name, 'p99_ms'):.1f} | {report['queries'][name]} | {cpu[name]:.1f} | "
            f"{ratio:.3f} | {cpu['hello'] / cpu[name]:.3f} | ≥ {target:.2f} | "
            f"{'met' if ratio >= target else 'NOT met'} |"
        )


if __name__ == "__main__":
    main()
