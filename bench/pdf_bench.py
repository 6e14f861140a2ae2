"""Benchmark: the reference issue's PDF cold and from cache, the reader's mark, and a year ZIP.

Times are printed with ratios against baselines measured in the same run: a
cached PDF download and a marked one against ``/healthz`` through the same
Django test client, the key against hashing the content as downloads did.

Run from the repository root (a throwaway SQLite database and storage are made
in a temporary folder; nothing else is touched):

    .venv/bin/python bench/pdf_bench.py            # 200 issues in the ZIP
    .venv/bin/python bench/pdf_bench.py --issues 50

Figures go in docs/performance.md, "PDF and ZIP".
"""

import argparse
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_tmp = tempfile.mkdtemp(prefix="pdf-bench-")
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "VAR_DIR": _tmp,
        "PRIVATE_MEDIA_ROOT": os.path.join(_tmp, "private"),
        "MEDIA_ROOT": os.path.join(_tmp, "media"),
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
    }
)
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bulletins import pdf, services  # noqa: E402
from bulletins.archive import stream_year_zip  # noqa: E402
from bulletins.models import Attachment, Issue  # noqa: E402
from bulletins.pdf_content import content_digest  # noqa: E402
from bulletins.pdf_fonts import describe_fonts  # noqa: E402
from tests.bulletins.reference import (  # noqa: E402
    make_issue,
    make_reference_issue,
    reference_body_html,
)


def timed(func, repeat=1):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return result, times


def read_all(pdf_file):
    with pdf_file.file as fh:
        return fh.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=200, help="issues in the year ZIP")
    parser.add_argument("--attachment-kb", type=int, default=500, help="one attachment per issue")
    parser.add_argument(
        "--rendered",
        type=int,
        default=20,
        help="issues of a second year whose PDFs the ZIP renders",
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, fonts: {describe_fonts()}")

    # --- The reference issue ------------------------------------------------------
    started = time.perf_counter()
    call_command("prepare_pdf_fonts", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"faces prepared (or found on disk) in {time.perf_counter() - started:.1f} s")
    issue = make_reference_issue(status=Issue.Status.DRAFT)
    data, first = timed(lambda: pdf.render_issue_pdf(issue))
    pages = data.count(b"/Type /Page\n")
    cpu_started = time.process_time()
    _, cold = timed(lambda: pdf.render_issue_pdf(issue), repeat=3)
    cold_cpu = (time.process_time() - cpu_started) / 3
    office = make_office()
    started = time.perf_counter()
    services.publish_issue(issue=issue, by=office)  # the job renders and stores the PDF
    publish = time.perf_counter() - started
    issue = Issue.objects.get(pk=issue.pk)
    print(f"reference issue: {len(data) / 1024:.0f} KiB, {pages} pages")
    print(f"  first render in the process: {first[0] * 1000:.0f} ms (registers the faces)")
    print(
        f"  cold render (median of 3):   {statistics.median(cold) * 1000:.0f} ms "
        f"({cold_cpu * 1000:.0f} ms of CPU; load average {os.getloadavg()[0]:.1f})"
    )
    print(f"  publish (render + store in the job): {publish * 1000:.0f} ms")
    _, keyed = timed(lambda: pdf.pdf_key(issue), repeat=200)
    _, hashed = timed(lambda: content_digest(issue), repeat=50)
    print(
        f"  content key: {statistics.median(keyed) * 1e6:.0f} µs from the stored digest, "
        f"{statistics.median(hashed) * 1000:.1f} ms hashing the content "
        f"(x{statistics.median(hashed) / statistics.median(keyed):.0f})"
    )
    measure_downloads(issue, data)

    # --- A year's ZIP ----------------------------------------------------------------
    # Every issue gets the office's own PDF (the reference PDF) and one attachment,
    # so the ZIP streams stored files; rendering 200 PDFs would measure ReportLab.
    attachment_bytes = os.urandom(args.attachment_kb * 1024)
    for n in range(1, args.issues + 1):
        one = make_issue(year=2021, number=n, title=f"第{n}号简报")
        one.official_pdf.save("office.pdf", ContentFile(data), save=True)
        attachment = Attachment(issue=one, title="附件", original_name="附件.pdf")
        attachment.file.save("a.pdf", ContentFile(attachment_bytes), save=False)
        attachment.size = len(attachment_bytes)
        attachment.save()

    measure_zip(2021, f"year ZIP: {args.issues} issues, {2 * args.issues} files (stored PDFs)")

    # A year whose PDFs were made when they were published (the job): the stream
    # only reads stored files.
    office = get_user_model().objects.get(username="bench-office")
    started = time.perf_counter()
    for n in range(1, args.rendered + 1):
        one = make_issue(
            year=2022, number=n, title=f"第{n}号简报", body=reference_body_html(),
            status=Issue.Status.DRAFT,
        )  # fmt: skip
        services.publish_issue(issue=one, by=office)
    took = time.perf_counter() - started
    print(
        f"published {args.rendered} issues of the reference's size in {took:.1f} s (PDFs rendered)"
    )
    measure_zip(2022, f"year ZIP: {args.rendered} issues published with their PDFs", trace=False)


def make_office():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("bench-office", password="x", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name="产改办")[0])
    return user


