"""The assignment list's rows written in Python (tasks/html.py) are what the template
loop printed, character for character, for a unit and for the office, in both
languages; user text stays escaped."""

import datetime as dt
import re

import pytest
from django.http import QueryDict
from django.template import engines
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.safestring import mark_safe

from portal.pagination import counted_page_of
from portal.units.models import Unit
from tasks import selectors
from tasks.filters import AssignmentFilter
from tasks.html import (
    ASSIGNMENT_ROW_FIELDS,
    NOTICE_FIELDS,
    UNLIT_ROW_FIELDS,
    assignment_rows,
    lamp_html,
)
from tasks.models import Assignment, Light, Plan, ProgressReport
from tasks.views.common import PAGE_SIZE, filtered_assignments, query_without_page
from tests.factories import UnitFactory, UserFactory, make_task

pytestmark = pytest.mark.django_db

# The loop of templates/tasks/assignment_list.html before the rows moved to Python.
TEMPLATE_LOOP = (
    "{% load i18n task_tags %}"
    '{% translate "编号" as t_number %}{% translate "单位" as t_unit %}'
    '{% translate "分工" as t_role %}{% translate "状态" as t_status %}'
    '{% translate "完成时限" as t_due %}{% translate "进度" as t_progress %}'
    '{% translate "已延期" as t_extended %}'
    """{% for a in page %}
    <tr>
      <td>{{ a.light|lamp }}</td>
      <td data-label="{{ t_number }}">{{ a.task.number }}</td>
      <td><a href="{% url 'tasks:assignment_detail' a.pk %}">{{ a.task.title }}</a><br><span class="meta">{{ a.task.plan.title }}{% if a.task.category %} · {{ a.task.category }}{% endif %}</span></td>
      {% if is_office %}<td data-label="{{ t_unit }}">{{ a.unit.display_name }}</td>{% endif %}
      <td data-label="{{ t_role }}">{{ a.get_role_display }}</td>
      <td data-label="{{ t_status }}">{{ a.get_status_display }}</td>
      <td data-label="{{ t_due }}" class="nowrap">{{ a.due_date|date:"Y-m-d" }}{% if a.is_extended %} <span class="badge">{{ t_extended }}</span>{% endif %}</td>
      <td data-label="{{ t_progress }}">{{ a.progress }}%</td>
    </tr>
  {% empty %}
    <tr><td colspan="8">{% translate "没有符合条件的任务。" %}</td></tr>
  {% endfor %}"""
)


@pytest.fixture
def rows(plan, unit_a, today):
    """Assignments of unit A (and of a unit without a short name) in every state and
    light, one extended, one without a category, titles with markup characters."""
    plain = UnitFactory(name='单位 <"甲">', short_name="")
    S = Assignment.Status
    now = dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC)
    statuses = [S.PENDING, S.ACKNOWLEDGED, S.IN_PROGRESS, S.CLOSED, S.IN_PROGRESS, S.PENDING]
    for n, status in enumerate(statuses):
        task = make_task(
            plan,
            f"{n}.<1>",
            due=today + dt.timedelta(days=[-3, 3, 40, 10, 50, 50][n]),
            start=today + dt.timedelta(days=5) if n == 5 else None,  # not started: green
            category="" if n == 1 else "素质&提升",
            title=f'任务 <b>"{n}"</b> & 事',
        )
        for unit in (unit_a, plain):
            a = Assignment.objects.create(
                task=task,
                unit=unit,
                role=Assignment.Role.COOPERATE if n % 2 else Assignment.Role.LEAD,
                status=status,
                progress=n * 15,
                acknowledged_at=None if status == S.PENDING else now,
                closed_at=now if status == S.CLOSED else None,
                extended_due_date=today + dt.timedelta(days=60) if n == 2 else None,
            )
            # Reported this month: green (n == 4); returned: still yellow (n == 2).
            if n in (2, 4):
                ProgressReport.objects.create(
                    assignment=a,
                    period=f"{today:%Y-%m}",
                    text="进展",
                    submitted_at=now,
                    review_status=ProgressReport.Review.RETURNED
                    if n == 2
                    else ProgressReport.Review.ACCEPTED,
                )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ["office_user", "user_a"])
