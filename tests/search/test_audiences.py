"""Who may read a document, kept in its tokens (registry.SearchKind.audiences, issue 11).

On PostgreSQL the count and facets of a results page trust the audience lexemes of
the token index (``¦vissue.public``) instead of probing each match's object; the
hits shown are still checked against ``visible_to``. That is only right while:

1. every kind's ``audiences``/``audiences_of`` say exactly what its ``visible_to``
   says, for every persona and every state of an object (both databases);
2. every change of who may see an object re-indexes its document in the same
   transaction: publish, schedule, withdraw, the internal/public switch, a meeting's
   visibility (its decisions too), a unit assigned, moved or unassigned, a report's
   assignment, deletion (PostgreSQL: the stored lexemes equal the computed ones);
3. search 0004 writes for existing rows what ``audiences`` says;
4. the page finds the same documents and counts through the lexemes as through
   ``visible_to`` (every persona, filters, orders).
"""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bulletins import services as bulletin_services
from bulletins.models import Issue
from bulletins.submissions import services as submission_services
from portal.search import engine, index, registry
from portal.search.models import AUDIENCE_PREFIX, SearchDocument, audience_lexeme
from portal.search.text import parse_query
from tasks import services as task_services
from tasks.models import ProgressReport
from tests.factories import (
    INTERNAL,
    make_assignment,
    make_issue,
    make_meeting,
    make_plan,
    make_report,
    make_submission,
    make_task,
)

from .conftest import document_of, tokens_of_d

postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="audience lexemes are PostgreSQL's tokens"
)

USERS = ["anon", "user_a", "user_b", "office_user", "other_staff", "deactivated_user"]


@pytest.fixture
def users(request, unit_a, unit_b):
    return {
        name: AnonymousUser() if name == "anon" else request.getfixturevalue(name) for name in USERS
    }


@pytest.fixture
def states(db, unit_a, unit_b, office_user, today):
    """An object of every kind in every state that matters to who may see it."""
    made = [
        make_issue(title="公开期"),
        make_issue(visibility=INTERNAL, title="内部期"),
        make_issue("draft", title="草稿期"),
        make_issue("withdrawn", title="撤回期"),
        make_issue("scheduled", title="定时期"),
        make_issue("withdrawn", visibility=INTERNAL, title="内部撤回期"),
    ]
    public, internal = make_meeting(title="公开会"), make_meeting(INTERNAL, title="内部会")
    made += [public, internal]
    for meeting in (public, internal):
        made.append(
            task_services.add_decision(meeting=meeting, by=office_user, title="议定", text="事项")
        )
    plan = make_plan(2020)
    alone = make_task(plan, "1.1", title="无人承办")
    only_a = make_task(plan, "1.2", title="人社局承办")
    both = make_task(plan, "1.3", title="两家承办")
    a1, b1 = make_assignment(only_a, unit_a), make_assignment(both, unit_b)
    make_assignment(both, unit_a)
    made += [alone, only_a, both, make_report(a1, "甲的进展"), make_report(b1, "乙的进展")]
    for state in ("draft", "awaiting_signoff", "pending", "adopted"):
        made.append(make_submission(unit_a, state, title=f"人社局信息{state}"))
    made.append(make_submission(unit_b, "pending", title="新海信息"))
    return made


def _sees(kind, user, obj) -> bool:
    """What the kind's audiences say about ``user`` reading ``obj``."""
    readers = kind.audiences_of(user)
    if readers == registry.EVERY:
        return True
    return bool(readers & kind.audiences([obj.pk])[obj.pk])


# The kinds whose audiences the tokens carry; any other kind (the test app's) is
# still probed per match through visible_to.
DECLARED = {"issue", "meeting", "decision", "task", "report", "submission"}


@pytest.mark.django_db
def test_the_kinds_that_declare_audiences():
    declared = {kind.name for kind in registry.kinds() if kind.audiences([]) is not None}
    assert declared == DECLARED
    for kind in registry.kinds():
        assert (kind.audiences_of(AnonymousUser()) is not None) == (kind.name in DECLARED)


@pytest.mark.django_db
def test_audiences_say_what_visible_to_says_for_every_persona_and_state(states, users):
    seen = set()
    for obj in states:
        kind = registry.for_model(type(obj))
        for name, user in users.items():
            visible = kind.visible_to(user).filter(pk=obj.pk).exists()
            assert _sees(kind, user, obj) == visible, (kind.name, str(obj), name)
            seen.add((kind.name, visible))
    # Every kind is both seen and hidden by someone in the table.
    assert {name for name, _ in seen} == DECLARED
    assert all((name, flag) in seen for name, _ in seen for flag in (True, False))


