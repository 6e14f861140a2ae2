"""Demo of the follow-up workflows on the current year's plan (``tasks.demo`` first):
延期申请 waiting, approved, declined, and one closed by its extended date.

Every step goes through ``tasks.services`` as the unit's user or the office; only the
request and decision times are then moved back a few days. Idempotent: a plan that
already has requests is left alone.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .demo_data import GANGKOU, RENSHE, USERNAMES, XINHAI
from .models import Assignment, ExtensionRequest, Plan

# (task number, unit, days from today asked for, reason, decision, office's comment,
#  days from today granted when approving another date)
EXTENSIONS = [
    (
        "3.1",
        RENSHE,
        30,
        "受企业招聘旺季推迟影响，稳就业专项行动的第二批岗位对接会改在下月举办，"
        "请求将完成时限顺延一个月。",
        "approve",
        "同意延期，请按新的时限报送进展。",
        25,
    ),
    (
        "1.2",
        XINHAI,
        40,
        "公司大检修期间停开职代会，职代会制度修订稿需待检修结束后提交职代会审议。",
        None,
        "",
        None,
    ),
    (
        "4.3",
        XINHAI,
        60,
        "年度任务清单推动落实机制试运行时间不足，请求延期两个月。",
        "decline",
        "该任务为试点企业年度重点任务，请按原时限完成，可先报送阶段性成果。",
        None,
    ),
    (
        "4.3",
        GANGKOU,
        20,
        "配合单位需待牵头单位清单定稿后制定本单位措施，请求顺延。",
        "approve",
        "",
        None,
    ),
]


def _moment(days_ago: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return min(moment, timezone.now())


def _load_extensions(plan: Plan, users, office, today: datetime.date) -> None:
    if ExtensionRequest.objects.filter(assignment__task__plan=plan).exists():
        return
    for number, unit, days, reason, decision, comment, granted in EXTENSIONS:
        a = Assignment.objects.select_related("task").get(
            task__plan=plan, task__number=number, unit__name=unit
        )
        user = users[unit]
        if a.status == Assignment.Status.PENDING:
            services.acknowledge_assignment(assignment=a, by=user)
        r = services.request_extension(
            assignment=a, by=user, due_date=today + datetime.timedelta(days=days), reason=reason
        )
        ExtensionRequest.objects.filter(pk=r.pk).update(requested_at=_moment(12, 10))
        if decision == "approve":
            day = today + datetime.timedelta(days=granted) if granted else None
            services.approve_extension(
                request=r, by=office, version=None, due_date=day, comment=comment
            )
        elif decision == "decline":
            services.decline_extension(request=r, by=office, version=None, comment=comment)
        if decision:
            ExtensionRequest.objects.filter(pk=r.pk).update(decided_at=_moment(10, 16))
    # The cooperating unit on 4.3 then finished within its new date: on time after an
    # approved extension, though late by the task's own date.
    a = Assignment.objects.get(task__plan=plan, task__number="4.3", unit__name=GANGKOU)
    report = services.submit_report(
        assignment=a,
        by=users[GANGKOU],
        period=today.strftime("%Y-%m"),
        text="本单位配套措施已制定并印发，与牵头单位清单同步落实。",
        percent=100,
        requests_completion=True,
    )
    services.accept_report(report=report, by=office, version=None, comment="同意办结。", close=True)


@transaction.atomic
def load(*, password: str | None = None, stdout=None) -> list:
    today = timezone.localdate()
    plan = Plan.objects.filter(
        year=today.year, title=f"{today.year}年产业工人队伍建设改革重点任务清单"
    ).first()
    User = get_user_model()
    office = User.objects.filter(username="office").first()
    users = {name: User.objects.filter(username=u).first() for name, u in USERNAMES.items()}
    if plan is None or office is None or not all(users.values()):
        if stdout:
            stdout.write("tasks follow-up demo skipped: load tasks.demo first.")
        return []
    _load_extensions(plan, users, office, today)
    return []
