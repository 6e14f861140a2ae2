"""Permission table of the search routes, and who finds what (counts, facets and snippets
included): anonymous, unit A (renshe), unit B (xinhai), office, staff outside 产改办 and a
deactivated account, each row with its reason."""

import re

import pytest
from django.urls import reverse

from portal.search import urls as search_urls

URL = "/search/"
ANON, A, B, OFFICE, STAFF, GONE = "anon", "unit_a", "unit_b", "office", "other_staff", "deactivated"
PERSONAS = [ANON, A, B, OFFICE, STAFF, GONE]
READERS = {ANON, A, B, OFFICE, STAFF, GONE}  # everyone, a switched-off account as anonymous
MEMBERS = {A, B, OFFICE, STAFF}  # signed in

# (route name, personas, GET status, POST status, reason)
ROUTE_TABLE = [
    ("search", PERSONAS, 200, 405, "everyone may search (visible_to narrows the hits); search is a safe GET"),
]  # fmt: skip
ROUTE_CASES = [
    pytest.param(name, persona, get, post, reason, id=f"{name}-{persona}")
    for name, personas, get, post, reason in ROUTE_TABLE
    for persona in personas
]


def test_every_search_route_has_an_expectation():
    assert {p.name for p in search_urls.urlpatterns} == {row[0] for row in ROUTE_TABLE}


@pytest.mark.parametrize(
    ("name", "persona", "get", "post", "reason"), ROUTE_CASES, indirect=["persona"]
)
def test_search_routes_answer_each_persona(corpus, name, persona, get, post, reason):
    url = reverse(f"search:{name}")
    assert persona.get(url, {"q": "工人"}).status_code == get, reason
    assert persona.post(url, {"q": "工人"}).status_code == post, reason
    response = persona.get(url, {"q": "工人"})
    assert "private" in response["Cache-Control"]


# A word only each document contains, who may find that document, and why.
DOCUMENTS = {
    "public": ("三突出三提升", READERS, "a published public issue is for everyone"),
    "punct": ("9704", READERS, "public too; found across punctuation"),
    "internal": ("机密研判", MEMBERS, "internal issues are for signed-in members only"),
    "draft": ("草拟稿件", {OFFICE}, "drafts belong to the office"),
    "withdrawn": (
        "错发稿件",
        {OFFICE},
        "withdrawal hides an issue from readers, not from the office",
    ),
    "meeting": ("试点企业汇报", READERS, "a public meeting record is for everyone"),
    "meeting_internal": ("督办事项", MEMBERS, "internal meeting records are for members"),
    "task_a": ("报送照片", {A, OFFICE}, "a unit sees its own tasks, the office all"),
    "task_b": ("公示名单", {B, OFFICE}, "unit A never finds unit B's task"),
    "report_a": ("读书月", {A, OFFICE}, "a unit's reports are its own and the office's"),
    "report_b": ("评出金牌工人", {B, OFFICE}, "unit A never finds unit B's report"),
}


def summary(response) -> str:
    match = re.search(r'<p class="search-summary"[^>]*>(.*?)</p>', response.content.decode(), re.S)
    return re.sub(r"<[^>]+>|\s+", "", match.group(1)) if match else ""


def errors(response) -> list[str]:
    return re.findall(r'<li class="message message--error">(.*?)</li>', response.content.decode())


def results(response) -> list[str]:
    return re.findall(r'<h2 class="search-hit__title">(.*?)</h2>', response.content.decode(), re.S)


@pytest.mark.parametrize("persona", PERSONAS, indirect=True)
@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_each_persona_finds_exactly_what_it_may_see(corpus, persona, request, name):
    word, allowed, reason = DOCUMENTS[name]
    who = request.node.callspec.params["persona"]
    response = persona.get(URL, {"q": word})
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    page = response.content.decode()
    if who in allowed:
        assert summary(response) == "找到1条结果。", reason
        assert len(results(response)) == 1, reason
        assert "<mark>" in page
    else:
        # Nothing leaks: no count, no title, no snippet, no facet.
        assert summary(response) == "没有找到包含这些关键词的内容。", reason
        assert results(response) == [], reason
        assert "search-facets" not in page
        assert word not in page.replace(f'value="{word}"', "").replace(f"{word} · ", "")


@pytest.mark.parametrize(
    "persona, total, facet",
    [
        pytest.param(
            "anon", 2, ["简报1", "会议纪要1"], id="anon: the internal meeting is not counted"
        ),
        pytest.param(
            "unit_a", 3, ["简报1", "会议纪要2"], id="unit_a: members count internal meetings"
        ),
        pytest.param(
            "office", 3, ["简报1", "会议纪要2"], id="office: the same, drafts hold no 主持"
        ),
    ],
    indirect=["persona"],
)
def test_counts_and_facets_come_only_from_visible_documents(corpus, persona, total, facet):
    response = persona.get(URL, {"q": "主持"})
    assert summary(response) == f"找到{total}条结果。"
    facets = re.search(r'<nav class="search-facets".*?</nav>', response.content.decode(), re.S)
    text = re.sub(r"<[^>]+>|\s+", "", facets.group(0))
    for item in facet:
        assert item in text


USERS = {
    ANON: None,
    A: "user_a",
    B: "user_b",
    OFFICE: "office_user",
    STAFF: "other_staff",
    GONE: "deactivated_user",
}


@pytest.mark.parametrize("who", PERSONAS)
def test_the_raw_condition_finds_what_visible_to_finds(corpus, request, who):
    """The results page's WHERE (visibility.py, each kind compiled on its own) and
    SearchDocumentQuerySet.visible_to (Django's Exists) agree for every persona."""
    from django.contrib.auth.models import AnonymousUser

    from portal.search.models import SearchDocument

    user = request.getfixturevalue(USERS[who]) if USERS[who] else AnonymousUser()
    raw = set(SearchDocument.objects.visible_where(user).values_list("pk", flat=True))
    orm = set(SearchDocument.objects.visible_to(user).values_list("pk", flat=True))
    assert raw == orm
    assert raw  # every persona sees something of the corpus


def test_users_with_one_visibility_key_get_one_condition(corpus, request, unit_a):
    """A kind's compiled condition is kept per visibility_key (visibility.py): users
    with equal keys must compile to the same SQL, and the kept one is that SQL."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection

    from portal.search import registry, visibility
    from portal.search.models import SearchDocument
    from tests.factories import UserFactory

    users = [request.getfixturevalue(name) for name in USERS.values() if name]
    users += [AnonymousUser(), UserFactory(username="renshe2", unit=unit_a)]
    table = SearchDocument._meta.db_table
    for kind in registry.kinds():
        by_key = {}
        for user in users:
            key = kind.visibility_key(user)
            assert key is not None, kind
            fresh = visibility._compile(kind, user, connection, table)
            assert by_key.setdefault(key, fresh) == fresh, (kind, user)
            assert visibility._kind_sql(kind, user, connection, table) == fresh, (kind, user)
        assert len(by_key) > 1, kind  # the personas differ for every kind
