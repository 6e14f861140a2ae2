"""The page benchmark's data at issue 11's scale, written with ``bulk_create``.

10,000 published issues (30 % internal, 2011–2025, three series), 15,500 articles
of 1,500+ characters (the search benchmark's deterministic writer, from the
reference issue), 2,000 attachments, 15,000 read receipts, and for the task pages
50 units with 40 assignments each (2,000) and their progress reports. One office
account (``bench-office``) and one unit account (``bench-unit``, of the first unit).
"""

from __future__ import annotations

import datetime
import random

SEED = 20261130
ISSUES = 10_000
ARTICLES = 15_500
ATTACHMENTS = 2_000
RECEIPTS = 15_000
UNITS = 50
ASSIGNMENTS_PER_UNIT = 40
TASKS = 120
INTERNAL_SHARE = 0.3
FIRST_YEAR, YEARS = 2011, 15
CATEGORIES = ["思想引领", "素质提升", "权益维护", "组织保障"]


def generate(*, today: datetime.date, out=None) -> dict:
    """Fill an empty, migrated database; returns what it wrote, by kind.

    ``today`` places the tasks' due dates around it (some overdue, some due soon)
    and the reports of its month, so every traffic light shows.
    """
    from django.db import transaction
    from django.utils import timezone
    from search_corpus import CorpusWriter

    from bulletins.models import Article, Attachment, Issue, ReadReceipt, Series
    from portal.accounts.models import User
    from portal.accounts.services import ensure_office_group
    from portal.units.models import Unit

    rng = random.Random(SEED)
    writer = CorpusWriter()
    tz = timezone.get_current_timezone()
    say = (lambda text: print(text, file=out, flush=True)) if out else (lambda text: None)

    with transaction.atomic():
        units = Unit.objects.bulk_create(
            [
                Unit(
                    name=f"成员单位{k:02d}",
                    short_name=f"单位{k:02d}",
                    kind=rng.choice(Unit.Kind.values),
                    ordering=k,
                )
                for k in range(UNITS)
            ]
        )
        office = User.objects.create(username="bench-office", is_staff=True)
        office.groups.add(ensure_office_group())
        User.objects.create(username="bench-unit", unit=units[0])
        series = Series.objects.bulk_create(
            [
                Series(name=name, slug=slug, ordering=k)
                for k, (slug, name) in enumerate(
                    [
                        ("chanye", "市工投集团产业工人队伍建设改革简报"),
                        ("dongtai", "产改工作动态"),
                        ("jingyan", "产改试点经验交流"),
                    ]
                )
            ]
        )

    # Articles per issue: one each, the rest spread over random issues, three at most.
    per_issue = [1] * ISSUES
    extra = ARTICLES - ISSUES
    while extra:
        k = rng.randrange(ISSUES)
        if per_issue[k] < 3:
            per_issue[k] += 1
            extra -= 1
    numbers: dict[tuple[int, int], int] = {}
    issues = []
    for k in range(ISSUES):
        year = FIRST_YEAR + k * YEARS // ISSUES
        s = series[k % len(series)]
        numbers[(s.pk, year)] = number = numbers.get((s.pk, year), 0) + 1
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(360))
        published = datetime.datetime.combine(day, datetime.time(10), tzinfo=tz)
        issues.append(
            Issue(
                series=s,
                year=year,
                number=number,
                title=f"{rng.choice(writer.units)}产改工作动态（{number}）",
                issue_date=day,
                printed_on=day,
                issuing_office="工投集团公司产改领导小组办公室",
                distribution_line="各直属单位、集团各部门",
                summary=writer._sentence() if rng.random() < 0.5 else "",
                status=Issue.Status.PUBLISHED,
                published_at=published,
                visibility="internal" if rng.random() < INTERNAL_SHARE else "public",
            )
        )
    written = 0
    for start in range(0, ISSUES, 500):
        with transaction.atomic():
            batch = Issue.objects.bulk_create(issues[start : start + 500])
            articles = []
            for k, issue in enumerate(batch, start):
                for order in range(per_issue[k]):
                    title, body = writer.article(written)
                    articles.append(Article(issue=issue, order=order, title=title, body=body))
                    written += 1
            Article.objects.bulk_create(articles, batch_size=200)
        say(f"  {start + len(batch)}/{ISSUES} issues, {written} articles")

    from bulletins.year_counts import refresh_year_counts

    refresh_year_counts()  # what saving an issue stores; bulk_create sends no signal
    issue_ids = [issue.pk for issue in issues]
    with transaction.atomic():
        Attachment.objects.bulk_create(
            [
                Attachment(
                    issue_id=pk,
                    title=f"附件{k + 1}",
                    file=f"attachments/bench/{pk}-{k}.xlsx",
                    original_name=f"附件：{rng.choice(writer.units)}产改工作台账.xlsx",
                    size=rng.randint(10_000, 500_000),
                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                )
                for k, pk in enumerate(rng.sample(issue_ids, ATTACHMENTS))
            ],
            batch_size=500,
        )
        # Receipts of the newest issues, the benchmark's unit among them.
        newest = issue_ids[-(RECEIPTS // 10) :]
        seen = datetime.datetime.combine(today, datetime.time(9), tzinfo=tz)
        ReadReceipt.objects.bulk_create(
            [
                ReadReceipt(
                    issue_id=pk,
                    unit=unit,
                    first_viewed_at=seen,
                    acknowledged_at=seen if rng.random() < 0.6 else None,
                )
                for pk in newest
                for unit in units[:10]
            ],
            batch_size=1000,
        )
    tasks = _tasks(rng, units, today, writer, tz)
    store_readings(out)
    return {
        "issues": ISSUES,
        "articles": written,
        "attachments": ATTACHMENTS,
        "receipts": RECEIPTS,
        "units": UNITS,
        **tasks,
    }


def _tasks(rng, units, today, writer, tz) -> dict:
    """Two plans, ``TASKS`` tasks, 40 assignments per unit, two reports each."""
    from django.db import transaction

    from tasks.models import Assignment, Plan, ProgressReport, Task

    S = Assignment.Status
    with transaction.atomic():
        plans = [
            Plan.objects.create(year=year, title=f"{year}年度产改任务清单", status="active")
            for year in (today.year - 1, today.year)
        ]
        tasks = Task.objects.bulk_create(
            [
                Task(
                    plan=plans[k % 2],
                    number=f"{k // 2 + 1}",
                    title=writer._sentence()[:60],
                    requirement=writer._sentence(),
                    category=rng.choice(CATEGORIES),
                    due_date=today + datetime.timedelta(days=rng.randint(-90, 240)),
                )
                for k in range(TASKS)
            ]
        )
        assignments = []
        now = datetime.datetime.combine(today, datetime.time(9), tzinfo=tz)
        for unit in units:
            for task in rng.sample(tasks, ASSIGNMENTS_PER_UNIT):
                status = rng.choice([S.PENDING, S.ACKNOWLEDGED, S.IN_PROGRESS, S.CLOSED])
                assignments.append(
                    Assignment(
                        task=task,
                        unit=unit,
                        role=rng.choice(Assignment.Role.values),
                        status=status,
                        progress=100 if status == S.CLOSED else rng.randrange(0, 100, 10),
                        acknowledged_at=None if status == S.PENDING else now,
                        closed_at=now if status == S.CLOSED else None,
                    )
                )
        Assignment.objects.bulk_create(assignments, batch_size=500)
        months = [today.replace(day=1) - datetime.timedelta(days=1), today]
        reports = ProgressReport.objects.bulk_create(
            [
                ProgressReport(
                    assignment=a,
                    period=f"{month:%Y-%m}",
                    text=writer._sentence(),
                    percent=a.progress,
                    submitted_at=now,
                    review_status=rng.choice(ProgressReport.Review.values),
                )
                for a in assignments
                if a.status != S.PENDING
                for month in months
            ],
            batch_size=500,
        )
    return {"tasks": len(tasks), "assignments": len(assignments), "reports": len(reports)}


def store_readings(out=None) -> int:
    """Store the reading copy (bulletins/reading.py) of every issue that has none, as
    saving its articles and files would have: ``bulk_create`` sends no signal. Gives
    the issue page's join the table it has in production. Returns how many were made."""
    from bulletins.models import Issue, IssueReading
    from bulletins.reading import reading_of

    say = (lambda text: print(text, file=out)) if out else (lambda text: None)
    missing = list(Issue.objects.filter(reading__isnull=True).order_by("pk"))
    for start in range(0, len(missing), 500):
        batch = missing[start : start + 500]
        IssueReading.objects.bulk_create(
            [IssueReading(issue=issue, **reading_of(issue)) for issue in batch]
        )
        say(f"  reading copies {start + len(batch)}/{len(missing)}")
    return len(missing)
