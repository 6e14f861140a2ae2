"""What the task app gives full-text search: tasks (任务), progress reports (进展报送) and
a meeting's decisions (议定事项).

Registered from ``TasksConfig.ready()`` (portal/search/registry.py explains the
fields). Who finds a task or report is ``visible_to`` of its model: the office
all, a unit what is assigned to it. A decision is found by whoever may see its
meeting (``Decision.visible_to``) and links to the meeting page.
"""

from datetime import date

from django.db.models import OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bulletins.layout import chinese_date, local_date
from portal.accounts.models import acting_unit_id, is_office
from portal.search.registry import Document, Follows, SearchKind, audience, reverse_pk

from .models import Assignment, Decision, Plan, ProgressReport, Task

# Saves of these fields change no text a search shows.
ASSIGNMENT_UNINDEXED = frozenset(
    {"status", "progress", "acknowledged_at", "completion_requested_at", "closed_at",
     "version", "role"}
)  # fmt: skip


def _for_units_and_office(user) -> bool:
    return is_office(user) or acting_unit_id(user) is not None


def _period_date(period: str) -> date | None:
    try:
        year, month = (int(p) for p in period.split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


class TaskKind(SearchKind):
    name = "task"
    label = gettext_lazy("任务")
    code = 3
    model = Task
    # The plan's title is in each task's text.
    follows = (Follows(Plan, lambda plan: plan.tasks.values_list("pk", flat=True), created=False),)

    def visibility_key(self, user):
        """TaskQuerySet.visible_to branches on the office and the acting unit."""
        return audience(user)

    def queryset(self):
        return Task.objects.select_related("plan")

    def offered_to(self, user) -> bool:
        return _for_units_and_office(user)

    def link_data(self, user):
        """A unit reaches a task through its own assignment of it; the office through the plan."""
        task = Task.objects.filter(pk=OuterRef("object_id"))
        data = {"plan": task.values("plan_id")[:1]}
        if acting_unit_id(user):
            assignments = Assignment.objects.visible_to(user).filter(task_id=OuterRef("object_id"))
            data["assignment"] = assignments.values("pk")[:1]
        return data

    def url(self, object_id, data, user):
        if data.get("assignment"):
            return reverse_pk("tasks:assignment_detail", data["assignment"])
        return reverse_pk("tasks:plan_detail", data["plan"])

    def document(self, task) -> Document:
        plan = task.plan
        due = (
            _("完成时限 %(date)s") % {"date": chinese_date(task.due_date)} if task.due_date else ""
        )
        return Document(
            title=f"{task.number} {task.title}",
            parts=[
                (task.category, False),
                (task.requirement, None),
                (plan.title, False),
                (due, False),
            ],  # fmt: skip
            when=task.start_date or plan.created_at,
            label=" · ".join(p for p in (plan.title, due) if p),
            year=plan.year,
            date=task.due_date,
        )


class ReportKind(SearchKind):
    name = "report"
    label = gettext_lazy("进展报送")
    code = 4
    model = ProgressReport
    ignore = frozenset({"version", "percent", "requests_completion"})
    follows = (
        # A report's title carries its task's.
        Follows(
            Task,
            lambda task: ProgressReport.objects.filter(assignment__task=task).values_list(
                "pk", flat=True
            ),
            created=False,
        ),
        # Who sees a report follows assignments at query time; only the unit
        # named in its document can change here.
        Follows(
            Assignment,
            lambda assignment: assignment.reports.values_list("pk", flat=True),
            ignore=ASSIGNMENT_UNINDEXED,
            created=False,
        ),
        Follows(
            "units.Unit",
            lambda unit: ProgressReport.objects.filter(assignment__unit=unit).values_list(
                "pk", flat=True
            ),
            fields=frozenset({"name"}),
            created=False,
        ),
    )

    def visibility_key(self, user):
        """Through Assignment.visible_to: the office and the acting unit."""
        return audience(user)

    def queryset(self):
        return ProgressReport.objects.select_related("assignment__task", "assignment__unit")

    def offered_to(self, user) -> bool:
        return _for_units_and_office(user)

    def link_data(self, user):
        """A report is read on its assignment's page."""
        return {"assignment": ProgressReport.objects.filter(pk=OuterRef("object_id")).values(
            "assignment_id"
        )[:1]}  # fmt: skip

    def url(self, object_id, data, user):
        return reverse_pk("tasks:assignment_detail", data["assignment"])

    def document(self, report) -> Document:
        task = report.assignment.task
        unit = report.assignment.unit
        title = _("%(task)s（%(period)s进展）") % {
            "task": f"{task.number} {task.title}",
            "period": report.period,
        }
        period_day = _period_date(report.period)
        local = local_date(report.submitted_at) or period_day
        facet_day = period_day or local
        status = str(report.get_review_status_display())
        return Document(
            title=title,
            parts=[(unit.name, False), (report.period, False), (report.text, None)],
            when=report.submitted_at or period_day,
            label=" · ".join(p for p in (unit.name, report.period, status) if p),
            year=facet_day.year if facet_day else None,
            date=local,
        )


class DecisionKind(SearchKind):
    name = "decision"
    label = gettext_lazy("议定事项")
    code = 6
    model = Decision
    ignore = frozenset({"task", "order"})
    follows = (
        # The meeting's title, date and place are in each decision's label and text.
        Follows(
            "bulletins.Meeting",
            lambda meeting: meeting.decisions.values_list("pk", flat=True),
            fields=frozenset({"title", "starts_at", "place"}),
            created=False,
        ),
    )

    def visibility_key(self, user):
        """Through Meeting.visible_to: being signed in."""
        return audience(user)

    def queryset(self):
        return Decision.objects.select_related("meeting")

    def link_data(self, user):
        """A decision is read in the 议定事项 panel of its meeting's page."""
        return {"meeting": Decision.objects.filter(pk=OuterRef("object_id")).values(
            "meeting_id"
        )[:1]}  # fmt: skip

    def url(self, object_id, data, user):
        meeting = reverse_pk("bulletins:meeting_detail", data["meeting"])
        return f"{meeting}#decision-{object_id}"

    def document(self, decision) -> Document:
        meeting = decision.meeting
        when = chinese_date(meeting.starts_at)
        local = local_date(meeting.starts_at)
        return Document(
            title=decision.title,
            parts=[(decision.text, None), (meeting.title, False), (when, False)],
            when=meeting.starts_at,
            label=" · ".join(p for p in (meeting.title, when) if p),
            year=local.year if local else None,
            date=local,
        )
