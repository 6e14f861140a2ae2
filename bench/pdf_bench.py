"""Benchmark: the reference issue's PDF cold and from cache, and a year ZIP's peak memory.

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
    }
)
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bulletins import pdf  # noqa: E402
from bulletins.archive import stream_year_zip  # noqa: E402
from bulletins.models import Attachment, Issue  # noqa: E402
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
    issue = make_reference_issue()
    data, first = timed(lambda: pdf.render_issue_pdf(issue))
    pages = data.count(b"/Type /Page\n")
    _, cold = timed(lambda: pdf.render_issue_pdf(issue), repeat=3)
    _, stored = timed(lambda: read_all(pdf.issue_pdf(Issue.objects.get(pk=issue.pk))))
    _, cached = timed(lambda: read_all(pdf.issue_pdf(Issue.objects.get(pk=issue.pk))), repeat=20)
    print(f"reference issue: {len(data) / 1024:.0f} KiB, {pages} pages")
    print(f"  first render in the process: {first[0] * 1000:.0f} ms")
    print(f"  cold render (median of 3):   {statistics.median(cold) * 1000:.0f} ms")
    print(f"  issue_pdf, first request:    {stored[0] * 1000:.0f} ms (render + store)")
    print(
        f"  issue_pdf, from cache:       {statistics.median(cached) * 1000:.1f} ms (median of 20)"
    )

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

    # A year whose PDFs were never downloaded: the stream renders each one.
    for n in range(1, args.rendered + 1):
        make_issue(year=2022, number=n, title=f"第{n}号简报", body=reference_body_html())
    # tracemalloc slows fontTools several times over: memory from RSS only here.
    measure_zip(2022, f"year ZIP: {args.rendered} issues rendered while streaming", trace=False)


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
