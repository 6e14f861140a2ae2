"""What each searchable thing contributes to the index: its text, title, label, date and facets."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from bulletins.layout import chinese_date, printed_text, total_number_label

from .models import SearchDocument, sort_key
from .text import fold, plain_text

Kind = SearchDocument.Kind


@dataclass
class DocumentData:
    kind: str
    source_id: int
    sort_key: int
    title: str
    label: str
    body: str
    series_id: int | None = None
    year: int | None = None
    date: date | None = None

    @property
    def text(self) -> str:
        return fold(self.body)

    def document_values(self) -> dict:
        return {
            "sort_key": self.sort_key,
            "kind": self.kind,
            f"{self.kind}_id": self.source_id,
            "series_id": self.series_id,
            "year": self.year,
            "date": self.date,
            "title": self.title,
            "label": self.label,
        }


# Dates print as on the issue itself (bulletins/layout.py): 2020年6月2日.
_cn_date = chinese_date


def _local_date(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _document(kind, source_id, when, title, label, parts, **facets) -> DocumentData:
    title_line = " ".join(plain_text(title).split("\n"))[:300]
    lines = [title_line]
    for part, is_html in parts:
        text = plain_text(part, is_html=is_html)
        if text:
            lines.append(text)
    return DocumentData(
        kind=kind,
        source_id=source_id,
        sort_key=sort_key(kind, source_id, when),
        title=title_line,
        label=label[:300],
        body="\n".join(lines),
        **facets,
    )


# --- Issues (简报) ---------------------------------------------------------------


def issue_queryset():
    from bulletins.models import Attachment, Issue

    return Issue.objects.select_related("series").prefetch_related(
        "articles",
        "distribution",
        Prefetch("attachments", queryset=Attachment.objects.filter(is_inline=False)),
    )


def issue_document(issue) -> DocumentData:
    number = issue.number_label
    if issue.total_number:
        number = f"{number} {total_number_label(issue.total_number)}"
    label_parts = [p for p in (number.strip(), _cn_date(issue.issue_date)) if p]
    if not issue.is_published:
        label_parts.append(str(issue.get_status_display()))
    units = "、".join(unit.name for unit in issue.distribution.all())
    distribution = "、".join(p for p in (units, issue.distribution_line) if p)
    # Content first, so a snippet with no match past the title opens on the text.
    parts = [(issue.summary, None)]
    for article in issue.articles.all():
        if article.title != issue.title:  # a one-article issue repeats its title
            parts.append((article.title, False))
        parts.append((article.body, True))
    for attachment in issue.attachments.all():
        parts.append((attachment.title, False))
        parts.append((attachment.original_name, False))
    parts += [
        (issue.series.name if issue.series_id else "", False),
        (number, False),
        (issue.issuing_office, False),
        (_cn_date(issue.issue_date), False),
        (printed_text(_cn_date(issue.printed_on)), False),
        (_("抄送：") + distribution if distribution else "", False),
    ]
    return _document(
        Kind.ISSUE,
        issue.pk,
        issue.issue_date or issue.published_at or issue.created_at,
        issue.title,
        " · ".join(label_parts),
        parts,
        series_id=issue.series_id,
        year=issue.year,
        date=issue.issue_date or _local_date(issue.published_at),
    )


# --- Meeting records (会议纪要) ---------------------------------------------------


def meeting_queryset():
    from bulletins.models import Meeting

    return Meeting.objects.prefetch_related("agenda_items")


def meeting_document(meeting) -> DocumentData:
    when = _cn_date(meeting.starts_at)
    parts = [(meeting.key_points, None)]
    for item in meeting.agenda_items.all():
        parts.append((item.title, False))
        parts.append((item.body, None))
    parts += [
        (when, False),
        (meeting.place, False),
        (_("主持：") + meeting.chair if meeting.chair else "", False),
        (meeting.leaders_present, None),
        (meeting.attendees, None),
        (meeting.absent, None),
        (meeting.observers, None),
    ]
    local = _local_date(meeting.starts_at)
    return _document(
        Kind.MEETING,
        meeting.pk,
        meeting.starts_at,
        meeting.title,
        " · ".join(p for p in (when, meeting.place) if p),
        parts,
        year=local.year if local else None,
        date=local,
    )


# --- Tasks (任务) and progress reports (进展报送) ----------------------------------


def task_queryset():
    from tasks.models import Task

    return Task.objects.select_related("plan")


def task_document(task) -> DocumentData:
    plan = task.plan
    due = _("完成时限 %(date)s") % {"date": _cn_date(task.due_date)} if task.due_date else ""
    parts = [
        (task.category, False),
        (task.requirement, None),
        (plan.title, False),
        (due, False),
    ]
    return _document(
        Kind.TASK,
        task.pk,
        task.start_date or plan.created_at,
        f"{task.number} {task.title}",
        " · ".join(p for p in (plan.title, due) if p),
        parts,
        year=plan.year,
        date=task.due_date,
    )


def report_queryset():
    from tasks.models import ProgressReport

    return ProgressReport.objects.select_related("assignment__task", "assignment__unit")


def _period_date(period: str) -> date | None:
    try:
        year, month = (int(p) for p in period.split("-")[:2])
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


def report_document(report) -> DocumentData:
    task = report.assignment.task
    unit = report.assignment.unit
    when = report.submitted_at or _period_date(report.period)
    title = _("%(task)s（%(period)s进展）") % {
        "task": f"{task.number} {task.title}",
        "period": report.period,
    }
    parts = [
        (unit.name, False),
        (report.period, False),
        (report.text, None),
    ]
    period_day = _period_date(report.period)
    local = _local_date(report.submitted_at) or period_day
    facet_day = period_day or local
    return _document(
        Kind.REPORT,
        report.pk,
        when,
        title,
        " · ".join(
            p for p in (unit.name, report.period, str(report.get_review_status_display())) if p
        ),
        parts,
        year=facet_day.year if facet_day else None,
        date=local,
    )


BUILDERS = {
    Kind.ISSUE: (issue_queryset, issue_document),
    Kind.MEETING: (meeting_queryset, meeting_document),
    Kind.TASK: (task_queryset, task_document),
    Kind.REPORT: (report_queryset, report_document),
}


def build(kind: str, ids: Iterable[int]) -> dict[int, DocumentData]:
    """Documents for the given source ids of one kind; ids that no longer exist are absent."""
    queryset, make = BUILDERS[kind]
    ids = list(ids)
    if not ids:
        return {}
    return {obj.pk: make(obj) for obj in queryset().filter(pk__in=ids)}


def iter_ids(kind: str, batch: int = 500) -> Iterator[list[int]]:
    """Every source id of a kind, in batches (keyset pagination, so rows may change meanwhile)."""
    model = BUILDERS[kind][0]().model
    last = 0
    while True:
        ids = list(
            model._base_manager.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def count(kind: str) -> int:
    return BUILDERS[kind][0]().model._base_manager.count()
