"""Completeness and precision on a small corpus with the cases segmenters and trigrams miss."""

import pytest

from portal.search import engine
from portal.search.models import SearchDocument
from portal.search.text import fold, parse_query
from tests.factories import make_issue


def found(query_text, queryset=None):
    """Titles found by the engine (every document, no permission filter)."""
    queryset = queryset if queryset is not None else SearchDocument.objects.all()
    outcome = engine.find(queryset, parse_query(query_text))
    titles = dict(SearchDocument.objects.values_list("sort_key", "title"))
    return [titles[key] for key in outcome.keys]


def scanned(query_text):
    """Titles whose folded text contains every word: the plain substring scan."""
    words = parse_query(query_text).words
    return sorted(
        title
        for title, text in SearchDocument.objects.values_list("title", "content__text")
        if all(word in text for word in words)
    )


PUBLIC = "全市产业工人队伍建设改革试点工作部署推进会议主要精神"


@pytest.mark.parametrize(
    "query, expected",
    [
        # Crosses the jieba words 产业 / 工人.
        ("业工", [PUBLIC]),
        # Full-width digits in the text, half-width in the query, and the reverse.
        ("2020年6月1日召开", [PUBLIC]),
        ("２０２０年６月１日召开", [PUBLIC]),
        ("2020年6月1日", [PUBLIC, "产改联席会议", "产改办内部碰头会"]),
        # Two characters.
        ("劳模", [PUBLIC]),
        ("主持", [PUBLIC, "产改联席会议", "产改办内部碰头会"]),
        # Only in an attachment's file name.
        ("工作室名单", [PUBLIC]),
        ("xlsx", [PUBLIC]),
        # Latin and digits, case-insensitive, inside longer runs.
        ("gb/t", ["技能竞赛简讯"]),
        ("9704-2012", ["技能竞赛简讯"]),
        ("04-20", ["技能竞赛简讯"]),
        # A name and a slogan in quotes in the text.
        ("王家全", [PUBLIC, "产改联席会议", "产改办内部碰头会"]),
        ("三突出三提升", [PUBLIC]),
        # Agenda items of a meeting, reports and tasks.
        ("年度任务清单", ["产改联席会议"]),
        ("职工书屋", None),
        ("量子纠缠", []),
    ],
)
def test_every_document_containing_the_query_is_found(corpus, query, expected):
    titles = found(query)
    assert sorted(titles) == scanned(query)
    if expected is not None:
        assert sorted(titles) == sorted(expected)


def test_a_phrase_does_not_match_across_punctuation(corpus):
    # 技能竞赛简讯 has 工人，队伍: the words touch only across a comma.
    assert found("工人队伍") == [PUBLIC]
    # 工人，人队伍: the bigrams 工人 and 人队 sit side by side in the index, but
    # the text does not contain 工人队 there (only the other issue's title does).
    assert found("工人队") == [PUBLIC]
    assert found("工人,队伍") == ["技能竞赛简讯"]
    assert found("工人，队伍") == ["技能竞赛简讯"]


def test_several_words_must_all_occur(corpus):
    assert found("劳模 工匠") == [PUBLIC]
    assert found("劳模 金牌工人") == []
    assert sorted(found("工人 队伍")) == sorted([PUBLIC, "技能竞赛简讯"])


def test_newest_first_by_default(corpus):
    # 技能竞赛简讯 is dated 2021, the others 2020.
    assert found("工投")[0] == "技能竞赛简讯"


def test_relevance_puts_a_title_match_first(db):
    make_issue(title="工作简报", body="<p>" + "正文" * 50 + "工匠</p>", year=2021)
    make_issue(title="工匠精神进企业", body="<p>弘扬工匠精神。</p>", year=2019)
    outcome = engine.find(SearchDocument.objects.all(), parse_query("工匠"), order="relevance")
    titles = dict(SearchDocument.objects.values_list("sort_key", "title"))
    assert [titles[k] for k in outcome.keys] == ["工匠精神进企业", "工作简报"]
    newest = engine.find(SearchDocument.objects.all(), parse_query("工匠"))
    assert [titles[k] for k in newest.keys] == ["工作简报", "工匠精神进企业"]


def test_more_than_the_limit_is_capped_newest_first(db, monkeypatch):
    monkeypatch.setattr(engine, "LIMIT", 3)
    for year in range(2015, 2021):
        make_issue(title=f"{year}年工作", body="<p>产业工人</p>", year=year)
    outcome = engine.find(SearchDocument.objects.all(), parse_query("产业工人"))
    assert outcome.capped
    assert outcome.facets is None
    titles = dict(SearchDocument.objects.values_list("sort_key", "title"))
    assert [titles[k] for k in outcome.keys] == ["2020年工作", "2019年工作", "2018年工作"]


def test_the_stored_text_is_the_folded_body(corpus):
    for body, text in SearchDocument.objects.values_list("content__body", "content__text"):
        assert text == fold(body)