@pytest.mark.django_db
def test_audiences_of_depends_only_on_the_visibility_key(users, unit_a):
    from tests.factories import UserFactory

    everyone = [*users.values(), UserFactory(username="renshe2", unit=unit_a)]
    for kind in map(registry.get, DECLARED):
        by_key = {}
        for user in everyone:
            readers = kind.audiences_of(user)
            assert by_key.setdefault(kind.visibility_key(user), readers) == readers, kind


def stored_audiences() -> dict[tuple[str, int], set[str]]:
    """(kind, object id) -> the audience lexemes its document's tokens hold."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT d.kind, d.object_id, ARRAY(SELECT lexeme FROM unnest({tokens_of_d()}) "
            "WHERE starts_with(lexeme, %s)) FROM search_searchdocument d",
            [AUDIENCE_PREFIX],
        )
        return {(kind, pk): set(lexemes) for kind, pk, lexemes in cursor.fetchall()}


def computed_audiences() -> dict[tuple[str, int], set[str]]:
    """What each kind's ``audiences`` says for every document's object now."""
    out = {}
    for kind in registry.kinds():
        ids = list(
            SearchDocument.objects.filter(kind=kind.name).values_list("object_id", flat=True)
        )
        audiences = kind.audiences(ids)
        for pk in ids:
            names = () if audiences is None else audiences.get(pk, ())
            out[(kind.name, pk)] = {audience_lexeme(kind.name, name) for name in names}
    return out


def assert_current():
    stored = stored_audiences()
    assert stored == computed_audiences()
    return stored


def _publish(issue, user):
    issue.refresh_from_db()
    return bulletin_services.publish_issue(issue=issue, by=user)


CHANGES = {
    "publish": lambda c, u: _publish(c["draft"], u["office_user"]),
    "withdraw": lambda c, u: bulletin_services.withdraw_issue(
        issue=c["public"], by=u["office_user"]
    ),
    "published by the schedule job": lambda c, u: _scheduled_and_due(c["draft"], u),
    "publish by save": lambda c, u: _save(
        c["draft"], status=Issue.Status.PUBLISHED, published_at=timezone.now()
    ),
    "withdraw by save": lambda c, u: _save(
        c["public"], status=Issue.Status.WITHDRAWN, withdrawn_at=timezone.now()
    ),
    "issue made internal": lambda c, u: _save(c["public"], visibility=INTERNAL),
    "issue made public": lambda c, u: _save(c["internal"], visibility="public"),
    "meeting made internal": lambda c, u: _save(c["meeting"], visibility=INTERNAL),
    "meeting made public by update_fields": lambda c, u: _save(
        c["meeting_internal"], ["visibility"], visibility="public"
    ),
    "unit assigned": lambda c, u: make_assignment(c["task_b"], u["user_a"].unit),
    "unit assigned by the service": lambda c, u: task_services.assign_units(
        tasks=[c["task_b"]], units=[u["user_a"].unit], role="cooperate", by=u["office_user"]
    ),
    "assignment moved to another unit": lambda c, u: _save(
        c["assignment_a"], unit=u["user_b"].unit
    ),
    "assignment moved by update_fields": lambda c, u: _save(
        c["assignment_a"], ["unit"], unit=u["user_b"].unit
    ),
    "assignment moved to another task": lambda c, u: _save(c["assignment_a"], task=c["task_c"]),
    "assignment deleted": lambda c, u: c["assignment_b"].delete(),
    "report moved to another assignment": lambda c, u: _save(
        c["report_a"], assignment=c["assignment_b"]
    ),
    "piece sent to the office": lambda c, u: submission_services.submit_submission(
        submission=c["piece"], by=u["user_a"]
    ),
    "issue deleted": lambda c, u: c["internal"].delete(),
    "meeting deleted": lambda c, u: c["meeting"].delete(),
    "task deleted": lambda c, u: c["task_a"].delete(),
}


def _scheduled_and_due(issue, users):
    when = timezone.now() + dt.timedelta(days=1)
    bulletin_services.schedule_issue(issue=issue, publish_at=when, by=users["office_user"])
    assert bulletin_services.publish_due_issues(now=when + dt.timedelta(minutes=1))


def _save(obj, update_fields=None, **values):
    obj.refresh_from_db()
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save(update_fields=update_fields)
    return obj


@pytest.fixture
def changing(db, unit_a, unit_b, office_user, today):
    c = {
        "public": make_issue(title="公开期"),
        "internal": make_issue(visibility=INTERNAL, title="内部期"),
        "draft": make_issue("draft", title="草稿期"),
        "meeting": make_meeting(title="公开会"),
        "meeting_internal": make_meeting(INTERNAL, title="内部会"),
    }
    for meeting in ("meeting", "meeting_internal"):
        task_services.add_decision(meeting=c[meeting], by=office_user, title="议定", text="事项")
    plan = make_plan(2020)
    c["task_a"], c["task_b"] = make_task(plan, "1.1"), make_task(plan, "1.2")
    c["task_c"] = make_task(plan, "1.3")
    c["assignment_a"] = make_assignment(c["task_a"], unit_a)
    c["assignment_b"] = make_assignment(c["task_b"], unit_b)
    c["report_a"] = make_report(c["assignment_a"], "甲的进展")
    c["report_b"] = make_report(c["assignment_b"], "乙的进展")
    c["piece"] = make_submission(unit_a, "draft")
    return c


@postgresql
@pytest.mark.django_db
@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_of_who_may_see_re_indexes_in_the_same_transaction(changing, users, change):
    before = assert_current()
    CHANGES[change](changing, users)
    after = assert_current()
    if not change.endswith("deleted"):
        assert after != before, "the change altered who may read something"


@postgresql
@pytest.mark.django_db
def test_a_bulk_update_is_caught_by_the_rebuild(changing):
    """QuerySet.update bypasses the signals (as it does for the text): the page's hits
    are still checked against visible_to, and rebuild_search_index puts the lexemes right."""
    issue = changing["public"]
    Issue.objects.filter(pk=issue.pk).update(
        status=Issue.Status.WITHDRAWN, withdrawn_at=timezone.now()
    )
    assert stored_audiences() != computed_audiences()
    index.rebuild()
    assert_current()


@postgresql
@pytest.mark.django_db(transaction=True)
def test_search_0004_writes_what_the_kinds_say(states):
    stored = assert_current()
    assert any(stored.values())
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("search")[0]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    try:
        executor.migrate([("search", "0003_kind_lexemes")])
        assert not any(stored_audiences().values())
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([latest])
    assert stored_audiences() == stored
    assert index.rebuild() == 0  # nothing left for the kinds to correct


QUERIES = [
    {"q": "改革"},
    {"q": "进展"},
    {"q": "议定"},
    {"q": "承办"},
    {"q": "简报", "type": "issue"},
    {"q": "进展", "type": "report"},
    {"q": "简报", "order": "relevance"},
    {"q": "简报", "year": "2020"},
]


@postgresql
@pytest.mark.django_db
@pytest.mark.parametrize("limit", [engine.LIMIT, 2], ids=["uncapped", "capped"])
@pytest.mark.parametrize(
    "params", QUERIES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
def test_the_lexemes_find_what_visible_to_finds(states, users, params, limit, monkeypatch):
    """For every persona: the keys, kinds, count and facets through the audience lexemes
    (bare or joined to the documents) equal those of the same search probing
    visible_to for every match; capped (more than LIMIT matches) or not."""
    from django.test import RequestFactory

    from portal.search.filters import SearchFilter
    from portal.search.views import _indexed, _kinds

    monkeypatch.setattr(engine, "LIMIT", limit)
    found = 0
    for name, user in users.items():
        request = RequestFactory().get("/search/", params)
        request.user = user
        filterset = SearchFilter(request.GET, request=request)
        if not filterset.is_valid():  # a type not offered: the page says so
            continue
        scope = filterset.filter_queryset(SearchDocument.objects.visible_where(user))
        kinds = _kinds(user, filterset)
        counted, lexemes, bare = _indexed(user, filterset, kinds, scope)
        # Bare unless a filter reads a column, or a kind without audiences (the
        # information pieces of the office and the units) is in scope.
        in_scope = kinds if kinds is not None else {k.name for k in registry.kinds()}
        plain = set(params) <= {"q", "type", "order"}
        assert bare == (plain and in_scope <= DECLARED), name
        query, order = parse_query(params["q"]), params.get("order", engine.NEWEST)
        probed = engine.find(scope, query, order=order, kinds=kinds)
        for flag in {bare, False}:
            indexed = engine.find(
                scope, query, order=order, kinds=kinds, indexed=(counted, lexemes, flag)
            )
            assert indexed.keys == probed.keys, name
            assert indexed.kinds == probed.kinds, name
            assert (indexed.capped, indexed.facets) == (probed.capped, probed.facets), name
        assert set(probed.keys) <= set(scope.values_list("sort_key", flat=True)), name
        found += bool(probed.keys)
    assert found  # someone finds something


@pytest.mark.django_db
def test_a_report_of_an_assignment_moved_to_another_unit_changes_hands(changing, client_a):
    """Through the page, on either database: unit A loses the report with its assignment."""
    assert "甲的进展" in client_a.get("/search/", {"q": "甲的进展"}).content.decode()
    assignment = changing["assignment_a"]
    assignment.unit = ProgressReport.objects.get(pk=changing["report_b"].pk).assignment.unit
    assignment.save()
    page = client_a.get("/search/", {"q": "甲的进展"}).content.decode()
    assert "没有找到包含这些关键词的内容。" in page
    assert document_of(changing["report_a"]).kind == "report"
