"""Deterministic corpus of realistic Chinese bulletin articles for the search benchmark.

The vocabulary is the reference issue (/work/shared/reference/bulletin-2020-no4.txt,
or ``--reference``): its sentences and clauses, recombined, with names, units,
dates and numbers varied, and a few terms planted at known rates so that the
benchmark has rare as well as common words (产业工人 ends up in nearly every
article, as in the issue's harsh corpus). Everything goes into the portal's
own models with ``bulk_create`` (no signals); build the index afterwards with
``rebuild_search_index --reset``.

    python bench/search_corpus.py --articles 10000        # into the configured database
"""

from __future__ import annotations

import argparse
import datetime
import random
import re
import sys
from pathlib import Path

REFERENCE = Path("/work/shared/reference/bulletin-2020-no4.txt")
SEED = 20200602
ARTICLE_CHARS = 1500

NAMES = ["项雪龙", "胡建军", "王家全", "徐家保", "娄勤俭", "任振鹤", "魏国强"]
UNITS = ["市人社局", "市国资委", "赣榆区委", "江苏新海石化有限公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国军华明伟强磊洋勇艳杰涛斌超娟英华平刚桂芳鹏辉家全保龙海峰志红玲静丽敏霞飞波宁振鹤勤俭"
MORE_UNITS = [
    "市总工会",
    "市发改委",
    "市工信局",
    "市教育局",
    "市财政局",
    "东海县委",
    "灌云县委",
    "灌南县委",
    "海州区委",
    "连云区委",
    "徐圩新区",
    "连云港港口集团",
    "江苏斯尔邦石化有限公司",
    "中复连众复合材料集团",
    "恒瑞医药股份有限公司",
    "天合光能（宿迁）有限公司",
    "连云港碱业有限公司",
    "市城建控股集团",
    "市交通控股集团",
    "市工业投资集团",
]
TITLES = [
    "产业工人队伍建设改革工作推进会议精神",
    "产改试点工作动态",
    "技能人才培养工作简讯",
    "劳模工匠精神宣讲活动情况",
    "职工技能竞赛工作通报",
    "产改工作督查情况通报",
    "试点企业经验交流材料",
    "成员单位产改工作进展",
    "产业工人权益维护工作情况",
    "思想政治引领工作简报",
]
# (term, share of articles, sentence it is planted in). Shares give rare and common words.
PLANTED = [
    ("技能大师工作室", 0.005, "{unit}新建{term}一个，带动青年职工技能提升。"),
    ("首席技师", 0.001, "{unit}聘任{name}为{term}，发挥传帮带作用。"),
    ("金牌工人", 0.01, "{unit}评选出年度{term}十名，予以通报表彰。"),
    ("职工书屋", 0.02, "{unit}建成{term}三处，开展读书月活动。"),
    ("劳模创新工作室", 0.05, "{unit}依托{term}开展技术攻关。"),
    ("产业工人之家", 0.0005, "{unit}建设{term}，服务一线职工。"),
    ("ISO9001", 0.003, "{unit}通过{term}质量管理体系认证。"),
    ("5G", 0.01, "{unit}推动{term}技术在生产一线应用。"),
    ("GB/T 9704", 0.002, "公文格式按照{term}执行。"),
    ("２０２０年", 0.01, "{term}是决战决胜之年。"),
]
NEEDLE = "量子精密测量"  # in exactly one article


def _vocabulary(reference: Path):
    text = reference.read_text(encoding="utf-8")
    # Undo the page breaks that split words in the extracted reference.
    text = re.sub(r"(?<=[\u4e00-\u9fff])\n\n(?=[\u4e00-\u9fff])", "", text)
    sentences = [
        s.strip()
        for s in re.split(r"(?<=[。！？；])|\n", text)
        if s and len(s.strip()) >= 12 and not s.strip().endswith("印发")
    ]
    clauses = [c.strip("。；！？ ") for s in sentences for c in re.split(r"[，、：]", s)]
    clauses = [c for c in clauses if len(c) >= 4]
    return sentences, clauses


class CorpusWriter:
    """Builds article bodies from the reference; ``random.Random(seed)`` makes it repeatable."""

    def __init__(self, seed: int = SEED, reference: Path = REFERENCE):
        self.rng = random.Random(seed)
        self.sentences, self.clauses = _vocabulary(reference)
        rng = random.Random(seed + 1)
        self.names = NAMES + [
            rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))
            for _ in range(200)
        ]
        self.units = UNITS + MORE_UNITS
        self._name_re = re.compile("|".join(NAMES))
        self._unit_re = re.compile("|".join(UNITS))
        self._year_re = re.compile(r"20[12]\d年")
        self._date_re = re.compile(r"\d{1,2}月\d{1,2}日")

    def _vary(self, sentence: str) -> str:
        rng = self.rng
        sentence = self._name_re.sub(lambda m: rng.choice(self.names), sentence)
        sentence = self._unit_re.sub(lambda m: rng.choice(self.units), sentence)
        sentence = self._year_re.sub(lambda m: f"{rng.randint(2011, 2025)}年", sentence)
        return self._date_re.sub(
            lambda m: f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日", sentence
        )

    def _sentence(self) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            parts = rng.sample(self.clauses, rng.randint(2, 4))
            return self._vary("，".join(parts) + "。")
        return self._vary(rng.choice(self.sentences))

    def article(self, index: int) -> tuple[str, str]:
        """(title, HTML body) of article ``index``."""
        rng = self.rng
        paragraphs, length, paragraph = [], 0, []
        planted = [
            template.format(term=term, unit=rng.choice(self.units), name=rng.choice(self.names))
            for term, share, template in PLANTED
            if rng.random() < share
        ]
        if index == NEEDLE_AT[0]:
            planted.append(f"{rng.choice(self.units)}开展{NEEDLE}技术培训。")
        while length < ARTICLE_CHARS:
            sentence = planted.pop() if planted and rng.random() < 0.3 else self._sentence()
            paragraph.append(sentence)
            length += len(sentence)
            if rng.random() < 0.25:
                paragraphs.append("".join(paragraph))
                paragraph = []
        paragraph.extend(planted)
        if paragraph:
            paragraphs.append("".join(paragraph))
        title = f"{rng.choice(self.units)}{rng.choice(TITLES)}"
        return title, "".join(f"<p>{p}</p>" for p in paragraphs)