def test_rows_are_what_the_template_printed(rows, who, language, request, today):
    user = request.getfixturevalue(who)
    http = RequestFactory().get("/tasks/")
    http.user = user
    queryset = filtered_assignments(http, today, QueryDict()).qs
    unlit = filtered_assignments(http, today, QueryDict(), lit=False).qs
    with translation.override(language):
        expected = (
            engines["django"]
            .from_string(TEMPLATE_LOOP)
            .render({"page": list(queryset), "is_office": user.is_office})
        )
        written = assignment_rows(unlit.values(*UNLIT_ROW_FIELDS), office=user.is_office, day=today)
        lit = assignment_rows(queryset.values(*ASSIGNMENT_ROW_FIELDS), office=user.is_office)
        empty = assignment_rows([], office=user.is_office, day=today)
        expected_empty = (
            engines["django"].from_string(TEMPLATE_LOOP).render({"page": [], "is_office": False})
        )
    assert written == expected
    assert lit == expected
    assert empty == expected_empty
    assert "&lt;b&gt;&quot;0&quot;&lt;/b&gt; &amp; 事" in written
    for light in Light:
        assert f"light--{light.value}" in written
    assert "badge" in written


def test_lamp_follows_the_language():
    assert "逾期" in lamp_html(Light.RED)
    with translation.override("en"):
        assert "逾期" not in lamp_html(Light.RED)
    assert lamp_html("done") == lamp_html(Light.DONE)


def test_filter_offers_the_visible_plans_and_categories_in_order(plan, unit_a, unit_b, user_a):
    older = Plan.objects.create(year=2025, title="2025年任务清单", status=Plan.Status.ACTIVE)
    other = Plan.objects.create(year=2026, title="2026年另一清单", status=Plan.Status.ACTIVE)
    for n, (task_plan, category, unit) in enumerate(
        [
            (plan, "素质提升", unit_a),
            (older, "思想引领", unit_a),
            (plan, "", unit_a),
            (plan, "权益维护", unit_a),
            (older, "素质提升", unit_a),
            (other, "组织保障", unit_b),  # not unit A's
        ]
    ):
        Assignment.objects.create(task=make_task(task_plan, f"{n}", category=category), unit=unit)
    form = AssignmentFilter(None, queryset=Assignment.objects.all(), user=user_a, office=False).form
    assert list(form.fields["plan"].choices) == [
        ("", "全部任务清单"),
        (plan.pk, plan.title),
        (older.pk, older.title),
    ]
    assert [c for c, _ in form.fields["category"].choices] == [
        "",
        "思想引领",
        "权益维护",
        "素质提升",
    ]


@pytest.mark.parametrize("light", [light.value for light in Light])
def test_the_light_filter_shows_that_light_only(rows, client_a, light):
    page = client_a.get("/tasks/", {"light": light}).content.decode()
    shown = set(re.findall(r"light--(\w+)", page))
    assert shown == {light}


