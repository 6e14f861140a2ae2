"""Search benchmark: index build time, index size, results-page latency and recall.

Generates the deterministic corpus (bench/search_corpus.py) into a fresh
database, builds the index with ``rebuild_search_index --reset``, then runs the
fixed queries below. For every query it measures, in the same run:

- a plain substring scan of the same documents (``instr``/``strpos`` on the
  folded text of every document: the exact answer and the baseline time);
- recall and precision of the search engine against that scan (every match,
  uncapped), and that the first results page equals the scan's newest 20;
- the latency of the whole results page ``/search/?q=`` through Django's test
  client (middleware, session, template), as office, unit user and anonymous;
  one warm-up, then ``--runs`` timed requests per query and persona.

SQLite:      VAR_DIR=/tmp/search-bench python bench/search_bench.py --articles 100000
PostgreSQL:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_search_bench \\
             python bench/search_bench.py --articles 100000
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.search_settings")

# (category, query). At least 50; every kind the issue names.
QUERIES = [
    *[
        ("common 2-char", q)
        for q in [
            "工人",
            "产业",
            "改革",
            "职工",
            "技能",
            "企业",
            "工作",
            "劳模",
            "工匠",
            "创新",
            "试点",
            "党建",
        ]
    ],
    *[("rare 2-char", q) for q in ["技师", "书屋", "名匠", "纺织", "疫情", "脱贫", "港城", "碱业"]],
    *[
        ("3-4 chars", q)
        for q in [
            "产业工人",
            "工匠精神",
            "试点企业",
            "技能人才",
            "劳动精神",
            "主力军",
            "王家全",
            "金牌工人",
            "职工书屋",
            "首席技师",
            "稳就业",
            "三新一高",
        ]
    ],
    *[
        ("long phrase", q)
        for q in [
            "全市产业工人队伍建设改革试点工作部署推进会",
            "坚持以政治建设为根本",
            "大力弘扬劳模精神、劳动精神、工匠精神",
            "技高者多得、多劳者多得",
            "当好主人翁、建功新时代",
            "产业工人之家",
            "技能大师工作室",
        ]
    ],
    *[
        ("crosses words", q)
        for q in [
            "业工",
            "人队",
            "设改",
            "改试",
            "工投",
            "工人队",
            "革试点",
            "队伍建",
            "会成员",
            "模精",
        ]
    ],
    *[
        ("two words", q)
        for q in [
            "工匠 创新",
            "王家全 主持",
            "2020 试点",
            "劳模 职工书屋",
            "首席技师 金牌工人",
            "产业工人 技能大师工作室",
        ]
    ],
    *[
        ("latin/digits", q)
        for q in ["2020", "2016", "5g", "ISO9001", "GB/T 9704", "350", "２０２０年"]
    ],
    *[("needle", q) for q in ["量子精密测量"]],
    *[("no hits", q) for q in ["量子纠缠", "区块链技术", "人工智能大模型", "火星基地", "xyzzy"]],
    *[("adversarial", q) for q in ["工人工人", "改革改革", "产业工人产业"]],
]


def percentile(values, p):
    values = sorted(values)
    if not values:
        return 0.0
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def fresh_database():
    """Empty database for the run: a new SQLite file or a recreated PostgreSQL database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(db["NAME"] + suffix).unlink(missing_ok=True)
    else:
        import psycopg2

        admin = psycopg2.connect(
            dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
        )
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{db["NAME"]}"')
        admin.close()