NEEDLE_AT = [0]


def generate(n_articles: int, *, seed: int = SEED, reference: Path = REFERENCE, out=sys.stdout):
    """Write about ``n_articles`` articles (1–3 per issue), meetings, tasks and reports."""
    from django.db import transaction
    from django.utils import timezone

    from bulletins.models import AgendaItem, Article, Attachment, Issue, Meeting, Series
    from portal.accounts.services import ensure_office_group
    from portal.units.models import Unit
    from tasks.models import Assignment, Plan, ProgressReport, Task

    writer = CorpusWriter(seed, reference)
    rng = random.Random(seed + 2)
    NEEDLE_AT[0] = n_articles // 2
    tz = timezone.get_current_timezone()

    with transaction.atomic():
        units = {
            name: Unit.objects.get_or_create(name=name, defaults={"short_name": name[:10]})[0]
            for name in writer.units
        }
        series = [
            Series.objects.get_or_create(slug=slug, defaults={"name": name})[0]
            for slug, name in [
                ("chanye", "市工投集团产业工人队伍建设改革简报"),
                ("dongtai", "产改工作动态"),
                ("jingyan", "产改试点经验交流"),
            ]
        ]
        _make_users(units, ensure_office_group)

    first_year, years = 2011, 15
    numbers: dict[tuple[int, int], int] = {}
    written = 0
    issue_no = 0
    batch_issues, batch_articles = [], []

    def flush():
        with transaction.atomic():
            Issue.objects.bulk_create([i for i, _ in batch_issues], batch_size=500)
            for issue, arts in batch_issues:
                for order, (title, body) in enumerate(arts):
                    batch_articles.append(Article(issue=issue, order=order, title=title, body=body))
                if rng.random() < 0.2:
                    batch_articles.append(
                        Attachment(
                            issue=issue,
                            file=f"attachments/{issue.year}/bench-{issue.pk}.xlsx",
                            original_name=f"附件：{issue.year}年{rng.choice(writer.units)}产改工作台账.xlsx",
                            size=1024,
                        )
                    )
            Article.objects.bulk_create(
                [a for a in batch_articles if isinstance(a, Article)], batch_size=200
            )
            Attachment.objects.bulk_create(
                [a for a in batch_articles if isinstance(a, Attachment)], batch_size=500
            )
        batch_issues.clear()
        batch_articles.clear()

    while written < n_articles:
        count = min(rng.choices([1, 2, 3], weights=[6, 3, 1])[0], n_articles - written)
        year = first_year + issue_no * years // max(1, n_articles * 2 // 3)
        year = min(year, first_year + years - 1)
        s = series[issue_no % len(series)]
        numbers[(s.pk, year)] = number = numbers.get((s.pk, year), 0) + 1
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(360))
        roll = rng.random()
        status = "published" if roll < 0.97 else ("draft" if roll < 0.99 else "withdrawn")
        published = datetime.datetime.combine(day, datetime.time(10), tzinfo=tz)
        articles = [writer.article(written + k) for k in range(count)]
        issue = Issue(
            series=s,
            year=year,
            number=number,
            title=articles[0][0],
            issue_date=day,
            printed_on=day,
            issuing_office="工投集团公司产改领导小组办公室",
            distribution_line="各直属单位、集团各部门",
            status=status,
            published_at=published if status != "draft" else None,
            withdrawn_at=published if status == "withdrawn" else None,
            visibility="public" if rng.random() < 0.7 else "internal",
        )
        batch_issues.append((issue, articles))
        written += count
        issue_no += 1
        if len(batch_issues) >= 500:
            flush()
            print(f"  {written}/{n_articles} articles", file=out, flush=True)
    if batch_issues:
        flush()

    # Meetings, tasks and reports: a small share of the corpus, like the real portal.
    with transaction.atomic():
        meetings = []
        for k in range(max(1, n_articles // 100)):
            day = datetime.date(first_year, 1, 1) + datetime.timedelta(
                days=rng.randrange(365 * years)
            )
            meetings.append(
                Meeting(
                    title=f"{rng.choice(writer.units)}产改工作推进会",
                    starts_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=tz),
                    place=f"市行政中心{rng.randint(100, 999)}会议室",
                    chair=rng.choice(writer.names),
                    attendees="、".join(rng.sample(writer.units, 5)),
                    key_points="".join(f"<p>{writer._sentence()}</p>" for _ in range(6)),
                    visibility="public" if k % 3 else "internal",
                )
            )
        Meeting.objects.bulk_create(meetings, batch_size=500)
        AgendaItem.objects.bulk_create(
            [
                AgendaItem(
                    meeting=m, order=o, title=writer._sentence()[:120], body=writer._sentence()
                )
                for m in meetings
                for o in range(3)
            ],
            batch_size=500,
        )
        plans = [
            Plan.objects.create(year=y, title=f"{y}年度产改任务清单", status="active")
            for y in range(first_year, first_year + years)
        ]
        tasks = []
        for k in range(max(1, n_articles // 200)):
            plan = plans[k % len(plans)]
            tasks.append(
                Task(
                    plan=plan,
                    number=f"{k // len(plans) + 1}",
                    title=writer._sentence()[:60],
                    requirement=writer._sentence(),
                    category=rng.choice(["思想引领", "素质提升", "权益维护", "组织保障"]),
                    due_date=datetime.date(plan.year, 12, 31),
                )
            )
        Task.objects.bulk_create(tasks, batch_size=500)
        unit_list = list(units.values())
        assignments = [Assignment(task=t, unit=u) for t in tasks for u in rng.sample(unit_list, 2)]
        Assignment.objects.bulk_create(assignments, batch_size=500)
        ProgressReport.objects.bulk_create(
            [
                ProgressReport(
                    assignment=a,
                    period=f"{a.task.plan.year}-{m:02d}",
                    text=writer._sentence() + writer._sentence(),
                    submitted_at=timezone.now(),
                )
                for a in assignments
                for m in (6, 12)
            ],
            batch_size=500,
        )
    return {"articles": written, "issues": issue_no}


def _make_users(units, ensure_office_group):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    office, _ = User.objects.get_or_create(username="bench-office", defaults={"is_staff": True})
    office.groups.add(ensure_office_group())
    User.objects.get_or_create(username="bench-unit", defaults={"unit": units["市人社局"]})


def main(argv=None):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.search_settings")
    import django

    django.setup()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    args = parser.parse_args(argv)
    print(generate(args.articles, seed=args.seed, reference=args.reference))


if __name__ == "__main__":
    main()
