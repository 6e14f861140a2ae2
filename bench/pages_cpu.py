"""CPU per request of the page benchmark's pages against the hello page, in process.

A companion of bench/pages_bench.py for working on one page while the machine is
busy: each page and the hello page are requested alternately through Django's test
client (``--rounds`` rounds of ``--n`` requests each), and the median CPU time of
this process per request (``time.process_time``, ms) gives the ratio hello/page,
which the machine's load hardly moves. It leaves out gunicorn and PostgreSQL's own
CPU, so it is an upper bound of the wrk ratio. Also prints the page's SQL queries
(of the second request; ``--show`` prints their text).

Run it from the checkout to measure, on a database that pages_bench.py seeded:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_speed \\
        .venv/bin/python bench/pages_cpu.py [--only list] [--n 40] [--rounds 5] [--show]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.pages_settings")
os.environ.setdefault("BENCH_STATIC_ROOT", "/tmp/portal-pages-bench-static")


def cpu_ms(client, path: str, n: int) -> float:
    """CPU ms of this process per request over ``n`` GETs of ``path``; exits unless 200."""
    started = time.process_time()
    for _ in range(n):
        response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"{path} answered {response.status_code}")
    return (time.process_time() - started) * 1000 / n


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the pages whose name contains this")
    parser.add_argument("--n", type=int, default=40, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--show", action="store_true", help="print each page's SQL")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pages_bench import HELLO, PAGES, reference_issue, sessions, set_cookies

    issue = reference_issue().pk
    cookies = sessions()
    hello = Client()
    for name, persona, template, target in PAGES:
        if args.only and args.only not in name:
            continue
        path = template.format(issue=issue)
        client = Client()
        set_cookies(client, cookies[persona])
        client.get(path)
        hello.get(HELLO)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = [q["sql"] for q in captured.captured_queries]
        hellos, pages = [], []
        for _ in range(args.rounds):
            hellos.append(cpu_ms(hello, HELLO, args.n))
            pages.append(cpu_ms(client, path, args.n))
        h, p = statistics.median(hellos), statistics.median(pages)
        print(
            f"{name:34} queries {len(queries):2}  page {p:6.2f} ms  hello {h:5.2f} ms  "
            f"ratio {h / p:.3f}  (target {target})",
            flush=True,
        )
        if args.show:
            for sql in queries:
                print("   ", sql[:300])


if __name__ == "__main__":
    main()
