"""Read-only questions of the task app: rates, the suggested score, light counts and
unread 催办 notices. Nothing here writes; state changes are in ``tasks.services``.

Completion rate = closed / all assignments. On-time rate = assignments closed on time
(``closed_on_time_q``: by the task's own date) / assignments already due (closed, or
past their due date, an approved extension's when there is one). The rate "on time
with extensions" also counts those closed late by the task's date but by the approved
extension's (``closed_on_time_after_extension_q``). The year-end score weighs
completion and the strict on-time rate by ``Task.weight``.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import NamedTuple
from urllib.parse import quote_plus, urlencode

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from bulletins.submissions.selectors import assessment_points
from portal.accounts.models import acting_unit_id, is_office
from portal.units.models import Unit

from .models import (
    Assignment,
    ExtensionRequest,
    Light,
    Plan,
    ProgressReport,
    Reminder,
    closed_on_time_after_extension_q,
    closed_on_time_q,
    due_q,
)
from .stamp import Stamp, fetchall

S = Assignment.Status
CLOSURE_WEIGHT = Decimal("0.6")
ON_TIME_WEIGHT = Decimal("0.4")


def _light_counts() -> dict:
    """``{"red": Count, "yellow": …, "green": …, "done": …}`` over the ``light`` annotation."""
    return {light.value: Count("pk", filter=Q(light=light)) for light in Light}


def _rate_aggregates(today: datetime.date) -> dict:
    closed = Q(status=S.CLOSED)
    return {
        "total": Count("pk"),
        "closed": Count("pk", filter=closed),
        "on_time": Count("pk", filter=closed_on_time_q()),
        "on_time_extended": Count("pk", filter=closed_on_time_after_extension_q()),
        "extended": Count("pk", filter=Q(extended_due_date__isnull=False)),
        "due": Count("pk", filter=closed | due_q("lt", today)),
        **_light_counts(),
    }


def _with_rates(row: dict) -> dict:
    total, due = row["total"], row["due"]
    row["completion_rate"] = round(100 * row["closed"] / total) if total else None
    row["on_time_rate"] = round(100 * row["on_time"] / due) if due else None
    with_extensions = row["on_time"] + row["on_time_extended"]
    row["on_time_with_extensions_rate"] = round(100 * with_extensions / due) if due else None
    return row


def rate_rows(
    queryset, *, label: str, key: str, param: str, params, today: datetime.date, order=None
) -> list[dict]:
    """One row per value of ``key`` (a unit, a category) with counts (``total``,
    ``closed``, ``on_time``, ``on_time_extended``, ``extended``, ``due``, the lights),
    rates in whole percent (``completion_rate``, ``on_time_rate``,
    ``on_time_with_extensions_rate``; None when nothing counts) and a drill-down link (the current filters
    ``params`` with ``param`` set to the row's key). One aggregate query.

    ``queryset`` must already carry the ``light`` annotation (``with_light``).
    """
    group = list(dict.fromkeys([key, label] + ([order] if order else [])))
    rows = (
        queryset.order_by()
        .values(*group)
        .annotate(**_rate_aggregates(today))
        .order_by(*([order, label] if order else [label]))
    )
    result = []
    for row in rows:
        link = params.copy()
        link.pop("page", None)
        link[param] = row[key]
        row = {**row, "label": row[label] or _("（未分类）"), "url": "?" + link.urlencode()}
        result.append(_with_rates(row))
    return result


def totals(queryset, today: datetime.date) -> dict:
    """The same counts and rates as ``rate_rows`` over the whole (lit) queryset."""
    return _with_rates(queryset.order_by().aggregate(**_rate_aggregates(today)))


def totals_of(rows: list[dict], today: datetime.date) -> dict:
    """``totals`` summed from ``rate_rows`` that partition the queryset (every assignment
    in exactly one row, as by unit): the same counts and rates, no query."""
    return _with_rates({name: sum(map(itemgetter(name), rows)) for name in RATE_COUNTS})


RATE_COUNTS = (
    "total",
    "closed",
    "on_time",
    "on_time_extended",
    "extended",
    "due",
    *(light.value for light in Light),
)

# ``rate_rows`` by unit and by category in one statement (PostgreSQL's GROUPING SETS),
# over the filtered queryset's rows as Django compiles them (``{filtered}``: the
# columns of ``RATES_COLUMNS``), so the filters and the light keep one definition.
# The counts are ``_rate_aggregates`` written out; tests compare the two on every state.
# ``OFFSET 0`` keeps PostgreSQL from pulling the filtered rows' SELECT up into the
# aggregate: each row's light (a CASE with a subquery) is then worked out once, not
# once in each of the four lights' counts, and the statement plans in about 0.3 ms
# instead of 0.45 (executes in 1.06 instead of 1.17 ms at issue 11's volume). The
# units are counted by id alone, no unit joined (0.25 ms less): their names and order
# come from a read of the units (``overview_rates_of``'s ``units``).
# Two counts are sums of others, by the lights' rules (``light_conditions``, first
# match wins), and are not counted again (about a tenth of the statement's work): an
# assignment is "done" exactly when closed, and "due" (closed, or past its due date)
# exactly when closed or red (open and past its due date).
_COUNTED_LIGHTS = (Light.RED, Light.YELLOW, Light.GREEN)
_SQL_COUNTS = (
    "total",
    "closed",
    "on_time",
    "on_time_extended",
    "extended",
    *(light.value for light in _COUNTED_LIGHTS),
)
RATES_COLUMNS = (
    "pk",
    "light",
    "unit_id",
    "task__category",
    "status",
    "closed_at",
    "extended_due_date",
    "task__due_date",
)
_RATES_SQL = """
SELECT GROUPING(f.unit_id), f.unit_id, f.task__category,
    COUNT(*),
    COUNT(*) FILTER (WHERE f.status = %s),
    COUNT(*) FILTER (WHERE f.status = %s AND (f.closed_at AT TIME ZONE %s)::date <= f.task__due_date),
    COUNT(*) FILTER (
        WHERE f.status = %s AND f.extended_due_date IS NOT NULL
        AND (f.closed_at AT TIME ZONE %s)::date > f.task__due_date
        AND (f.closed_at AT TIME ZONE %s)::date <= f.extended_due_date
    ),
    COUNT(*) FILTER (WHERE f.extended_due_date IS NOT NULL),
    {lights}
FROM ({filtered} OFFSET 0) f
GROUP BY GROUPING SETS ((f.unit_id), (f.task__category))
ORDER BY GROUPING(f.unit_id), f.task__category
""".format(
    lights=", ".join("COUNT(*) FILTER (WHERE f.light = %s)" for _light in _COUNTED_LIGHTS),
    filtered="{filtered}",
)


def _drill_down(params, param: str):
    """``value -> "?…"``: the current filters ``params`` without the page and with
    ``param`` set to ``value``, as ``QueryDict.urlencode`` writes them after
    ``link[param] = value`` (the parameter keeps its place, else comes last)."""
    pairs = [(k, v) for k, values in params.lists() if k != "page" for v in values]
    keys = [k for k, _v in pairs]
    at = keys.index(param) if param in keys else len(pairs)
    before = urlencode([p for p in pairs[:at] if p[0] != param])
    after = urlencode([p for p in pairs[at:] if p[0] != param])

    # ``urlencode({param: value})`` is ``param=`` and ``quote_plus(str(value))``: for an
    # id, its digits as they are.
    head = f"?{before}&{param}=" if before else f"?{param}="
    tail = f"&{after}" if after else ""

    def url(value) -> str:
        if type(value) is int:
            return f"{head}{value}{tail}"
        return head + quote_plus(str(value)) + tail

    return url


def rate_rows_by_unit_and_category(queryset, *, params, today: datetime.date):
    """``rate_rows`` by unit (in the units' order) and by category: two queries."""
    by_unit = rate_rows(
        queryset,
        label="unit__name",
        key="unit_id",
        param="unit",
        params=params,
        today=today,
        order="unit__ordering",
    )
    by_category = rate_rows(
        queryset,
        label="task__category",
        key="task__category",
        param="category",
        params=params,
        today=today,
    )
    return by_unit, by_category


def overview_rates(queryset, *, params, today: datetime.date) -> tuple[list[dict], list[dict]]:
    """``rate_rows`` by unit (ordered by the units' order, then name; ``param`` "unit")
    and by category (``param`` "category") of ``queryset`` (lit with ``with_light``):
    one statement on PostgreSQL, ``rate_rows_by_unit_and_category`` elsewhere."""
    if connections[queryset.db].vendor != "postgresql":
        return rate_rows_by_unit_and_category(queryset, params=params, today=today)
    lit = queryset.order_by().values(*RATES_COLUMNS)
    try:
        filtered, filtered_params = lit.query.get_compiler(lit.db).as_sql()
    except EmptyResultSet:  # the filters match nothing (an invalid form: ``.none()``)
        return [], []
    units = list(Unit.objects.using(lit.db).values_list("pk", "name"))
    return overview_rates_of(
        filtered, filtered_params, lit.db, params=params, today=today, units=units
    )


def overview_rates_of(
    filtered: str,
    filtered_params,
    using: str,
    *,
    params,
    today: datetime.date,
    units,
    stamp: Stamp | None = None,
) -> tuple[list[dict], list[dict]]:
    """``overview_rates`` of the rows of ``filtered`` (SQL with ``filtered_params``
    selecting ``RATES_COLUMNS`` of a lit queryset, by those names) on PostgreSQL
    database ``using``: the statement compiled once per filter shape
    (``tasks.filtered_sql``). ``units``: every unit's ``(pk, name)`` in the units'
    order (``Unit.Meta.ordering``, the database's), which orders and names the rows by
    unit. ``stamp``: the tasks' stamp the request read (``tasks.stamp``), under which
    the statement's rows are kept."""
    tz = timezone.get_current_timezone_name()
    closed = S.CLOSED.value
    sql_params = [closed, closed, tz, closed, tz, tz]
    sql_params += [light.value for light in _COUNTED_LIGHTS] + list(filtered_params)
    rows = fetchall(stamp, using, _RATES_SQL.format(filtered=filtered), sql_params)
    unit_url, category_url = _drill_down(params, "unit"), _drill_down(params, "category")
    uncategorised = _("（未分类）")
    by_unit, by_category = {}, []
    for by_category_set, unit_id, category, *counts in rows:
        row = dict(zip(_SQL_COUNTS, counts, strict=True))
        row["due"] = row["closed"] + row["red"]
        row["done"] = row["closed"]
        if by_category_set:
            row.update(task__category=category, label=category or uncategorised)
            row["url"] = category_url(category)
            by_category.append(_with_rates(row))
        else:
            row["unit_id"] = unit_id
            row["url"] = unit_url(unit_id)
            by_unit[unit_id] = _with_rates(row)
    # In the units' order (as ORDER BY the units' order and name put them).
    ordered = []
    for unit_id, name in units:
        row = by_unit.pop(unit_id, None)
        if row is not None:
            row["label"] = name or uncategorised
            ordered.append(row)
    for row in by_unit.values():  # a unit made after ``units`` were read
        row["label"] = uncategorised
        ordered.append(row)
    return ordered, by_category


class CurrentPlan(NamedTuple):
    """The task list a user works on now (``current_plan_of``)."""

    pk: int
    title: str
    year: int


def current_plan_of(rows) -> CurrentPlan | None:
    """The task list a user works on now, from the rows of the plans the user may see
    (``filters.plans_and_categories_query``: newest year first, then by title and id,
    with each plan's status): the first in progress (执行中), else the first; None when
    there is none."""
    first = None
    for row in rows:
        plan = CurrentPlan(row["plan_id"], row["plan__title"], row["plan__year"])
        if row["plan__status"] == Plan.Status.ACTIVE:
            return plan
        first = first or plan
    return first


def unit_rates(*, plan: Plan, unit) -> dict:
    """Weighted closure and on-time rates of a unit on a plan, and the suggested score.

    Returns ``{"closure": Decimal 0–1, "on_time": Decimal 0–1, "on_time_extended":
    Decimal 0–1 (closed on time only by an approved extension's date, which the score
    does not count as on time), "tasks": Decimal 0–100
    rounded to 0.1, "points": Decimal or None, "suggested": Decimal 0–100}`` where
    tasks = 100 × (0.6 × closure + 0.4 × on-time), each assignment weighing its
    ``Task.weight``; points = the unit's 信息报送 points of the plan's year within the
    year's cap (None when the office set no scoring rules for that year); suggested =
    tasks + points, kept within 0–100. All None when the unit has no assignment on the
    plan. One aggregate query, and three for the points when the year has rules.
    """
    w = F("task__weight")
    zero = Value(Decimal(0))
    dec = DecimalField(max_digits=12, decimal_places=2)
    agg = Assignment.objects.filter(task__plan=plan, unit=unit).aggregate(
        total=Sum(w, output_field=dec),
        closed=Sum(Case(When(status=S.CLOSED, then=w), default=zero, output_field=dec)),
        on_time=Sum(Case(When(closed_on_time_q(), then=w), default=zero, output_field=dec)),
        on_time_extended=Sum(
            Case(When(closed_on_time_after_extension_q(), then=w), default=zero, output_field=dec)
        ),
    )
    total = Decimal(agg["total"] or 0)
    if not total:
        return dict.fromkeys(
            ("closure", "on_time", "on_time_extended", "suggested", "tasks", "points")
        )
    closure = Decimal(agg["closed"] or 0) / total
    on_time_rate = Decimal(agg["on_time"] or 0) / total
    tasks_score = (100 * (CLOSURE_WEIGHT * closure + ON_TIME_WEIGHT * on_time_rate)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    # 信息报送 points of the plan's year count too (bulletins/submissions/selectors.py).
    points = assessment_points(unit=unit, year=plan.year, today=timezone.localdate())
    suggested = max(Decimal(0), min(Decimal(100), tasks_score + (points or 0)))
    return {
        "closure": closure,
        "on_time": on_time_rate,
        "on_time_extended": Decimal(agg["on_time_extended"] or 0) / total,
        "suggested": suggested,
        "tasks": tasks_score,
        "points": points,
    }


def unread_notices(user):
    """The 催办 notices the office sent to ``user``'s unit that nobody there has marked
    read (the daily job's reminders go by mail only). None for anyone not acting for a
    unit: the office sends notices and sees them on each assignment."""
    if acting_unit_id(user) is None:
        return Reminder.objects.none()
    # For a user acting for a unit, visible_to is the unit's assignments' notices: no
    # filter on the unit again (a second join PostgreSQL planned on every /tasks/).
    return Reminder.objects.visible_to(user).filter(kind=Reminder.Kind.MANUAL).unread()


def light_counts(user, day: datetime.date) -> list[tuple[Light, int]]:
    """How many of the assignments ``user`` may see are red, yellow, green and done on
    ``day``: ``[(Light.RED, n), (Light.YELLOW, n), (Light.GREEN, n), (Light.DONE, n)]``.
    One query."""
    counts = Assignment.objects.visible_to(user).with_light(day).aggregate(**_light_counts())
    return [(light, counts[light.value]) for light in Light]


def awaiting_review(user):
    """The reports ``user`` may see that wait for the office's review (通过 / 退回)."""
    return ProgressReport.objects.visible_to(user).filter(
        review_status=ProgressReport.Review.PENDING
    )


def pending_review_count(user) -> int:
    """How many reports wait for the office's review; 0 for anyone but the office."""
    return awaiting_review(user).count() if is_office(user) else 0


def pending_extension_count(user) -> int:
    """How many 延期申请 wait for the office's decision; 0 for anyone but the office."""
    if not is_office(user):
        return 0
    return ExtensionRequest.objects.visible_to(user).pending().count()
