"""One visible issue read from SQL kept per audience (bulletins/visible_issue.py): the same
issue, fields and related objects as the ORM's ``visible_to(user)…get(pk=…)``, for every
persona and state, and the issue page and the PDF answering 200 or 404 by the same rule."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from bulletins import pdf_cache, pdf_views, views
from bulletins.models import Issue, IssueReading, issue_audience
from bulletins.visible_issue import visible_issue
from tests.factories import INTERNAL, PUBLIC, make_issue

from .test_visibility_matrix import STATES  # state name -> (status, visibility)

pytestmark = pytest.mark.django_db

USERS = {
    "anon": None,
    "office": "office_user",
    "unit_a": "user_a",
    "unit_b": "user_b",
    "other_staff": "other_staff",
    "deactivated": "deactivated_user",
}
FIELD_SETS = {"page": views._DETAIL_FIELDS, "pdf": pdf_views._PDF_FIELDS}


@pytest.fixture(autouse=True)
def fake_renderer(monkeypatch):
    """Downloads here are about who gets an answer; rendering is tested in test_pdf."""
    monkeypatch.setattr(pdf_cache, "render_issue_pdf", lambda issue: b"%PDF-1.4 stand-in")


def _user(request, persona):
    name = USERS[persona]
    if name is None:
        return AnonymousUser()
    return request.getfixturevalue(name)


def _orm(user, pk, fields):
    """What the views read before: the ORM's select_related / only / get."""
    relations = sorted({name.split("__")[0] for name in fields if "__" in name})
    queryset = Issue.objects.visible_to(user).select_related(*relations).only(*fields)
    return queryset.filter(pk=pk).first()


def _loaded(obj) -> dict:
    deferred = obj.get_deferred_fields()
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in deferred
    }


def _same_instances(kept, orm):
    assert type(kept) is type(orm)
    assert kept.get_deferred_fields() == orm.get_deferred_fields()
    assert _loaded(kept) == _loaded(orm)
    assert kept._state.db == orm._state.db and kept._state.adding is orm._state.adding is False


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", USERS)
def test_every_persona_reads_the_issue_the_orm_reads(request, persona, state):
    status, visibility = STATES[state]
    issue = make_issue(status, visibility, articles=2, attachment="讲话.pdf")
    other = make_issue("published", PUBLIC)
    user = _user(request, persona)
    cases = [
        (pk, names) for pk in (issue.pk, other.pk, other.pk + 1000) for names in FIELD_SETS.values()
    ]
    for pk, names in cases:
        kept, orm = visible_issue(user, pk, names), _orm(user, pk, names)
        assert (kept is None) is (orm is None), (persona, state, pk)
        if orm is None:
            continue
        _same_instances(kept, orm)
        _same_instances(kept.series, orm.series)  # cached: no query
        if "reading__articles" in names:
            _same_instances(kept.reading, orm.reading)
            assert kept.reading.issue is kept  # as select_related sets it
            assert kept.reading.articles[0][0] == "第1篇文章"


def test_an_issue_without_a_reading_copy_has_none_cached(django_assert_num_queries):
    issue = make_issue("published", PUBLIC)
    IssueReading.objects.filter(issue=issue).delete()
    user = AnonymousUser()
    kept = visible_issue(user, issue.pk, views._DETAIL_FIELDS)
    with django_assert_num_queries(0), pytest.raises(IssueReading.DoesNotExist):
        kept.reading  # noqa: B018 (the access is what is tested)
    with pytest.raises(IssueReading.DoesNotExist):
        _orm(user, issue.pk, views._DETAIL_FIELDS).reading  # noqa: B018


def test_users_of_one_audience_run_one_statement(request, django_assert_num_queries):
    """The kept SQL is the audience's: two unit users, two office users' reads are the
    statement the first compiled (the key is what visible_to branches on)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    issue = make_issue("published", INTERNAL)
    statements = {}
    for persona in USERS:
        user = _user(request, persona)
        issue_audience(user)  # staff ask their groups once, before
        with CaptureQueriesContext(connection) as captured:
            found = visible_issue(user, issue.pk, views._DETAIL_FIELDS)
        assert len(captured) == 1
        statements[persona] = captured[0]["sql"]
        assert (found is not None) is (persona not in ("anon", "deactivated"))
    assert statements["unit_a"] == statements["unit_b"] == statements["other_staff"]
    assert statements["anon"] == statements["deactivated"]
    assert len({statements["anon"], statements["unit_a"], statements["office"]}) == 3


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", USERS, indirect=True)
def test_page_and_pdf_answer_200_exactly_when_the_issue_is_visible(request, persona, state):
    """Through the views (the persona's client): 200 where visible_to finds the issue, else 404."""
    status, visibility = STATES[state]
    issue = make_issue(status, visibility)
    who = request.node.callspec.params["persona"]
    visible = Issue.objects.visible_to(_user(request, who)).filter(pk=issue.pk).exists()
    for name in ("bulletins:issue_detail", "bulletins:issue_pdf"):
        response = persona.get(reverse(name, args=[issue.pk]))
        assert response.status_code == (200 if visible else 404), (who, state, name)
        if name == "bulletins:issue_pdf" and visible:
            assert b"".join(response.streaming_content).startswith(b"%PDF-")


@pytest.mark.parametrize("pk", [2**31, 2**63, 10**20])
def test_ids_past_the_columns_range_answer_404(anon_client, pk):
    """As get_object_or_404 did: no issue, not a database error."""
    assert visible_issue(AnonymousUser(), pk, views._DETAIL_FIELDS) is None
    for name in ("bulletins:issue_detail", "bulletins:issue_pdf"):
        assert anon_client.get(reverse(name, args=[pk])).status_code == 404
