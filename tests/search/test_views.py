"""The results page: who finds what (counts and facets included), bad input, paging, queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_issue

from .test_visibility import URL, errors, results, summary


def test_tasks_and_reports_of_a_unit_only(corpus, client_a, client_b, anon_client):
    assert summary(client_b.get(URL, {"q": "金牌工人"})) == "找到2条结果。"
    assert summary(client_a.get(URL, {"q": "金牌工人"})) == "没有找到包含这些关键词的内容。"
    assert summary(anon_client.get(URL, {"q": "金牌工人"})) == "没有找到包含这些关键词的内容。"


def test_an_anonymous_query_for_an_internal_word_reveals_nothing(corpus, anon_client):
    response = anon_client.get(URL, {"q": "机密研判", "series": ""})
    page = response.content.decode()
    assert summary(response) == "没有找到包含这些关键词的内容。"
    assert "内部通报" not in page
    # The series holding only the internal issue is not even offered as a filter.
    assert "产改内部专刊" not in page


def test_a_unit_is_offered_the_internal_series(corpus, client_a):
    assert "产改内部专刊" in client_a.get(URL).content.decode()


def test_a_filter_cannot_widen_the_scope(corpus, anon_client, client_a, corpus_ids=None):
    # type=task for an anonymous visitor: not a valid choice, so nothing is shown.
    response = anon_client.get(URL, {"q": "公示名单", "type": "task"})
    assert results(response) == []
    response = client_a.get(URL, {"q": "公示名单", "type": "task"})
    assert results(response) == []


def test_filters_narrow_the_results(corpus, office_client):
    both = office_client.get(URL, {"q": "主持"})
    assert summary(both) == "找到3条结果。"
    meetings = office_client.get(URL, {"q": "主持", "type": "meeting"})
    assert summary(meetings) == "找到2条结果。"
    series = corpus["public"].series_id
    in_series = office_client.get(URL, {"q": "主持", "series": series})
    assert summary(in_series) == "找到1条结果。"
    by_year = office_client.get(URL, {"q": "工作", "year": 2021})
    assert [re.sub(r"<[^>]+>", "", t) for t in results(by_year)] == ["技能竞赛简讯"]


def test_a_hit_shows_type_series_number_and_a_marked_snippet(corpus, anon_client):
    response = anon_client.get(URL, {"q": "三突出三提升"})
    page = response.content.decode()
    assert '<span class="badge">简报</span> 市工投集团产业工人队伍建设改革简报' in page
    issue = corpus["public"]
    assert issue.number_label in page  # 2020年第N期, in Chinese numerals
    assert f'href="/bulletins/{issue.pk}/"' in page
    assert "“<mark>三突出三提升</mark>”" in page


def test_a_meeting_hit_shows_its_date(corpus, anon_client):
    page = anon_client.get(URL, {"q": "试点企业汇报"}).content.decode()
    assert '<span class="badge">会议纪要</span> 2020年6月1日 · 市行政中心350会议室' in page
    assert f'href="/meetings/{corpus["meeting"].pk}/"' in page


def test_content_is_escaped_in_titles_and_snippets(db, anon_client):
    make_issue(
        title="<img src=x onerror=alert(1)>标题",
        body="<p>&lt;script&gt;alert(1)&lt;/script&gt;工匠</p>",
    )
    page = anon_client.get(URL, {"q": "工匠"}).content.decode()
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>工匠</mark>" in page


@pytest.mark.parametrize(
    "q, code",
    [
        ("", "empty"),
        ("工", "too_short"),
        ("x" * 10_000, "too_long"),
        ("%", "no_terms"),
        ("_", "no_terms"),
        ("\\", "no_terms"),
        ('"', "empty"),
        ("'", "empty"),
        ("\x00", "empty"),
    ],
)
def test_bad_input_gets_a_clear_message_never_a_500(corpus, anon_client, q, code):
    response = anon_client.get(URL, {"q": q})
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["q"]] == [code]
    assert len(errors(response)) == 1  # the message is shown on the page
    assert results(response) == []


@pytest.mark.parametrize(
    "q",
    [
        "工人%",
        "50%_达标",
        "a\\b工人",
        "工\x00人",
        "\"工人'",
        "工人' OR 工匠",
        "NEAR(工人",
        "工人 AND",
    ],
)
def test_odd_characters_in_a_word_search_without_error(corpus, anon_client, q):
    response = anon_client.get(URL, {"q": q})
    assert response.status_code == 200
    assert errors(response) == []


def test_sql_and_fts_syntax_in_the_query_is_only_text(corpus, anon_client):
    for q in ["' OR 1=1 --", '工人" OR "x', "工人 NOT 工匠", "工人*", "tokens:工人", "工人)--"]:
        response = anon_client.get(URL, {"q": q})
        assert response.status_code == 200
        assert "内部通报" not in response.content.decode()


@pytest.mark.parametrize(
    "params", [{"year": "abc"}, {"type": "secret"}, {"series": "999999"}, {"order": "x"}]
)
def test_bad_filters_get_a_message(corpus, anon_client, params):
    response = anon_client.get(URL, {"q": "工人", **params})
    assert response.status_code == 200
    assert errors(response)
    assert results(response) == []


def test_the_landing_page_has_no_message(db, anon_client):
    response = anon_client.get(URL)
    assert response.status_code == 200
    assert errors(response) == [] and summary(response) == ""


def test_pages_of_twenty_and_out_of_range_is_404(db, anon_client):
    for n in range(23):
        make_issue(title=f"第{n}号工作简讯", body="<p>劳模工匠进校园。</p>", year=2000 + n)
    first = anon_client.get(URL, {"q": "劳模工匠"})
    assert summary(first) == "找到23条结果。"
    assert len(results(first)) == 20
    assert "第22号工作简讯" in results(first)[0]  # newest first
    second = anon_client.get(URL, {"q": "劳模工匠", "page": 2})
    assert len(results(second)) == 3
    assert anon_client.get(URL, {"q": "劳模工匠", "page": 3}).status_code == 404
    assert anon_client.get(URL, {"q": "劳模工匠", "page": 0}).status_code == 404
    assert anon_client.get(URL, {"q": "劳模工匠", "page": "abc"}).status_code == 404
    assert anon_client.get(URL, {"q": "劳模工匠", "page": "9" * 30}).status_code == 404


def test_more_than_the_limit_shows_a_plus(db, anon_client, monkeypatch):
    from portal.search import engine

    monkeypatch.setattr(engine, "LIMIT", 2)
    for n in range(3):
        make_issue(title=f"简讯{n}", body="<p>劳模工匠。</p>")
    response = anon_client.get(URL, {"q": "劳模工匠"})
    assert summary(response).startswith("找到2+条结果")
    assert len(results(response)) == 2


def _queries(client, q):
    client.get(URL, {"q": q})  # the idle sign-out's once-a-minute session write lands here
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, {"q": q})
    assert response.status_code == 200
    return len(captured.captured_queries), len(results(response))


@pytest.mark.parametrize("persona", ["anon", "unit_a", "office"], indirect=True)
def test_a_results_page_takes_the_same_number_of_queries_for_few_and_many_hits(
    corpus, persona, unit_a
):
    for n in range(30):
        make_issue(title=f"简讯{n}", body="<p>劳模工匠进校园。</p>", year=2000 + n % 20)
    make_issue(title="少数", body="<p>稀有词汇甲乙。</p>")
    few, few_hits = _queries(persona, "稀有词汇")
    many, many_hits = _queries(persona, "劳模工匠")
    mixed, _ = _queries(persona, "王家全")  # issues and meetings
    assert (few_hits, many_hits) == (1, 20)
    assert few == many == mixed
    assert few <= 16  # PostgreSQL adds a savepoint and planner settings around two queries


@pytest.mark.parametrize("persona", ["unit_a", "office"], indirect=True)
def test_tasks_and_reports_on_a_page_cost_no_more_queries(corpus, persona, unit_a):
    """Their links (a unit's own assignment, the report's assignment) come in the page's query."""
    issues_only, _ = _queries(persona, "三突出三提升")
    page = persona.get(URL, {"q": "职工书屋"}).content.decode()
    assert "search-hit--task" in page and "search-hit--report" in page
    tasks_and_reports, hits = _queries(persona, "职工书屋")
    assert hits == 2 and tasks_and_reports == issues_only