def scan(words):
    """The plain substring scan: every document whose folded text holds all words."""
    from django.db import connection

    fn = "instr" if connection.vendor == "sqlite" else "strpos"
    where = " AND ".join(f"{fn}(text, %s) > 0" for _ in words)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT document_id FROM search_searchtext WHERE {where} ORDER BY document_id",
            list(words),
        )
        return [row[0] for row in cursor.fetchall()]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Search benchmark")
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="Keep the database and index")
    parser.add_argument("--json", type=Path, help="Write the results here too")
    args = parser.parse_args(argv)

    import django

    if not args.reuse:
        django.setup()
        fresh_database()
        from django.db import connections

        connections.close_all()
    django.setup()

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from search_corpus import generate

    from portal.search import engine, index
    from portal.search.models import SearchDocument
    from portal.search.text import parse_query
    from portal.search.views import _hits

    report = {"database": connection.vendor, "articles": args.articles}
    if not args.reuse:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        report["corpus"] = generate(args.articles, out=sys.stderr)
        report["generate_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        call_command("rebuild_search_index", reset=True, batch_size=500, no_progress=True)
        report["index_build_s"] = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE search_searchdocument")
                cursor.execute("VACUUM ANALYZE search_searchtext")
                cursor.execute("ANALYZE")
    report["documents"] = SearchDocument.objects.count()
    report["documents_by_kind"] = dict(
        SearchDocument.objects.values_list("kind").annotate(n=Count("pk")).order_by()
    )
    report["index_bytes"] = index.index_size_bytes()
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(LENGTH(body)) FROM search_searchtext")
        report["indexed_chars"] = cursor.fetchone()[0]

    User = get_user_model()
    clients = {"anonymous": Client()}
    users = {"anonymous": AnonymousUser()}
    for persona, username in [("office", "bench-office"), ("unit", "bench-unit")]:
        users[persona] = User.objects.get(username=username)
        clients[persona] = Client()
        clients[persona].force_login(users[persona])

    everything = SearchDocument.objects.all()
    rows = []
    for category, q in QUERIES:
        query = parse_query(q)
        started = time.perf_counter()
        expected = scan(query.words)
        scan_ms = (time.perf_counter() - started) * 1000
        got = engine.all_matches(everything, query)
        hit = len(set(got) & set(expected))
        recall = hit / len(expected) if expected else 1.0
        precision = hit / len(got) if got else 1.0
        outcome = engine.find(everything, query)
        page_ok = outcome.keys[:20] == expected[:20] and (
            outcome.capped if len(expected) > engine.LIMIT else outcome.total == len(expected)
        )
        timings, engine_timings = {}, {}
        for persona, client in clients.items():
            user = users[persona]
            queryset = SearchDocument.objects.visible_to(user)
            engine_samples = []
            for _ in range(args.runs + 1):
                started = time.perf_counter()
                found = engine.find(queryset, query)
                _hits(queryset, found.keys[:20], query, user)
                engine_samples.append((time.perf_counter() - started) * 1000)
            engine_timings[persona] = engine_samples[1:]
            client.get("/search/", {"q": q})  # warm-up
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                response = client.get("/search/", {"q": q})
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (q, response.status_code)
            timings[persona] = samples
        row = {
            "category": category,
            "query": q,
            "matches": len(expected),
            "recall": recall,
            "precision": precision,
            "first_page_ok": page_ok,
            "scan_ms": round(scan_ms, 1),
            "page_ms": {p: [round(s, 2) for s in v] for p, v in timings.items()},
            "engine_ms": {p: [round(s, 2) for s in v] for p, v in engine_timings.items()},
        }
        rows.append(row)
        print(
            f"{category:14} {q[:16]:16} {len(expected):7} recall={recall:.3f} "
            f"prec={precision:.3f} page_ok={page_ok} scan={scan_ms:8.1f}ms "
            + " ".join(f"{p}={statistics.median(v):6.1f}ms" for p, v in timings.items())
            + " engine "
            + " ".join(f"{p}={statistics.median(v):5.1f}" for p, v in engine_timings.items()),
            file=sys.stderr,
            flush=True,
        )

    summary = {}
    for persona in clients:
        for kind in ("page_ms", "engine_ms"):
            samples = [s for row in rows for s in row[kind][persona]]
            summary[f"{persona} {kind[:-3]}"] = {
                "p50_ms": round(percentile(samples, 50), 1),
                "p95_ms": round(percentile(samples, 95), 1),
                "max_ms": round(max(samples), 1),
            }
    scans = [row["scan_ms"] for row in rows]
    summary["scan"] = {
        "p50_ms": round(percentile(scans, 50), 1),
        "p95_ms": round(percentile(scans, 95), 1),
        "min_ms": round(min(scans), 1),
    }
    summary["queries"] = len(rows)
    summary["recall_min"] = min(row["recall"] for row in rows)
    summary["precision_min"] = min(row["precision"] for row in rows)
    summary["first_pages_ok"] = sum(row["first_page_ok"] for row in rows)
    report["summary"] = summary
    report["queries"] = rows
    print(
        json.dumps(
            {k: v for k, v in report.items() if k != "queries"}, ensure_ascii=False, indent=2
        )
    )
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
