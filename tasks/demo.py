"""Demo task lists drawn from the reference issue's deployment section (三突出三提升;
面上 / 线上 / 点上; 问题收集、督促检查、考核评价).

Two plans, because the demo runs years after 2020:

- the 2020 plan as it happened: assigned after the 1 June 2020 meeting, every
  assignment closed by early 2021 (some late), units scored — the history and
  assessment screens show a finished year;
- a plan for the current year drawn from the same text, with dates relative to the
  day ``load_demo`` runs: some assignments overdue, some due within a week, reports
  accepted, one returned with a comment, one awaiting 办结, one closed — so lists,
  lights, the review queue and the overview all have something true to show.

Every state is reached through ``tasks.services`` (as the office or the unit's
user); only timestamps are then moved back to the dates the story needs.
Idempotent: a plan that already exists is left alone.
"""

import datetime

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from bulletins.models import Issue
from portal.units.models import Unit

from . import selectors, services
from .demo_data import GANGKOU, GANYU, GUOZI, RENSHE, TASKS, TINY_PDF, USERNAMES, XINHAI
from .demo_decisions import meeting_decisions
from .models import Assignment, Plan, ProgressReport, Task


def _aware(day: datetime.date, hour: int = 10) -> datetime.datetime:
    """``day`` at ``hour`` local time, never later than now."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now())


def _month(day: datetime.date) -> str:
    return day.strftime("%Y-%m")


class _Story:
    """Drive one assignment through the services, then date its steps."""

    def __init__(self, users, office):
        self.users, self.office = users, office

    def run(self, a: Assignment, steps: list[tuple]) -> None:
        unit_user = self.users[a.unit.name]
        for step in steps:
            kind, when = step[0], step[1]
            a.refresh_from_db()
            if kind == "ack":
                services.acknowledge_assignment(assignment=a, by=unit_user)
                Assignment.objects.filter(pk=a.pk).update(acknowledged_at=_aware(when, 9))
            elif kind == "report":
                _, _, percent, text, completion, review, comment = step
                files = [SimpleUploadedFile("工作台账.pdf", TINY_PDF)] if percent >= 50 else []
                report = services.submit_report(
                    assignment=a,
                    by=unit_user,
                    period=_month(when),
                    text=text,
                    percent=percent,
                    requests_completion=completion,
                    files=files,
                )
                updates = {"submitted_at": _aware(when, 15)}
                if review == "accept":
                    services.accept_report(
                        report=report, by=self.office, version=None, comment=comment
                    )
                elif review == "return":
                    services.return_report(
                        report=report, by=self.office, version=None, comment=comment
                    )
                if review:
                    updates["reviewed_at"] = _aware(when + datetime.timedelta(days=2), 11)
                ProgressReport.objects.filter(pk=report.pk).update(**updates)
                if completion:
                    Assignment.objects.filter(pk=a.pk).update(
                        completion_requested_at=_aware(when, 15)
                    )
            elif kind == "close":
                services.close_assignment(assignment=a, by=self.office)
                Assignment.objects.filter(pk=a.pk).update(closed_at=_aware(when, 16))


def _make_plan(
    *, year, title, description, due_for, office, issue=None, meeting=None, decisions=None
) -> Plan:
    """The plan with every task of ``TASKS``; those in ``decisions`` (number → the
    meeting's 议定事项) are made from their decision (``make_decision_task``)."""
    plan = Plan.objects.create(
        year=year, title=title, description=description, source_issue=issue, source_meeting=meeting
    )
    for number, category, task_title, requirement, lead, cooperating in TASKS:
        start, due = due_for(number)
        weight = 2 if number.startswith(("2.", "4.")) else 1
        decision = (decisions or {}).get(number)
        if decision is not None and decision.task_id is None:
            services.make_decision_task(
                decision=decision,
                by=office,
                plan=plan,
                due_date=due,
                lead=Unit.objects.get(name=lead),
                cooperating=Unit.objects.filter(name__in=cooperating),
                number=number,
                title=task_title,
                category=category,
                requirement=requirement,
                weight=weight,
            )
            continue
        task = Task.objects.create(
            plan=plan,
            number=number,
            category=category,
            title=task_title,
            requirement=requirement,
            start_date=start,
            due_date=due,
            weight=weight,
        )
        Assignment.objects.create(task=task, unit=Unit.objects.get(name=lead), role="lead")
        for name in cooperating:
            Assignment.objects.create(task=task, unit=Unit.objects.get(name=name), role="cooperate")
    return services.activate_plan(plan=plan, by=office)


def _assignment(plan, number, unit_name) -> Assignment:
    return Assignment.objects.select_related("unit", "task").get(
        task__plan=plan, task__number=number, unit__name=unit_name
    )


def _load_2020(story: _Story, office) -> None:
    title = "2020年产业工人队伍建设改革任务清单"
    if Plan.objects.filter(year=2020, title=title).exists():
        return
    # None when the bulletins demo is not loaded: the plan then stands alone.
    issue = Issue.objects.filter(year=2020, number=4).first()
    # The meeting's three 部署 items (面上 / 线上 / 点上) become tasks 4.1–4.3.
    meeting, decisions = meeting_decisions(office)
    dues = {"1": (9, 30), "2": (11, 30), "3": (12, 31), "4": (10, 31)}

    def due_for(number):
        month, day = dues[number[0]]
        return datetime.date(2020, 6, 8), datetime.date(2020, month, day)

    plan = _make_plan(
        year=2020,
        title=title,
        description="根据2020年6月1日全市产业工人队伍建设改革试点工作部署推进会精神，"
        "产改办对改革任务细化分解、明确分工，为各单位画好施工图、交好任务书。",
        due_for=due_for,
        office=office,
        issue=issue,
        meeting=meeting,
        decisions=decisions,
    )
    for a in Assignment.objects.filter(task__plan=plan).select_related("task", "unit"):
        due = a.task.due_date
        late = a.unit.name == GUOZI or (a.unit.name == GANYU and a.task.number == "4.2")
        finished = due + datetime.timedelta(days=20) if late else due - datetime.timedelta(days=10)
        steps = [
            ("ack", datetime.date(2020, 6, 10)),
            (
                "report",
                datetime.date(2020, 7, 15),
                40,
                "已制定工作方案，明确分管领导和联络员。",
                False,
                "accept",
                "",
            ),
        ]
        if a.task.number == "2.1" and a.unit.name == RENSHE:
            steps.append(
                (
                    "report",
                    datetime.date(2020, 9, 15),
                    70,
                    "已开展培训。",
                    False,
                    "return",
                    "请补充培训人次、覆盖企业名单和签到表。",
                )
            )
            steps.append(
                (
                    "report",
                    datetime.date(2020, 9, 25),
                    80,
                    "联合新海石化等6家企业开展石化操作工培训12期，培训职工860人次，附签到表。",
                    False,
                    "accept",
                    "材料齐全。",
                )
            )
        steps += [
            ("report", finished, 100, "任务已完成，佐证材料见附件。", True, "accept", "同意办结。"),
            ("close", finished + datetime.timedelta(days=3)),
        ]
        story.run(a, steps)
    for unit in Unit.objects.filter(assignments__task__plan=plan).distinct():
        suggested = selectors.unit_rates(plan=plan, unit=unit)["suggested"]
        services.score_unit(
            plan=plan,
            unit=unit,
            by=office,
            score=suggested,
            comment="按期办结率与办结率综合评定。"
            if suggested >= 90
            else "部分任务办结滞后，请加强调度。",
        )
    services.close_plan(plan=plan, by=office)


def _load_current(story: _Story, office, today: datetime.date) -> None:
    year = today.year
    title = f"{year}年产业工人队伍建设改革重点任务清单"
    if Plan.objects.filter(year=year, title=title).exists():
        return
    # Due dates relative to the day the demo is loaded (see the module docstring).
    offsets = {
        "1.1": 45,
        "1.2": -10,
        "1.3": 5,
        "2.1": 60,
        "2.2": 90,
        "2.3": 30,
        "3.1": -3,
        "3.2": 20,
        "3.3": 40,
        "3.4": 75,
        "4.1": 15,
        "4.2": 50,
        "4.3": -20,
    }

    def due_for(number):
        return today - datetime.timedelta(days=100), today + datetime.timedelta(
            days=offsets[number]
        )

    plan = _make_plan(
        year=year,
        title=title,
        description="延续2020年“三突出三提升”部署，按面上、线上、点上分层推进；"
        "产改办建立问题收集、督促检查、考核评价工作机制。",
        due_for=due_for,
        office=office,
    )
    plan.tasks.get(number="2.1").milestones.create(
        title="制定培训体系建设方案", due_date=today + datetime.timedelta(days=10)
    )
    plan.tasks.get(number="2.1").milestones.create(
        title="完成首批石化操作工培训", due_date=today + datetime.timedelta(days=40)
    )
    plan.tasks.get(number="4.1").milestones.create(
        title="配套政策征求意见", due_date=today + datetime.timedelta(days=7)
    )
    this = today
    last = today.replace(day=1) - datetime.timedelta(days=1)
    begun = today - datetime.timedelta(days=95)
    A = lambda number, unit: _assignment(plan, number, unit)  # noqa: E731
    story.run(
        A("1.1", GUOZI),
        [
            ("ack", begun),
            (
                "report",
                this,
                60,
                "已在港口、石化等12家企业开展宣讲28场，覆盖职工3200人次。",
                False,
                "accept",
                "进展良好。",
            ),
        ],
    )
    story.run(
        A("1.2", XINHAI),
        [
            ("ack", begun),
            ("report", last, 50, "职代会制度修订稿已起草，正在征求职工意见。", False, "accept", ""),
        ],
    )
    story.run(
        A("1.3", RENSHE),
        [
            ("ack", begun),
            ("report", this, 80, "劳模先进评选推荐工作已完成，正在组织事迹宣讲。", False, None, ""),
        ],
    )
    story.run(A("1.3", GANYU), [("ack", begun)])
    story.run(
        A("2.1", RENSHE),
        [
            ("ack", begun),
            ("report", last, 30, "已调研石化企业用工需求。", False, "accept", ""),
            (
                "report",
                this,
                50,
                "已开展培训。",
                False,
                "return",
                "请补充培训人次、覆盖企业名单和签到表后重新报送。",
            ),
        ],
    )
    story.run(
        A("2.1", XINHAI),
        [
            ("ack", begun),
            ("report", this, 40, "已选派42名操作工参加培训。", False, "accept", ""),
        ],
    )
    story.run(
        A("2.2", RENSHE),
        [
            ("ack", begun),
            ("report", last, 70, "第一批“英才名匠”遴选完成。", False, "accept", ""),
            (
                "report",
                this,
                100,
                "培养计划年度目标已全部完成，名单和经费使用情况见附件。",
                True,
                "accept",
                "同意办结。",
            ),
            ("close", this),
        ],
    )
    story.run(
        A("2.3", GANGKOU),
        [
            ("ack", begun),
            ("report", this, 100, "技能竞赛已举办，共设8个工种，参赛职工516人。", True, None, ""),
        ],
    )
    story.run(
        A("3.1", RENSHE),
        [
            ("ack", begun),
            ("report", last, 60, "就业支持政策已印发，正在推动落实。", False, "accept", ""),
        ],
    )
    story.run(A("3.2", GUOZI), [("ack", begun)])
    story.run(
        A("3.3", XINHAI),
        [
            ("ack", begun),
            ("report", this, 70, "已完成全部装置区隐患排查，整改率92%。", False, "accept", ""),
        ],
    )
    story.run(A("3.3", GANGKOU), [("ack", begun)])
    story.run(
        A("4.1", GUOZI),
        [
            ("ack", begun),
            ("report", this, 50, "配套政策初稿已形成。", False, None, ""),
        ],
    )
    story.run(
        A("4.2", GANYU),
        [
            ("ack", begun),
            ("report", this, 40, "已确定3家县区试点企业。", False, "accept", ""),
        ],
    )
    story.run(
        A("4.3", XINHAI),
        [
            ("ack", begun),
            (
                "report",
                last,
                80,
                "年度产改任务清单已制定，推动落实机制正在试运行。",
                False,
                "accept",
                "",
            ),
        ],
    )
    # Not 3.1 of 市人社局: it is past the task's date, but the follow-up demo grants its
    # extension (tasks.demo_followup), so "overdue" would contradict the page.
    overdue = [A("1.2", XINHAI), A("1.2", GUOZI)]
    services.send_reminder(
        assignments=overdue,
        by=office,
        message="该任务已超过完成时限，请于一周内报送进展和佐证材料。",
        email=False,
    )
    renshe = story.users[RENSHE]
    problem = services.raise_problem(
        by=renshe,
        title="技能等级认定补贴资金渠道尚不明确",
        text="职业培训体系建设中，企业自主开展技能等级认定的补贴资金由哪个渠道列支，请产改办协调明确。",
        task=A("2.1", RENSHE).task,
    )
    services.reply_problem(
        problem=problem,
        by=office,
        reply="已与市财政局沟通，按职业技能提升行动专账列支，具体办法下周印发。",
        version=problem.version,
        email=False,
    )
    services.raise_problem(
        by=story.users[XINHAI],
        title="安全生产整治与生产计划冲突",
        text="专项整治检修窗口与装置生产计划冲突，请协调检查时间。",
        task=A("3.3", XINHAI).task,
    )


@transaction.atomic
def load(*, password: str | None = None, stdout=None) -> list:
    User = get_user_model()
    office = User.objects.filter(username="office").first()
    users = {name: User.objects.filter(username=u).first() for name, u in USERNAMES.items()}
    if office is None or not all(users.values()):
        if stdout:
            stdout.write("tasks demo skipped: the demo accounts are missing (portal.demo first).")
        return []
    story = _Story(users, office)
    _load_2020(story, office)
    _load_current(story, office, timezone.localdate())
    return []