def test_task_and_report_hits_link_to_where_each_reader_works_on_them(
    corpus, client_a, office_client
):
    task, report = corpus["task_a"], corpus["report_a"]
    own = f'href="/tasks/assignments/{report.assignment_id}/"'
    unit_page = client_a.get(URL, {"q": "职工书屋"}).content.decode()
    assert unit_page.count(own) == 2  # the unit's own assignment, for the task and the report
    office_page = office_client.get(URL, {"q": "职工书屋"}).content.decode()
    assert f'href="/tasks/plans/{task.plan_id}/"' in office_page  # the office: the plan
    assert office_page.count(own) == 1  # and the report's assignment


def test_every_page_has_a_search_box_in_the_header(db, anon_client):
    page = anon_client.get("/").content.decode()
    assert re.search(
        r'<form class="site-search" role="search" method="get" action="/search/">', page
    )


@pytest.mark.parametrize("persona", ["anon", "unit_a", "office"], indirect=True)
def test_the_page_statement_checks_the_visibility_of_the_kinds_on_the_page(corpus, persona):
    """With no filter, the hits' statement carries visible_where's parts of the kinds it
    shows only; a chosen filter keeps the search's whole condition (test_visibility.py
    holds what each persona finds on the pages)."""

    def page_statement(params):
        with CaptureQueriesContext(connection) as captured:
            response = persona.get(URL, params)
        assert response.status_code == 200
        statements = [q["sql"] for q in captured.captured_queries]
        (sql,) = [sql for sql in statements if "SELECT m.sort_key" in sql]  # views.PAGE_SQL
        return sql, results(response)

    sql, hits = page_statement({"q": "三突出三提升"})  # an issue only
    assert hits and "bulletins_issue" in sql and "bulletins_meeting" not in sql
    sql, hits = page_statement({"q": "王家全"})  # issues and meetings
    assert "bulletins_issue" in sql and "bulletins_meeting" in sql
    sql, _hits = page_statement({"q": "三突出三提升", "year": "2020"})
    assert "bulletins_meeting" in sql


