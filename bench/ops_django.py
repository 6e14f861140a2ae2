"""The database side of bench/ops_bench.py, run inside the shape's environment
(``python bench/ops_django.py ACTION``, JSON in on stdin, JSON out on stdout).

    setup      50 bench unit users over the demo units that have open assignments
    verify     every acknowledged report exists once, its evidence with the same sha256
    storage    rows whose file is missing, stored files no row names (orphans)
    schedule   N complete issues scheduled and already due
    published  how often each of those issues was published, PDF jobs per issue
"""

import hashlib
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from tasks import services  # noqa: E402
from tasks.models import Assignment, Evidence, ProgressReport  # noqa: E402

BENCH_TEXT = "bench report "


def setup(data: dict) -> dict:
    """``{"users": n, "password": p}`` → ``{"users": [names], "issues": [ids]}``."""
    from bulletins.models import Issue

    User = get_user_model()
    S = Assignment.Status
    open_states = [S.PENDING, S.ACKNOWLEDGED, S.IN_PROGRESS]
    units = sorted(
        {a.unit for a in Assignment.objects.filter(status__in=open_states).select_related("unit")},
        key=lambda u: u.pk,
    )
    names = []
    for i in range(data["users"]):
        unit = units[i % len(units)]
        user, _ = User.objects.get_or_create(username=f"bench{i + 1:02d}", defaults={"unit": unit})
        user.unit = unit
        user.is_active = True
        user.set_password(data["password"])
        user.save()
        names.append(user.username)
        for a in Assignment.objects.filter(unit=unit, status=S.PENDING):
            services.acknowledge_assignment(assignment=a, by=user)
    issues = list(Issue.objects.published().values_list("pk", flat=True)[:20])
    return {"users": names, "issues": issues, "units": len(units)}


def sha256_of_stored(evidence) -> str:
    digest = hashlib.sha256()
    with evidence.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(data: dict) -> dict:
    """``{"acknowledged": [[token, sha256], …], "attempted": [token, …]}``: each token
    is in one report's text (``BENCH_TEXT`` + token)."""
    expected = dict(data["acknowledged"])
    attempted = set(data.get("attempted", ()))
    reports = ProgressReport.objects.filter(text__startswith=BENCH_TEXT).prefetch_related(
        "evidence"
    )
    seen = Counter()
    wrong_sum = wrong_file = no_evidence = 0
    for report in reports:
        token = report.text[len(BENCH_TEXT) :].strip()
        seen[token] += 1
        if token not in expected:
            continue
        evidence = list(report.evidence.all())
        if len(evidence) != 1:
            no_evidence += 1
            continue
        if evidence[0].sha256 != expected[token]:
            wrong_sum += 1
        elif sha256_of_stored(evidence[0]) != expected[token]:
            wrong_file += 1
    return {
        "acknowledged": len(expected),
        "present_once": sum(1 for t in expected if seen[t] == 1),
        "missing": sum(1 for t in expected if seen[t] == 0),
        "duplicated": sum(1 for t in expected if seen[t] > 1),
        # Posted in this run, stored, but the user never saw the 302 (a cut connection).
        "stored_not_acknowledged": sum(1 for t in seen if t in attempted and t not in expected),
        "without_evidence": no_evidence,
        "sha256_field_differs": wrong_sum,
        "stored_bytes_differ": wrong_file,
    }


def storage(data: dict) -> dict:
    """Rows naming a missing file and orphan files, as ``check_storage`` counts them."""
    from portal.files import private_storage
    from portal.storage.inventory import rows_with_files, stored_names

    stored = set(stored_names(private_storage()))
    named = {name for _label, _pk, _field, name in rows_with_files()}
    orphans = sorted(stored - named - {n for n in stored if n.startswith("healthz/")})
    return {
        "rows": len(named),
        "stored": len(stored),
        "rows_missing_file": len(named - stored),
        "orphans": len(orphans),
        "orphan_names": orphans[:10],
        "evidence_rows": Evidence.objects.count(),
    }


def schedule(data: dict) -> dict:
    """``{"count": n}``: n complete issues, scheduled, due a minute ago."""
    import datetime as dt

    from bulletins import services as bulletin_services
    from bulletins.models import Article, Issue, Series

    office = get_user_model().objects.get(username="office")
    series = Series.objects.first()
    year = timezone.localdate().year + 50  # a year of their own: numbers never collide
    start = (Issue.objects.filter(series=series, year=year).order_by("-number").first())
    first = (start.number if start else 0) + 1
    made = []
    for number in range(first, first + data["count"]):
        issue = Issue.objects.create(
            series=series, year=year, number=number, title=f"压测定时发布第{number}期",
            issue_date=timezone.localdate(), printed_on=timezone.localdate(),
        )  # fmt: skip
        Article.objects.create(issue=issue, title="压测文章", body="<p>定时发布的压测内容。</p>")
        bulletin_services.schedule_issue(
            issue=issue, publish_at=timezone.now() + dt.timedelta(minutes=5), by=office
        )
        made.append(issue.pk)
    Issue.objects.filter(pk__in=made).update(publish_at=timezone.now() - dt.timedelta(minutes=1))
    return {"issues": made}


def published(data: dict) -> dict:
    """``{"issues": [ids]}`` → how many were published, and how often (revisions)."""
    from django_tasks_db.models import DBTaskResult

    from bulletins.models import Issue

    ids = data["issues"]
    statuses = Counter(Issue.objects.filter(pk__in=ids).values_list("status", flat=True))
    revisions = Counter(
        Issue.history.filter(id__in=ids, status=Issue.Status.PUBLISHED).values_list(
            "id", flat=True
        )
    )
    jobs = Counter(
        tuple(job.args_kwargs.get("args", [])[:1])[0]
        for job in DBTaskResult.objects.filter(task_path__endswith="render_issue_pdf_job")
        if job.args_kwargs.get("args") and job.args_kwargs["args"][0] in ids
    )
    return {
        "issues": len(ids),
        "published": statuses.get(Issue.Status.PUBLISHED, 0),
        "published_more_than_once": sum(1 for i in ids if revisions[i] > 1),
        "pdf_jobs_more_than_once": sum(1 for i in ids if jobs[i] > 1),
    }


ACTIONS = {f.__name__: f for f in (setup, verify, storage, schedule, published)}

if __name__ == "__main__":
    payload = json.loads(sys.stdin.read() or "{}")
    print(json.dumps(ACTIONS[sys.argv[1]](payload)))
