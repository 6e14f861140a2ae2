"""What the task app gives full-text search: tasks (任务), progress reports (进展报送) and
a meeting's decisions (议定事项).

Registered from ``TasksConfig.ready()`` (portal/search/registry.py explains the
fields). Who finds a task or report is ``visible_to`` of its model: the office
all, a unit what is assigned to it. A decision is found by whoever may see its
meeting (``Decision.visible_to``) and links to the meeting page.
"""

from datetime import date

from django.db.models import OuterRef
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bulletins.layout import chinese_date, local_date
from bulletins.search import meeting_audience, meeting_audiences_of
from portal.accounts.models import acting_unit_id, is_office
from portal.search.registry import EVERY, Document, Follows, SearchKind, audience, reverse_pk

from .models import Assignment, Decision, Plan, ProgressReport, Task

# Saves of these fields change no text a search shows.
ASSIGNMENT_UNINDEXED = frozenset(
    {"status", "progress", "acknowledged_at", "completion_requested_at", "closed_at",
     "version", "role"}
)  # fmt: skip


def unit_audience(unit_id: int) -> str:
    """The audience of a unit's tasks and reports (SearchKind.audiences): ``u12``."""
    return f"u{unit_id}"


def unit_audiences_of(user):
    """UnitOwnedQuerySet.visible_to and TaskQuerySet.visible_to: the office every
    document, a unit user its unit's, anyone else none."""
    office, unit_id, _signed_in = audience(user)
    if office:
        return EVERY
    return frozenset({unit_audience(unit_id)}) if unit_id is not None else frozenset()


@receiver(pre_save, sender=Assignment, dispatch_uid="search:task:assignment_moved")
def _remember_task(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a save that may move an assignment to another task (a full save, or one
    naming ``task``): the task it leaves, whose audiences then lose the unit. One
    query, not made by the services' saves (they name their fields)."""
    instance._search_previous_task_id = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"task", "task_id"} & set(update_fields):
        return
    previous = (
        Assignment._base_manager.filter(pk=instance.pk).values_list("task_id", flat=True).first()
    )
    if previous != instance.task_id:
        instance._search_previous_task_id = previous


def _assignment_tasks(assignment) -> list[int]:
    """The task of an assignment, and the one it left if a save moved it (a task's
    units are its audiences)."""
    return [assignment.task_id, getattr(assignment, "_search_previous_task_id", None)]


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
    follows = (
        # The plan's title is in each task's text.
        Follows(Plan, lambda plan: plan.tasks.values_list("pk", flat=True), created=False),
        # The units assigned are the task's audiences: a new assignment, a deleted
        # one, or one moved to another unit (or task) re-indexes the task.
        Follows(
            Assignment,
            _assignment_tasks,
            fields=frozenset({"task", "unit", "task_id", "unit_id"}),
            deleted=True,
        ),
    )

    def visibility_key(self, user):
        """TaskQuerySet.visible_to branches on the office and the acting unit."""
        return audience(user)

    def audiences(self, ids):
        """Each unit that holds an assignment of the task."""
        out = {
            pk: set() for pk in Task._base_manager.filter(pk__in=ids).values_list("pk", flat=True)
        }
        rows = Assignment._base_manager.filter(task_id__in=list(out)).values_list(
            "task_id", "unit_id"
        )
        for task_id, unit_id in rows:
            out[task_id].add(unit_audience(unit_id))
        return {pk: frozenset(units) for pk, units in out.items()}

    def audiences_of(self, user):
        return unit_audiences_of(user)

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

    def audiences(self, ids):
        """The unit of the report's assignment (a save of the assignment that moves it
        to another unit re-indexes its reports: ``unit`` is not in its ``ignore``)."""
        rows = ProgressReport._base_manager.filter(pk__in=ids).values_list(
            "pk", "assignment__unit_id"
        )
        return {pk: frozenset({unit_audience(unit_id)}) for pk, unit_id in rows}

    def audiences_of(self, user):
        return unit_audiences_of(user)

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
            # visibility: who reads the meeting reads its decisions (their audience).
            fields=frozenset({"title", "starts_at", "place", "visibility"}),
            created=False,
        ),
    )

    def visibility_key(self, user):
        """Through Meeting.visible_to: being signed in."""
        return audience(user)

    def audiences(self, ids):
        """Its meeting's (a save of the meeting changing its visibility re-indexes it)."""
        rows = Decision._base_manager.filter(pk__in=ids).values_list("pk", "meeting__visibility")
        return {pk: meeting_audience(visibility) for pk, visibility in rows}

    def audiences_of(self, user):
        return meeting_audiences_of(user)

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
