"""Permission table of the search routes, and who finds what (counts, facets and snippets
included): anonymous, unit A (renshe), unit B (xinhai), office, staff outside 产改办."""

import re

import pytest
from django.urls import reverse

from portal.search import urls as search_urls

URL = "/search/"
ANON, A, B, OFFICE, STAFF = "anon", "unit_a", "unit_b", "office", "other_staff"

# name → {persona: (GET status, POST status)}. Everyone may search; what they find
# is narrowed by visible_to (below). POST is refused (search is a safe GET).
ROUTES = {
    "search": {p: (200, 405) for p in (ANON, A, B, OFFICE, STAFF)},
}


def test_every_search_route_has_an_expectation():
    assert {p.name for p in search_urls.urlpatterns} == set(ROUTES)


@pytest.mark.parametrize(
    ("name", "persona"),
    [(name, p) for name, table in ROUTES.items() for p in table],
    indirect=["persona"],
)
def test_search_routes_answer_each_persona(corpus, name, persona, request):
    get, post = ROUTES[name][request.node.callspec.params["persona"]]
    url = reverse(f"search:{name}")
    assert persona.get(url, {"q": "工人"}).status_code == get
    assert persona.post(url, {"q": "工人"}).status_code == post
    response = persona.get(url, {"q": "工人"})
    assert "private" in response["Cache-Control"]


# A word only each document contains, and who may see that document.
DOCUMENTS = {
    "public": ("三突出三提升", {"anon", "unit_a", "unit_b", "office", "other_staff"}),
    "punct": ("9704", {"anon", "unit_a", "unit_b", "office", "other_staff"}),
    "internal": ("机密研判", {"unit_a", "unit_b", "office", "other_staff"}),
    "draft": ("草拟稿件", {"office"}),
    "withdrawn": ("错发稿件", {"office"}),
    "meeting": ("试点企业汇报", {"anon", "unit_a", "unit_b", "office", "other_staff"}),
    "meeting_internal": ("督办事项", {"unit_a", "unit_b", "office", "other_staff"}),
    "task_a": ("报送照片", {"unit_a", "office"}),
    "task_b": ("公示名单", {"unit_b", "office"}),
    "report_a": ("读书月", {"unit_a", "office"}),
    "report_b": ("评出金牌工人", {"unit_b", "office"}),
}
PERSONAS = ["anon", "unit_a", "unit_b", "office", "other_staff"]


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
    word, allowed = DOCUMENTS[name]
    who = request.node.callspec.params["persona"]
    response = persona.get(URL, {"q": word})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private") or "private" in response["Cache-Control"]
    page = response.content.decode()
    if who in allowed:
        assert summary(response) == "找到1条结果。"
        assert len(results(response)) == 1
        assert "<mark>" in page
    else:
        # Nothing leaks: no count, no title, no snippet, no facet.
        assert summary(response) == "没有找到包含这些关键词的内容。"
        assert results(response) == []
        assert "search-facets" not in page
        assert word not in page.replace(f'value="{word}"', "").replace(f"{word} · ", "")


@pytest.mark.parametrize(
    "persona, total, facet",
    [
        ("anon", 2, ["简报1", "会议纪要1"]),
        ("unit_a", 3, ["简报1", "会议纪要2"]),
        ("office", 3, ["简报1", "会议纪要2"]),
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