def test_the_filter_form_follows_the_language(client_a, assignment_a):
    """The fixed fields' labels and choices are kept per language."""
    zh = client_a.get("/tasks/", {"status": "pending"}).content.decode()
    en = client_a.get("/tasks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    again = client_a.get("/tasks/", {"status": "pending"}).content.decode()
    assert '<option value="pending" selected>待签收</option>' in zh
    assert '<option value="pending">待签收</option>' not in en and "状态" not in en
    assert '<option value="pending" selected>待签收</option>' in again


def test_the_task_navigation_marks_the_current_page(client_a, office_client):
    unit = client_a.get("/tasks/problems/").content.decode()
    assert '<li><a href="/tasks/problems/" aria-current="page">' in unit
    assert '<li><a href="/tasks/" >我的任务</a></li>' in unit and "/tasks/overview/" not in unit
    office = office_client.get("/tasks/overview/").content.decode()
    assert '<li><a href="/tasks/overview/" aria-current="page">总览</a></li>' in office
    assert '<li><a href="/tasks/" >全部分工</a></li>' in office


# The content of templates/tasks/assignment_list.html before it moved to Python
# (tasks/html.py's list_page_html), rendered with the context its view gave it.
TEMPLATE_CONTENT = """{% load i18n portal_tags %}
<h1>{% if is_office %}{% translate "全部任务分工" %}{% else %}{% blocktranslate with unit=user.unit.name %}{{ unit }}的改革任务{% endblocktranslate %}{% endif %}</h1>
{% translate "催办" as t_remind %}{% translate "标为已读" as t_mark_read %}{% for notice in notices %}
<div class="notice" role="status">
  <p><strong>{{ t_remind }}</strong> {{ notice.sent_at|date:"Y-m-d H:i" }} ·
    <a href="{% url 'tasks:assignment_detail' notice.assignment_id %}">{{ notice.assignment__task__number }} {{ notice.assignment__task__title }}</a><br>{{ notice.message }}</p>
  <form method="post" action="{% url 'tasks:reminder_read' notice.pk %}">{% csrf_token %}<button type="submit" class="button button--secondary">{{ t_mark_read }}</button></form>
</div>
{% endfor %}
<p class="meta">{% blocktranslate with d=today|date:"Y年n月j日" %}红灯：已逾期；黄灯：7天内到期或本月尚未报送进展；绿灯：正常推进。（{{ d }}）{% endblocktranslate %}
  <a href="{% url 'tasks:export' %}?{{ query }}">{% translate "导出 Excel" %}</a></p>
{% include "tasks/includes/filters.html" with show_unit=is_office %}
<div class="table-wrap">
<table class="table table-stack">
  <thead><tr><th>{% translate "灯" %}</th><th>{% translate "编号" %}</th><th>{% translate "任务" %}</th>{% if is_office %}<th>{% translate "单位" %}</th>{% endif %}<th>{% translate "分工" %}</th><th>{% translate "状态" %}</th><th>{% translate "完成时限" %}</th><th>{% translate "进度" %}</th></tr></thead>
  <tbody>
  {{ rows }}
  </tbody>
</table>
</div>
{% pagination_nav %}

"""

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _template_content(request, day) -> str:
    """What the list's template printed for ``request``, through django-filter's form
    and the ORM's queries, as its view ran them before the page moved to Python."""
    user = request.user
    filterset = filtered_assignments(request, day, lit=False)
    page = counted_page_of(request, filterset.qs.values(*UNLIT_ROW_FIELDS), PAGE_SIZE)
    notices = list(selectors.unread_notices(user).values(*NOTICE_FIELDS)[:20])
    context = {
        "filter": filterset,
        "page": page,
        "rows": assignment_rows(page, office=user.is_office, day=day),
        "query": query_without_page(request),
        "notices": notices,
        "today": day,
        "is_office": user.is_office,
    }
    return engines["django"].from_string(TEMPLATE_CONTENT).render(context, request)


def _template_page(response, content: str) -> str:
    """The whole page templates/tasks/assignment_list.html (on tasks/base.html and
    base.html) renders around ``content`` for the request that answered ``response``:
    its title, style sheet, task navigation and frame, as the view rendered them before
    the page was written in Python."""
    request = response.wsgi_request
    return render_to_string(
        "tasks/assignment_list.html",
        {"content": mark_safe(content), "is_office": request.user.is_office},  # noqa: S308
        request,
    )


def _same_page(response, content: str) -> None:
    """``response`` is, CSRF tokens aside, the template's whole page around ``content``."""
    assert response.status_code == 200
    page = CSRF.sub("", response.content.decode())
    assert page == CSRF.sub("", _template_page(response, content))


@pytest.fixture
def personas(office_user, user_a, unit_a, other_staff):
    """The unit user, the unit's leader, the office, the auditor and the security
    administrator (who see no task but have links of their own in the header) and
    staff outside the office."""
    from portal.accounts.roles import AUDITOR, SECURITY_ADMIN, ensure_role_groups

    groups = ensure_role_groups()
    leader = UserFactory(username="leader", unit=unit_a, is_unit_leader=True)
    auditor = UserFactory(username="auditor", is_staff=True, unit=None)
    auditor.groups.add(groups[AUDITOR])
    security = UserFactory(username="security", is_staff=True, unit=None)
    security.groups.add(groups[SECURITY_ADMIN])
    return {
        "unit": user_a,
        "leader": leader,
        "office": office_user,
        "auditor": auditor,
        "security": security,
        "staff": other_staff,
    }


LIST_QUERIES = [
    "",
    "page=1",
    "status=",
    "q=%20%20",
    "q=%E4%BB%BB%E5%8A%A1",
    "q=%3Cb%3E%22",
    "q=" + "a" * 101,
    "q=a%00b",
    "status=pending",
    "status=bogus",
    "status=pending&status=closed",
    "role=lead&status=in_progress&light=yellow",
    "light=red",
    "extended=yes",
    "extended=no",
    "ordering=-due",
    "ordering=number",
    "ordering=",
    "ordering=due,-number",
    "ordering=bogus",
    "plan={plan}",
    "plan=999999",
    "category=%E7%B4%A0%E8%B4%A8%26%E6%8F%90%E5%8D%87",
    "category=nope",
    "unit={unit}",
    "unit={other}",
    "foo=bar",
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ["unit", "leader", "office", "auditor", "security", "staff"])
def test_the_list_page_is_what_its_template_printed(
    rows, personas, who, language, plan, unit_a, today
):
    """Each persona's /tasks/ (with and without filters, valid or not, with 催办 notices)
    is what the templates and django-filter's form printed, the whole page byte for
    byte, CSRF tokens aside: the unfiltered page's kept statements and written form,
    the filtered page's written form and the invalid form's template alike, in the
    frame written in Python."""
    from tasks.services import send_reminder

    other = Unit.objects.exclude(pk=unit_a.pk).first()
    assignments = Assignment.objects.filter(unit=unit_a).order_by("pk")
    send_reminder(assignments=[assignments[0]], by=personas["office"], message='请抓紧 <b>"&"</b>')
    send_reminder(assignments=[assignments[1]], by=personas["office"], message="第二条")
    user = personas[who]
    client = Client()
    client.force_login(user)
    # The language the requests activate ends with the test (override restores it).
    with translation.override(language):
        for query in LIST_QUERIES:
            query = query.format(plan=plan.pk, unit=unit_a.pk, other=other.pk)
            response = client.get(f"/tasks/?{query}", HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200
            request = RequestFactory().get(f"/tasks/?{query}")
            request.user = response.wsgi_request.user
            _same_page(response, _template_content(request, today))


@pytest.mark.parametrize("count", [PAGE_SIZE, PAGE_SIZE + 5])
@pytest.mark.parametrize("notices", [0, 2])
def test_a_units_list_reads_its_notices_only_when_its_rows_say_so(
    count, notices, plan, unit_a, user_a, office_user, today, django_assert_num_queries
):
    """The 催办 are read only when the rows say the unit has some unread, the filter's
    plans and categories only when the page does not hold the whole list; one-page
    and longer lists print what the template printed (plans of two years, categories
    in the database's order)."""
    from tasks.services import send_reminder

    older = Plan.objects.create(year=2025, title="2025年任务清单", status=Plan.Status.ACTIVE)
    categories = ["素质提升", "", "思想引领", "权益维护", "Z类"]
    for n in range(count):
        task = make_task(
            older if n % 3 == 0 else plan,
            f"{n}",
            category=categories[n % len(categories)],
            due=today + dt.timedelta(days=n),
        )
        Assignment.objects.create(task=task, unit=unit_a)
    if notices:
        first = Assignment.objects.filter(unit=unit_a).order_by("pk")[:notices]
        send_reminder(assignments=list(first), by=office_user, message="请抓紧")
    client = Client()
    client.force_login(user_a)
    client.get("/tasks/")
    for query in ["", "page=2"] if count > PAGE_SIZE else [""]:
        # the session with the user and their unit; the rows; the plans and categories
        # when the rows are not the whole list; the 催办 when there are some
        with django_assert_num_queries(2 + (count > PAGE_SIZE) + bool(notices)):
            response = client.get(f"/tasks/?{query}")
        request = RequestFactory().get(f"/tasks/?{query}")
        request.user = response.wsgi_request.user
        expected = _template_content(request, today)
        _same_page(response, expected)
        assert f'<option value="{older.pk}">2025年任务清单</option>' in expected
        assert ('class="notice"' in expected) == bool(notices)


@pytest.fixture
def both(monkeypatch):
    """Each /tasks/ page the view writes, beside the templates' rendering of the same
    content for the same request."""
    from tasks import html
    from tasks.views import units

    pages = []

    def list_page(request, *, is_office, content):
        python = html.list_page(request, is_office=is_office, content=content)
        template = render_to_string(
            "tasks/assignment_list.html", {"content": content, "is_office": is_office}, request
        )
        pages.append((str(python), template))
        return python

    monkeypatch.setattr(units, "list_page", list_page)
    return pages


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("who", ["user_a", "office_user"])
def test_messages_show_and_count_as_shown_as_in_the_template(rf, who, language, both, request):
    """A message left for the next page (a step done elsewhere) is listed as the
    template's loop listed it, and counts as shown."""
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import resolve

    from tasks.views import units

    with translation.override(language):
        http = rf.get("/tasks/", HTTP_ACCEPT_LANGUAGE=language)
        http.resolver_match = resolve("/tasks/")
        http.session = SessionStore()
        http._messages = FallbackStorage(http)
        http._messages.add(25, "已签收 <任务> & 完成")
        http.user = request.getfixturevalue(who)
        page = units.assignment_list(http).content.decode()
    assert '<li class="message message--success">已签收 &lt;任务&gt; &amp; 完成</li>' in page
    assert get_messages(http).used
    assert len(both) == 1
    python, template = both[0]
    assert CSRF.sub("", python) == CSRF.sub("", template) == CSRF.sub("", page)


def test_the_page_is_html_marked_private(client_a, assignment_a):
    response = client_a.get("/tasks/")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "private" in response["Cache-Control"]
    assert "<title>我的任务 · " in response.content.decode()
    assert '<a href="/tasks/" aria-current="page">' in response.content.decode()
