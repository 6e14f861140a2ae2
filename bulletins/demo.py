"""Demo bulletins: the reference issue (2020 第四期), its meeting, and generated issues.

Idempotent; issues are published through ``services.py`` as the office would.
"""

import datetime as dt
import random
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from portal.demo import UNITS
from portal.units.models import Unit

from . import services
from .docx_import import heading_level
from .models import AgendaItem, Article, Issue, Meeting, ReadReceipt, Series, Visibility

REFERENCE = Path(__file__).with_name("demo_content") / "bulletin-2020-no4.txt"

SERIES_NAME = "市工投集团产业工人队伍建设改革简报"
ISSUING_OFFICE = "工投集团公司产改领导小组办公室"
DISTRIBUTION_LINE = "各直属单位、集团各部门"
REFERENCE_TITLE = "全市产业工人队伍建设改革试点工作部署推进会议主要精神"

SECOND_SERIES = ("产改工作动态", "chan-gai-dong-tai", "集团工会", "各直属单位")

# A paragraph that ends without one of these was cut at a page break.
PARAGRAPH_END = tuple("。！？：；）」”")


def reference_blocks() -> tuple[str, list[tuple[str, str]]]:
    """(title, [(tag, text)]) of the reference issue's body, split as printed.

    Drops the masthead and the 版记, rejoins paragraphs that the text file breaks
    mid-sentence at page breaks ("产业工" / "人大省"), and marks 一、 and （一）
    lines as h2 and h3 headings.
    """
    lines = [line.strip() for line in REFERENCE.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    title_at = next(i for i, line in enumerate(lines) if line.replace(" ", "") == REFERENCE_TITLE)
    title = lines[title_at].replace(" ", "")
    body = []
    for line in lines[title_at + 1 :]:
        if line.startswith("抄送："):
            break
        body.append(line)
    paragraphs: list[str] = []
    for line in body:
        previous = paragraphs[-1] if paragraphs else None
        if (
            previous is not None
            and heading_level(previous) is None
            and not previous.endswith(PARAGRAPH_END)
        ):
            paragraphs[-1] = previous + line
        else:
            paragraphs.append(line)
    blocks = []
    for text in paragraphs:
        level = heading_level(text)
        blocks.append((f"h{level}" if level else "p", text))
    return title, blocks


def blocks_html(blocks) -> str:
    return "".join(f"<{tag}>{escape(text)}</{tag}>" for tag, text in blocks)


def _split_agenda(blocks):
    """The body's three 一、二、三、 sections: (heading text, blocks under it)."""
    intro, sections = [], []
    for tag, text in blocks:
        if tag == "h2":
            sections.append((text, []))
        elif sections:
            sections[-1][1].append((tag, text))
        else:
            intro.append((tag, text))
    return intro, sections


# Generated issues: (title, short lead) pairs that read like the office's bulletins.
TOPICS = [
    (
        "集团召开产业工人队伍建设改革工作推进会",
        "会议总结了前一阶段产改工作，部署了下一步重点任务。",
    ),
    ("集团举办首届职工职业技能竞赛", "来自各直属单位的选手参加了电工、焊工、钳工等工种的比赛。"),
    (
        "市人社局来集团调研技能人才评价工作",
        "调研组一行深入企业车间，了解职业技能等级认定开展情况。",
    ),
    ("新海石化建成劳模创新工作室", "工作室围绕生产难题开展技术攻关，带动青年职工提升技能。"),
    ("港口集团推行“师带徒”培养机制", "全年签订师徒协议一百余对，新进员工上岗周期明显缩短。"),
    (
        "集团产改领导小组召开专题会议研究年度任务清单",
        "会议逐项审议了年度任务清单，明确了牵头单位和完成时限。",
    ),
    ("赣榆区产改试点企业经验交流会召开", "各试点企业交流了推进产改的做法和体会。"),
    ("集团开展“当好主人翁、建功新时代”主题劳动竞赛", "竞赛覆盖集团所属全部生产经营单位。"),
    ("城建控股集团完善技能人才薪酬激励办法", "办法明确技能等级与岗位薪酬挂钩，向一线倾斜。"),
    ("集团工会开展职工思想政治引领专题宣讲", "宣讲团深入基层班组，宣讲新思想、新理念。"),
    ("集团召开产改工作季度督查通报会", "会议通报了各单位任务完成情况和存在的问题。"),
    ("市国资委督导集团产改试点工作", "督导组听取汇报、查阅台账，对下一步工作提出要求。"),
    ("集团举办技能人才专题培训班", "培训班邀请省内专家授课，一百二十名技术骨干参加培训。"),
    ("集团开展产业工人队伍状况调查", "调查覆盖各单位一线职工，形成了队伍状况分析报告。"),
    ("港口集团职工创新成果获省级表彰", "三项职工创新成果获评省级优秀技术创新成果。"),
    ("集团推进技能等级认定试点工作", "首批认定工种涵盖化工总控工、电工等六个工种。"),
    ("集团召开年度产改工作总结会议", "会议总结全年工作，表彰了先进单位和个人。"),
]


def _generated_body(lead: str, n: int) -> str:
    rng = random.Random(n)
    points = rng.sample(
        [
            "加强组织领导，把产改工作纳入年度重点工作统筹推进。",
            "细化任务分工，建立工作台账，实行清单化管理。",
            "强化宣传引导，营造崇尚劳动、尊重工人的良好氛围。",
            "完善激励机制，畅通产业工人职业发展通道。",
            "加强督促检查，定期通报工作进展情况。",
        ],
        3,
    )
    return (
        f"<p>{escape(lead)}</p>"
        "<h2>一、主要做法</h2>"
        + "".join(f"<p>{escape(p)}</p>" for p in points[:2])
        + "<h2>二、下一步工作</h2>"
        + f"<p>{escape(points[2])}</p>"
    )


# (year, how many issues) of the main series. The reference issue is 2020 第四期 (2 June):
# 2020 has 第一期 to 第三期 before it and nothing after, so the office's next issue is the
# 第五期 the reference bulletin leads it to type.
YEARS = {2018: 8, 2019: 10, 2020: 3, 2021: 7}
REFERENCE_DATE = dt.date(2020, 6, 2)


def _issue_dates(year: int, count: int) -> list[dt.date]:
    """``count`` dates from 15 January, spread over the year (2020: before the reference)."""
    span = (REFERENCE_DATE - dt.date(2020, 1, 15)).days if year == 2020 else 330
    step = span // count
    return [dt.date(year, 1, 15) + dt.timedelta(days=step * i) for i in range(count)]


def _publish(issue: Issue, office, *, published_on: dt.date) -> None:
    if issue.status == Issue.Status.PUBLISHED:
        return
    services.publish_issue(issue=issue, by=office)
    # Demo history: show the issue as published on its printed date.
    when = timezone.make_aware(dt.datetime.combine(published_on, dt.time(9, 30)))
    Issue.objects.filter(pk=issue.pk).update(published_at=when)


@transaction.atomic
def load(*, password: str | None = None, stdout=None) -> list:
    User = get_user_model()
    office = (
        User.objects.filter(username="office").first()
        or User.objects.filter(is_superuser=True).first()
    )
    if office is None:
        raise RuntimeError("bulletins.demo needs the office account of portal.demo.")
    units = list(Unit.objects.filter(name__in=[row[0] for row in UNITS]))

    series, _ = Series.objects.update_or_create(
        name=SERIES_NAME,
        defaults={
            "slug": "chan-gai-jian-bao",
            "issuing_office": ISSUING_OFFICE,
            "distribution_line": DISTRIBUTION_LINE,
            "ordering": 10,
        },
    )
    series.distribution_units.set(units)

    reference = _load_reference(series, units, office)
    _load_meeting(reference)
    _load_generated(series, units, office)
    _load_second_series(units, office)
    _load_receipts(reference)
    if stdout is not None:
        stdout.write(
            f"Bulletins: {Issue.objects.count()} issues, {Meeting.objects.count()} meetings."
        )
    return []


def _load_reference(series, units, office) -> Issue:
    title, blocks = reference_blocks()
    issue, created = Issue.objects.get_or_create(
        series=series,
        year=2020,
        number=4,
        defaults={
            "title": title,
            "issue_date": dt.date(2020, 6, 2),
            "printed_on": dt.date(2020, 6, 2),
            "issuing_office": ISSUING_OFFICE,
            "distribution_line": DISTRIBUTION_LINE,
            "visibility": Visibility.PUBLIC,
            "summary": "全市产业工人队伍建设改革试点工作部署推进会于6月1日召开，"
            "会议传达了省试点工作会议精神，市领导胡建军作了讲话。",
            "created_by": office,
            "updated_by": office,
        },
    )
    if created:
        issue.distribution.set(units)
    Article.objects.update_or_create(
        issue=issue, order=1, defaults={"title": title, "body": blocks_html(blocks)}
    )
    _publish(issue, office, published_on=dt.date(2020, 6, 2))
    return issue


def _load_meeting(issue: Issue) -> None:
    _title, blocks = reference_blocks()
    intro, sections = _split_agenda(blocks)
    meeting, _ = Meeting.objects.update_or_create(
        title="全市产业工人队伍建设改革试点工作部署推进会",
        defaults={
            "starts_at": timezone.make_aware(dt.datetime(2020, 6, 1, 9, 0)),
            "place": "市行政中心350会议室",
            "chair": "王家全",
            "leaders_present": "胡建军、王家全、徐家保",
            "attendees": "市产改联席会成员和成员单位联络员，各县区产改联席会正副召集人，"
            "总工会党组书记、相关部门负责人及试点企业工会人，市部分直属单位工会及试点企业工会负责人，"
            "市总工会产业工人队伍建设改革工作领导小组及办公室成员",
            "key_points": blocks_html(intro),
            "visibility": Visibility.PUBLIC,
        },
    )
    for order, (heading, under) in enumerate(sections, start=1):
        # "一、徐家保副市长宣读了……。" → the agenda item's title without its numbering.
        title = heading.split("、", 1)[1]
        if title.endswith("（略）"):  # the text leaves this item out
            title, under = title.removesuffix("（略）"), [("p", "（略）")]
        title = title.rstrip("。")
        AgendaItem.objects.update_or_create(
            meeting=meeting, order=order, defaults={"title": title, "body": blocks_html(under)}
        )
    meeting.issues.add(issue)


def _load_generated(series, units, office) -> None:
    n = 0
    for year, count in YEARS.items():
        for number, issue_date in zip(range(1, count + 1), _issue_dates(year, count), strict=True):
            title, lead = TOPICS[n % len(TOPICS)]
            n += 1
            issue, created = Issue.objects.get_or_create(
                series=series,
                year=year,
                number=number,
                defaults={
                    "title": title,
                    "issue_date": issue_date,
                    "printed_on": issue_date,
                    "issuing_office": ISSUING_OFFICE,
                    "distribution_line": DISTRIBUTION_LINE,
                    # Every third issue is internal (内部资料): signed-in users only.
                    "visibility": Visibility.INTERNAL if n % 3 == 0 else Visibility.PUBLIC,
                    "created_by": office,
                    "updated_by": office,
                },
            )
            if not created:
                continue
            issue.distribution.set(units)
            Article.objects.create(issue=issue, order=1, title=title, body=_generated_body(lead, n))
            if year == 2021 and number == count:
                continue  # the newest stays a draft: something for the office to publish
            if year == 2021 and number == count - 1:
                # Goes live by itself in a month (publish_scheduled, run by `make run`).
                services.schedule_issue(
                    issue=issue, publish_at=timezone.now() + dt.timedelta(days=30), by=office
                )
                continue
            _publish(issue, office, published_on=issue_date)
            if year == 2019 and number == 3:
                services.withdraw_issue(issue=issue, by=office)  # 撤回: kept for staff only


def _load_second_series(units, office) -> None:
    name, slug, issuing_office, line = SECOND_SERIES
    series, _ = Series.objects.update_or_create(
        name=name,
        defaults={
            "slug": slug,
            "issuing_office": issuing_office,
            "distribution_line": line,
            "ordering": 20,
        },
    )
    direct = [u for u in units if u.kind == Unit.Kind.DIRECT] or units
    series.distribution_units.set(direct)
    for number, month in enumerate([3, 6, 9, 12], start=1):
        title, lead = TOPICS[(number * 5) % len(TOPICS)]
        issue_date = dt.date(2021, month, 10)
        issue, created = Issue.objects.get_or_create(
            series=series,
            year=2021,
            number=number,
            defaults={
                "title": title,
                "issue_date": issue_date,
                "printed_on": issue_date,
                "issuing_office": issuing_office,
                "distribution_line": line,
                "visibility": Visibility.PUBLIC if number % 2 else Visibility.INTERNAL,
                "created_by": office,
                "updated_by": office,
            },
        )
        if not created:
            continue
        issue.distribution.set(direct)
        Article.objects.create(
            issue=issue, order=1, title=title, body=_generated_body(lead, number)
        )
        _publish(issue, office, published_on=issue_date)


def _load_receipts(issue: Issue) -> None:
    """A few units have read and signed the reference issue; the others have not (yet)."""
    when = timezone.make_aware(dt.datetime(2020, 6, 3, 10, 0))
    User = get_user_model()
    for unit_name, acknowledged in [
        ("市国资委", True),
        ("赣榆区委", True),
        ("连云港港口集团", False),
    ]:
        unit = Unit.objects.filter(name=unit_name).first()
        if unit is None:
            continue
        user = User.objects.filter(unit=unit).first()
        ReadReceipt.objects.get_or_create(
            issue=issue,
            unit=unit,
            defaults={
                "first_viewed_at": when,
                "first_viewed_by": user,
                "first_downloaded_at": when if acknowledged else None,
                "first_downloaded_by": user if acknowledged else None,
                "acknowledged_at": when + dt.timedelta(hours=1) if acknowledged else None,
                "acknowledged_by": user if acknowledged else None,
            },
        )
