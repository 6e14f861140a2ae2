"""Demo of 信息报送: 栏目, this year's scoring rules, a leader account for 市人社局, and
four months of pieces in every state, some adopted into a published issue (the source
line on its page and PDF) and one into a draft issue. Runs through the services;
only the dates are moved back afterwards. Idempotent: skipped once pieces exist."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from bulletins import services as issue_services
from bulletins.models import Article, Issue, Series, Visibility
from portal.search.index import update_documents
from portal.units.models import Unit

from . import services
from .models import Adoption, Category, Submission

CATEGORIES = ["工作动态", "经验做法", "问题建议"]
LEADER = ("renshe_lead", "王建国", "市人社局")

# (unit, days ago, 栏目, title, outcome): outcome is "issue" (adopted into the published
# issue as an article), "section" (into its 工作动态 article), "draft" (into the draft
# issue), "province" (adopted and then by the province), "declined", "returned",
# "pending", "awaiting" (waits for 市人社局's leader), "draft-piece".
PIECES = [
    ("市人社局", 105, "经验做法", "市人社局“技能强市”行动推动职业技能等级认定扩面", "province"),
    ("市国资委", 100, "工作动态", "市国资委召开市属企业产改工作推进会", "section"),
    ("江苏新海石化有限公司", 98, "工作动态", "新海石化开展“师带徒”结对48对", "section"),
    ("赣榆区委", 95, "问题建议", "关于县区产改经费保障的建议", "declined"),
    ("连云港港口集团", 80, "经验做法", "港口集团建立产业工人技能等级与薪酬挂钩机制", "issue"),
    ("市人社局", 70, "工作动态", "市人社局举办第三届职业技能大赛", "section"),
    ("市国资委", 62, "工作动态", "市国资委推进国企“首席技师”评选", "declined"),
    ("江苏新海石化有限公司", 45, "经验做法", "新海石化“工匠创新工作室”成果转化", "draft"),
    ("市人社局", 40, "问题建议", "关于技能人才评价机构备案的建议", "returned"),
    ("赣榆区委", 30, "工作动态", "赣榆区建成产业工人服务阵地12个", "pending"),
    ("连云港港口集团", 20, "工作动态", "港口集团开展安全技能比武", "pending"),
    ("市人社局", 8, "工作动态", "市人社局发布技能人才需求目录", "awaiting"),
    ("市国资委", 3, "经验做法", "市国资委完善产改考核指标体系", "draft-piece"),
]

BODY = (
    "<p>{title}。今年以来，{unit}围绕产业工人队伍建设改革重点任务，"
    "细化工作措施，压实工作责任，取得阶段性成效。</p>"
    "<h2>一、主要做法</h2><p>一是强化组织领导，成立工作专班；二是完善制度机制，"
    "出台配套文件3项；三是搭建平台载体，组织培训和技能竞赛。</p>"
    "<h2>二、下一步打算</h2><p>持续推进改革任务落实，及时总结推广经验做法。</p>"
)


def _when(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _leader(password):
    User = get_user_model()
    username, name, unit_name = LEADER
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "last_name": name,
            "email": f"{username}@example.cn",
            "unit": Unit.objects.get(name=unit_name),
            "is_unit_leader": True,
            "is_staff": False,
            "is_active": True,
        },
    )
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def _issues(office):
    series = Series.objects.order_by("ordering", "pk").first()
    day = timezone.localdate() - dt.timedelta(days=60)
    year = day.year
    taken = set(Issue.objects.filter(series=series, year=year).values_list("number", flat=True))
    free = [n for n in range(1, 60) if n not in taken][:2]
    common = {
        "issuing_office": series.issuing_office,
        "distribution_line": series.distribution_line,
    }
    published = Issue.objects.create(
        series=series,
        year=year,
        number=free[0],
        title="各成员单位产改工作动态",
        issue_date=day,
        printed_on=day,
        visibility=Visibility.INTERNAL,
        created_by=office,
        **common,
    )
    published.distribution.set(Unit.objects.active())
    Article.objects.create(
        issue=published, order=1, title="工作动态", body="<p>近期各成员单位产改工作动态如下。</p>"
    )
    draft = Issue.objects.create(
        series=series,
        year=timezone.localdate().year,
        number=free[1] if year == timezone.localdate().year else 1,
        title="产改经验做法选编",
        created_by=office,
        **common,
    )
    return published, draft


def _write(unit_name, days, category, title, users, categories):
    user = users[unit_name]
    fields = {
        "category": categories[category],
        "title": title,
        "body": BODY.format(title=title, unit=unit_name),
        "author": user.last_name or user.username,
        "author_phone": user.unit.phone or "0518-85800000",
        "signer": "" if unit_name == LEADER[2] else "单位分管领导",
    }
    return services.create_submission(by=user, fields=fields)


def _send(piece, users, leader):
    piece = services.submit_submission(submission=piece, by=users[piece.unit.name])
    if piece.status == Submission.Status.AWAITING_SIGNOFF:
        piece = services.sign_off_submission(submission=piece, by=leader)
    return piece


@transaction.atomic
def load(*, password: str | None = None, stdout=None) -> list:
    from portal.demo import DEMO_PASSWORD

    User = get_user_model()
    office = User.objects.get(username="office")
    password = password or DEMO_PASSWORD
    leader = _leader(password)
    made = [(leader.username, password, f"{LEADER[2]}（负责人，审签）")]
    categories = {}
    for order, name in enumerate(CATEGORIES, start=1):
        categories[name] = Category.objects.get_or_create(name=name, defaults={"ordering": order})[
            0
        ]
    if Submission.objects.exists():
        return made
    today = timezone.localdate()
    start = (today - dt.timedelta(days=110)).month if today.month > 4 else 1
    services.save_scoring_rule(
        year=today.year,
        by=office,
        values={"monthly_quota": 1, "quota_start_month": start, "missed_month_penalty": 1},
    )
    users = {u.unit.name: u for u in User.objects.filter(unit__isnull=False, is_unit_leader=False)}
    published, draft = _issues(office)
    section_into = published.articles.get()
    for unit_name, days, category, title, outcome in PIECES:
        piece = _write(unit_name, days, category, title, users, categories)
        if outcome == "draft-piece":
            continue
        if outcome == "awaiting":
            services.submit_submission(submission=piece, by=users[unit_name])
            continue
        piece = _send(piece, users, leader)
        Submission.objects.filter(pk=piece.pk).update(sent_at=_when(days), resent_at=_when(days))
        _decide(piece, outcome, office, published, draft, section_into, days)
    issue_services.publish_issue(issue=published, by=office)
    # The dates were moved back with update(), which search signals do not see.
    update_documents("submission", Submission.objects.values_list("pk", flat=True))
    if stdout is not None:
        stdout.write(
            f"信息报送: {Submission.objects.count()} pieces, {Adoption.objects.count()} adoptions."
        )
    return made


def _decide(piece, outcome, office, published, draft, section_into, days):
    if outcome in ("pending",):
        return
    if outcome == "declined":
        services.decline_submission(
            submission=piece, by=office, comment="与近期简报主题不符，请关注下期选题。"
        )
    elif outcome == "returned":
        services.return_submission(
            submission=piece, by=office, comment="请补充具体数据和典型案例。"
        )
    else:
        issue = draft if outcome == "draft" else published
        mode = Adoption.Mode.SECTION if outcome == "section" else Adoption.Mode.ARTICLE
        article = section_into if mode == Adoption.Mode.SECTION else None
        services.adopt_submission(
            submission=piece, by=office, issue=issue, mode=mode, article=article
        )
        if outcome == "province":
            services.record_upward_adoption(
                submission=piece,
                by=office,
                level=Adoption.Level.PROVINCE,
                publication="江苏产改动态",
                published_on=timezone.localdate() - dt.timedelta(days=days - 30),
            )
    Submission.objects.filter(pk=piece.pk).update(decided_at=_when(days - 5))