def _series_select(html: str) -> str:
    return re.search(r'<select name="series".*?</select>', html, re.S).group(0)


@pytest.mark.parametrize("persona", ["anon", "unit_a", "office"], indirect=True)
def test_with_hits_and_no_filter_the_series_choices_come_in_the_hits_statement(
    corpus, persona, request
):
    """PostgreSQL reads the series select's choices inside the page's statement (views.
    _facet_columns): one statement fewer, the same select as when they are read alone
    (a page without hits, a FilterSet's own query)."""
    persona.get(URL, {"q": "三突出三提升"})  # the idle sign-out's session write lands here
    with CaptureQueriesContext(connection) as captured:
        response = persona.get(URL, {"q": "三突出三提升"})
    assert results(response)
    statements = [q["sql"] for q in captured.captured_queries]
    series = [sql for sql in statements if "bulletins_series" in sql]
    alone = persona.get(URL, {"q": "没有这样的词语组合"})  # no hits: read on their own
    assert not results(alone)
    filtered = persona.get(URL, {"q": "三突出三提升", "type": "issue"}).content.decode()
    select = _series_select(response.content.decode())
    assert select == _series_select(alone.content.decode()) == _series_select(filtered)
    assert "市工投集团产改工作动态" in select
    internal = request.node.callspec.params["persona"] != "anon"
    assert ("产改内部专刊" in select) == internal  # a series of internal issues only
    if connection.vendor == "postgresql":
        (sql,) = series
        assert "SELECT m.sort_key" in sql
    else:
        assert len(series) == 1 and "SELECT m.sort_key" not in series[0]
