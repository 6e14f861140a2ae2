"""/tasks/overview/ written in Python, frame and all (tasks/views/office.py, tasks/frame.py):
the whole page is what templates/tasks/overview.html (on tasks/base.html and base.html)
renders around the same content, in both languages, with messages; a query string that
sets no filter but the task list reads the same statements without building the filter
set (``filtered_sql.PlainFilters``), anything else goes through the filter set."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from tasks import filtered_sql, overview_html, selectors
from tasks.models import Assignment, Plan
from tasks.views import office
from tasks.views.common import filtered_assignments
from tests.factories import UnitFactory, make_plan, make_task

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

BUILDS = {
    "rows": lambda queryset: queryset.values(*overview_html.OVERVIEW_ROW_FIELDS),
    "rates": lambda queryset: queryset.order_by().values(*selectors.RATES_COLUMNS),
}


@pytest.fixture
def plans(unit_a, unit_b, today):
    """Last year's plan, closed, and this year's in progress, with tasks of either plan
    assigned to two units and a third named with markup."""
    old = make_plan(2025, "2025年度清单", status=Plan.Status.CLOSED)
    current = make_plan(2026, "2026年度<清单>", status=Plan.Status.ACTIVE)
    units = [unit_a, unit_b, UnitFactory(name='单位 <"甲">', short_name="")]
    for n in range(9):
        task = make_task(
            old if n % 3 == 0 else current,
            f"{n + 1}.1",
            title=f"任务 <{n}> & 100%_",
            category=["思想引领", "素质&提升", ""][n % 3],
            due=today + dt.timedelta(days=n * 5 - 15),
        )
        for k, unit in enumerate(units[: 1 + n % 3]):
            Assignment.objects.create(task=task, unit=unit, role=["lead", "cooperate"][k % 2])
    return old, current


@pytest.fixture
def both(monkeypatch):
    """Each overview the view writes, beside the templates' rendering of its content."""
    pages = []
    written = office.overview_page

    def overview_page(request, content):
        python = written(request, content)
        template = render_to_string("tasks/overview.html", {"content": mark_safe(content)}, request)  # noqa: S308 - the view's escaped content
        pages.append((str(python), template))
        return python

    monkeypatch.setattr(office, "overview_page", overview_page)
    return pages