def measure_downloads(issue, data):
    """Cached and marked downloads through the test client, against /healthz in the same run."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bulletins.pdf_stamp import stamp_pdf
    from portal.units.models import Unit

    client = Client()
    url = reverse("bulletins:issue_pdf", args=[issue.pk])

    def get(path, c=client):
        response = c.get(path)
        assert response.status_code == 200, (path, response.status_code)
        if response.streaming:
            b"".join(response.streaming_content)

    Issue.objects.filter(pk=issue.pk).update(visibility="public")
    get(url)
    _, base = timed(lambda: get("/healthz"), repeat=50)
    _, cached = timed(lambda: get(url), repeat=50)
    with CaptureQueriesContext(connection) as queries:
        get(url)
    sql = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    print(
        f"  cached download /bulletins/<id>/pdf/: {statistics.median(cached) * 1000:.1f} ms, "
        f"{len(sql)} query (healthz {statistics.median(base) * 1000:.1f} ms: "
        f"x{statistics.median(cached) / statistics.median(base):.2f})"
    )
    # The reader's mark: an internal issue downloaded by a unit.
    Issue.objects.filter(pk=issue.pk).update(visibility="internal")
    unit = Unit.objects.create(name="市人社局", short_name="人社局")
    from django.contrib.auth import get_user_model

    reader = get_user_model().objects.create_user("renshe", password="x", unit=unit)
    unit_client = Client()
    unit_client.force_login(reader)
    get(url, unit_client)
    _, marked = timed(lambda: get(url, unit_client), repeat=30)
    cpu_started = time.process_time()
    _, stamp = timed(
        lambda: stamp_pdf(data, "市人社局 · renshe · 2026-11-30 09:12 下载"), repeat=30
    )
    stamp_cpu = (time.process_time() - cpu_started) / 30
    print(
        f"  marked download (internal, a unit): {statistics.median(marked) * 1000:.1f} ms "
        f"(x{statistics.median(marked) / statistics.median(base):.2f} healthz); "
        f"the mark alone {statistics.median(stamp) * 1000:.1f} ms (median of 30; "
        f"{stamp_cpu * 1000:.1f} ms of CPU)"
    )


def measure_zip(year, label, *, trace=True):
    if trace:
        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    total = chunks = 0
    for chunk in stream_year_zip(AnonymousUser(), year):
        total += len(chunk)
        chunks += 1
    elapsed = time.perf_counter() - start
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{label}, {total / 2**20:.1f} MiB")
    print(f"  streamed in {elapsed:.1f} s ({chunks} chunks)")
    if trace:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  peak Python allocations while streaming: {peak / 2**20:.1f} MiB (tracemalloc)")
    print(f"  process max RSS grew by {(rss_after - rss_before) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
