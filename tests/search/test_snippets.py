"""A hit's snippet is read from the part of its text the snippet can show (views._hits,
text.snippet_window), and is what ``text.snippet`` makes of the whole text: matches at
the start, in the middle, at the very end, only in the title, several words, a word
running past the window's end, characters outside the BMP and full-width forms."""

import random
import re

import pytest

from portal.search.models import SearchDocument
from portal.search.text import fold, parse_query, snippet, snippet_of, snippet_window
from tests.factories import make_issue

from .test_visibility import URL


def _whole(display, words):
    return snippet(display, fold(display), words)


@pytest.mark.parametrize("seed", range(40))
def test_a_window_of_the_text_gives_the_whole_texts_snippet(seed):
    rng = random.Random(seed)
    words = rng.choice([["工匠"], ["工匠", "精神"], ["ab"], ["工匠精神传承发扬"], ["甲乙", "乙丙"]])
    alphabet = "甲乙丙工匠精神ab，\U0001d11e２"
    display = "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 5, 40, 130, 400])))
    folded = fold(display)
    first = min((p for p in (folded.find(w) for w in words) if p != -1), default=-1)
    b, e = snippet_window(first)
    more = max(map(len, words)) - 1
    part = snippet_of(display[b:e], folded[b : e + more], words, b, len(display), first)
    assert part == _whole(display, words)


def _snippets(response) -> dict[str, str]:
    page = response.content.decode()
    return dict(
        re.findall(
            r'<h2 class="search-hit__title"><a [^>]+>(.*?)</a></h2>\n'
            r'  (?:<p class="search-hit__snippet">(.*?)</p>)?',
            page,
            re.S,
        )
    )


FILL = "甲" * 150


@pytest.mark.parametrize(
    "q",
    ["工匠", "工匠 精神", "精神 工匠", "ＡＢ", "工匠精神传承", "主标题", "𝄞工匠", "甲乙"],
)
def test_the_page_shows_each_texts_snippet(db, anon_client, q):
    bodies = {
        "开头": "<p>工匠精神在开头。</p>" + f"<p>{FILL}</p>",
        "中间": f"<p>{FILL}工匠精神传承在中间{FILL}</p>",
        "结尾": f"<p>{FILL}{FILL}最后是工匠</p>",
        "主标题": f"<p>{FILL}正文里没有。</p>",
        "全角": f"<p>{FILL[:40]}ＡＢ与ab，𝄞工匠精神{FILL}</p>",
        "很短": "<p>甲乙工匠</p>",
    }
    for title, body in bodies.items():
        make_issue(title=f"{title} 工匠 主标题 ab 甲乙", body=body)
    query = parse_query(q)
    expected = {}
    for title, body, text in SearchDocument.objects.values_list(
        "title", "content__body", "content__text"
    ):
        end = len(title) + 1
        expected[title] = str(snippet(body[end:], text[end:], query.words))
    shown = _snippets(anon_client.get(URL, {"q": q}))
    assert shown
    for marked_title, snip in shown.items():
        title = re.sub(r"</?mark>", "", marked_title)
        assert snip == expected[title], title