def _queries(old, current):
    return [
        "",  # the current plan, by default
        "plan=",
        f"plan={old.pk}",
        f"plan={current.pk}&page=1",
        "q=%20%20",
        "q=任务&plan=",
        "unit=x",  # refused: the form's template and its notice
        "plan=99999",
        "ordering=-due,number",  # a text input, as Django's form prints it
        f"plan=&plan={old.pk}",
        "light=red&extended=no",
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_is_the_templates(language, plans, office_client, both):
    old, current = plans
    for query in _queries(old, current):
        response = office_client.get(f"/tasks/overview/?{query}", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, query
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert "private" in response["Cache-Control"]
    assert len(both) == len(_queries(old, current))
    for python, template in both:
        assert CSRF.sub("", python) == CSRF.sub("", template)
    html = both[0][0]
    assert '<a href="/tasks/overview/" aria-current="page">' in html
    assert html.count('<link rel="stylesheet" href="') == 3  # portal, print, tasks


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_messages_show_and_count_as_shown(rf, office_user, plans, language, both):
    """A message left for the next page (催办 sent) is listed as base.html's loop listed
    it, and counts as shown."""
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import resolve

    with translation.override(language):
        http = rf.get("/tasks/overview/", HTTP_ACCEPT_LANGUAGE=language)
        http.resolver_match = resolve("/tasks/overview/")
        http.session = SessionStore()
        http._messages = FallbackStorage(http)
        http._messages.add(25, "已催办 <2> 项 & 更多")
        http.user = office_user
        page = office.overview(http).content.decode()
    assert '<li class="message message--success">已催办 &lt;2&gt; 项 &amp; 更多</li>' in page
    assert get_messages(http).used
    python, template = both[0]
    assert CSRF.sub("", python) == CSRF.sub("", template) == CSRF.sub("", page)


def test_plain_query_strings(plans):
    old, current = plans
    choices = [(current.pk, "2026"), (old.pk, "2025")]

    def plain(query):
        return filtered_sql.PlainFilters.of(QueryDict(query), choices)

    assert plain(f"plan={old.pk}") == str(old.pk)
    assert plain("plan=") == plain("") == ""
    assert plain(f"plan={current.pk}&page=3&q=%20&unit=&ordering=&other=x") == str(current.pk)
    assert plain(f"plan=99999&plan={old.pk}") == str(old.pk)  # the last, as the form reads
    for query in (
        "plan=99999",
        "plan=null",
        f"plan={old.pk}%20",
        f"plan={old.pk}&plan=99999",
        "q=任务",
        "unit=1",
        "category=思想引领",
        "role=lead",
        "status=%20",
        "light=red",
        "extended=no",
        "ordering=-due",
        "q=%00",
    ):
        assert plain(query) is None, query


@pytest.mark.parametrize("persona", ["office_user", "user_a"])
def test_plain_filters_read_the_filter_sets_statements(persona, plans, today, rf, request):
    """``PlainFilters`` compile and fill the statements of the filter set's shape: the
    same SQL and parameters as the ORM's queryset of the filter set, the same kept
    statement whichever of the two asks first."""
    user = request.getfixturevalue(persona)
    old, current = plans
    choices = [(current.pk, "2026"), (old.pk, "2025")]
    made = []
    for query in (f"plan={current.pk}", f"plan={old.pk}", "plan=", "plan=&q=%20&page=2"):
        for plain_first in (True, False):
            filtered_sql._kept.clear()
            made.clear()
            params = QueryDict(query)
            req = rf.get("/tasks/overview/", params)
            req.user = user
            filterset = filtered_assignments(req, today, params)

            def make(params=params, req=req):
                made.append(1)
                return filtered_assignments(req, today, params)

            plain = filtered_sql.PlainFilters(
                filtered_sql.PlainFilters.of(params, choices), db="default", make=make
            )
            assert filtered_sql._shape(plain) == filtered_sql._shape(filterset)
            for key, build in BUILDS.items():
                sources = (plain, filterset) if plain_first else (filterset, plain)
                found = [
                    filtered_sql.statement(s, key, build, user=user, day=today) for s in sources
                ]
                assert found[0][:2] == found[1][:2], query
                sql, params_ = build(filterset.qs).query.get_compiler("default").as_sql()
                assert found[0][:2] == (sql, list(params_)), query
            assert len(made) == (1 if plain_first else 0)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="elsewhere the rates are the filter set's queries"
)
def test_the_usual_request_builds_no_filter_set(plans, office_client, monkeypatch):
    """Once its statements are kept, the overview of the current (or any) task list
    with no other filter builds no filter set and validates no form."""
    from tasks import filters

    built = []
    init = filters.AssignmentFilter.__init__

    def counted(self, *args, **kwargs):
        built.append(1)
        init(self, *args, **kwargs)

    office_client.get("/tasks/overview/")
    office_client.get("/tasks/overview/?plan=")
    monkeypatch.setattr(filters.AssignmentFilter, "__init__", counted)
    for query in ("", "plan=", "plan=&page=1", "q=%20"):
        assert office_client.get(f"/tasks/overview/?{query}").status_code == 200
    assert built == []
    assert office_client.get("/tasks/overview/?q=任务").status_code == 200
    assert built == [1]


def test_an_inactive_units_rows_show_its_name_but_the_filter_offers_it_not(
    plans, office_client, today
):
    """The table's unit names come from every unit's row, the filter's choices from
    the active ones, as ``AssignmentFilter`` offers them."""
    _old, current = plans
    gone = UnitFactory(name="已撤销的单位 <乙>", short_name="", active=False)
    task = make_task(current, "9.9", title="撤销单位的任务", due=today)
    Assignment.objects.create(task=task, unit=gone, role="lead")
    html = office_client.get("/tasks/overview/").content.decode()
    table = html[html.index('<form method="get" action="/tasks/remind/">') :]
    assert "已撤销的单位 &lt;乙&gt;（牵头）" in table
    box = html[html.index('<details class="card filters-box"') : html.index("</details>")]
    assert f'<option value="{gone.pk}"' not in box
    assert "单位 &lt;&quot;甲&quot;&gt;（" in table  # no short name: the name
