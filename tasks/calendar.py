"""The calendar feed (.ics) of a user's assignments: due dates and milestones.

Written with the ``icalendar`` package, which escapes , ; \\ and newlines in text
values and folds long lines at 75 octets without splitting a UTF-8 character
(RFC 5545 §3.1, §3.3.11) — unit-entered Chinese titles would break hand-written
folding.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from portal.accounts.models import acting_unit
from portal.text import normalize_text, one_line

from .models import Assignment, Milestone, due_date_expr


def _event(uid: str, day: datetime.date, summary: str, description: str, stamp) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + datetime.timedelta(days=1))
    # RFC 5545 §3.3.11 allows no control characters in TEXT but tab (line breaks
    # are escaped as \n); rows may hold some from before portal/text.py.
    event.add("summary", one_line(summary))
    event.add("description", normalize_text(description))
    event.add("transp", "TRANSPARENT")
    return event


def build_calendar(user, *, host: str) -> bytes:
    stamp = timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//Reform Office Portal//tasks//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    unit = acting_unit(user)
    name = unit.name if unit else _("产改办")
    cal.add("x-wr-calname", one_line(_("产改任务 · %(name)s") % {"name": name}))
    assignments = (
        Assignment.objects.visible_to(user)
        .open()
        .select_related("task", "unit")
        .order_by(due_date_expr(), "pk")
    )
    task_ids = set()
    for a in assignments:
        task_ids.add(a.task_id)
        cal.add_component(
            _event(
                f"tasks-assignment-{a.pk}@{host}",
                a.due_date,
                _("【完成时限】%(number)s %(title)s（%(role)s）")
                % {"number": a.task.number, "title": a.task.title, "role": a.get_role_display()},
                f"{a.unit.name}\n{a.task.requirement}",
                stamp,
            )
        )
    for m in Milestone.objects.filter(task_id__in=task_ids).select_related("task"):
        cal.add_component(
            _event(
                f"tasks-milestone-{m.pk}@{host}",
                m.due_date,
                _("【节点】%(title)s · %(number)s %(task)s")
                % {"title": m.title, "number": m.task.number, "task": m.task.title},
                m.task.requirement,
                stamp,
            )
        )
    return cal.to_ical()
