"""Completion and on-time rates for the overview, and server-rendered SVG bar charts.

Completion rate = closed / all assignments. On-time rate = assignments closed by their
due date / assignments already due (closed, or past the due date). Both come from one
aggregate query per grouping; the light counts use the same CASE as the lists.
"""

import datetime

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _

from .models import Assignment, Light

S = Assignment.Status


def _aggregates(today: datetime.date) -> dict:
    closed = Q(status=S.CLOSED)
    return {
        "total": Count("pk"),
        "closed": Count("pk", filter=closed),
        "on_time": Count("pk", filter=closed & Q(closed_at__date__lte=F("task__due_date"))),
        "due": Count("pk", filter=closed | Q(task__due_date__lt=today)),
        "red": Count("pk", filter=Q(light=Light.RED)),
        "yellow": Count("pk", filter=Q(light=Light.YELLOW)),
        "green": Count("pk", filter=Q(light=Light.GREEN)),
    }


def _rates(row: dict) -> dict:
    total, due = row["total"], row["due"]
    row["completion_rate"] = round(100 * row["closed"] / total) if total else None
    row["on_time_rate"] = round(100 * row["on_time"] / due) if due else None
    return row


def rate_rows(
    queryset, *, label: str, key: str, param: str, params, today: datetime.date, order=None
) -> list:
    """One row per value of ``key`` (a unit, a category) with counts, rates and a
    drill-down link (the current filters with ``param`` set to the row's key).

    ``queryset`` must already carry the ``light`` annotation (``with_light``).
    """
    group = list(dict.fromkeys([key, label] + ([order] if order else [])))
    rows = (
        queryset.order_by()
        .values(*group)
        .annotate(**_aggregates(today))
        .order_by(*([order, label] if order else [label]))
    )
    result = []
    for row in rows:
        link = params.copy()
        link.pop("page", None)
        link[param] = row[key]
        row = {**row, "label": row[label] or _("（未分类）"), "url": "?" + link.urlencode()}
        result.append(_rates(row))
    return result


def totals(queryset, today: datetime.date) -> dict:
    return _rates(queryset.order_by().aggregate(**_aggregates(today)))


def bar_chart(rows: list, *, width: int = 640, bar: int = 12, label_width: int = 150) -> dict:
    """Geometry of a horizontal bar chart (completion and on-time rate per row) for the
    SVG template: no JavaScript, no CDN."""
    plot = width - label_width - 50
    line = 2 * bar + 14
    bars = []
    for i, row in enumerate(rows):
        y = 24 + i * line
        bars.append(
            {
                "label": row["label"],
                "y": y,
                "text_y": y + bar + 4,
                "completion": row["completion_rate"] or 0,
                "completion_w": round(plot * (row["completion_rate"] or 0) / 100, 1),
                "completion_text": "—"
                if row["completion_rate"] is None
                else f"{row['completion_rate']}%",
                "on_time_w": round(plot * (row["on_time_rate"] or 0) / 100, 1),
                "on_time_y": y + bar + 2,
                "on_time_text": "—" if row["on_time_rate"] is None else f"{row['on_time_rate']}%",
            }
        )
    return {
        "width": width,
        "height": 36 + len(rows) * line,
        "label_width": label_width,
        "plot": plot,
        "bar": bar,
        "bars": bars,
        "ticks": [
            {"x": label_width + round(plot * p / 100, 1), "label": f"{p}%"} for p in (0, 50, 100)
        ],
    }
