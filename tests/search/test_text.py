"""The tokenizer, folding, query validation and highlighting (no database)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.search.text import (
    MAX_QUERY_LENGTH,
    Query,
    QueryError,
    fold,
    highlight,
    highlight_matches,
    parse_query,
    plain_text,
    snippet,
    snippet_matches,
    snippet_of,
    snippet_window,
    token_string,
    tokens,
    word_pattern,
)


def test_fold_normalises_width_and_case():
    assert fold("２０２０年ＧＢ／Ｔ Ａbc") == "2020年gb/t abc"
    assert fold("工人，队伍") == "工人,队伍"


@given(st.text())
def test_fold_keeps_length(text):
    # Snippets rely on offsets in the folded text being offsets in the display text.
    assert len(fold(text)) == len(text)


def test_plain_text_from_html_keeps_paragraphs_and_joins_stray_spaces():
    html = "<p>简 报</p><p>第一段&amp;<b>加粗</b></p><br>2020年 6月\u200b"
    assert plain_text(html) == "简报\n第一段&加粗\n2020年 6月"


def test_plain_text_leaves_a_lone_angle_bracket_alone():
    assert plain_text("增幅<5%，目标>3%") == "增幅<5%，目标>3%"


def test_fts5_token_text_keeps_runs_apart():
    # A token for the exact separator between runs: the phrase "工人 人队" cannot
    # span 工人，人队伍, and "工人,人队" can be searched as one exact phrase.
    assert token_string("工人,人队伍") == "工人 ¦2c 人队 队伍"
    assert token_string("工人 x,队伍a") == "工人 ¦20782c 队伍 伍a"


def test_tokens_are_bigrams_of_letter_digit_runs():
    assert tokens(fold("产业工人，Ab2")) == ["产业", "业工", "工人", "ab", "b2"]
    # A lone character between punctuation gives nothing: it cannot be queried.
    assert tokens("工，人") == []


def test_query_words_are_folded_and_anded():
    assert parse_query(" 工匠  ＧＢ/Ｔ 工匠 ").words == ("工匠", "gb/t")
    # A word inside another adds nothing.
    assert parse_query("工匠 工匠精神").words == ("工匠精神",)
    # Quotes only separate words.
    assert parse_query('“强富美高” "工匠"').words == ("强富美高", "工匠")


@pytest.mark.parametrize(
    "raw, code",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\x00", "empty"),
        ('""', "empty"),
        ("工", "too_short"),
        ("工匠 人", "too_short"),
        ("%", "no_terms"),
        ("_", "no_terms"),
        ("\\", "no_terms"),
        ("'", "empty"),
        ("%%__", "no_terms"),
        ("a.b", "no_terms"),
        ("x" * 10_000, "too_long"),
        ("工" * (MAX_QUERY_LENGTH + 1), "too_long"),
        (" ".join(f"词{i}" for i in range(9)), "too_many_words"),
    ],
)
def test_bad_queries_are_refused_with_a_code(raw, code):
    with pytest.raises(QueryError) as caught:
        parse_query(raw)
    assert caught.value.code == code
    assert str(caught.value.message)


@pytest.mark.parametrize("raw", ["工匠%", "50%_达标", "a\\b工人", "工\x00人", "O'Brien", "工人'"])
def test_odd_characters_inside_a_word_are_kept_for_the_substring_check(raw):
    query = parse_query(raw)
    assert query.words
    assert query.fts5_match()
    assert query.tsquery()


def test_fts5_and_tsquery_are_built_only_from_bigrams():
    query = parse_query("工人队伍 2020")
    assert query.fts5_match() == '"工人 人队 队伍" AND "20 02 20"'
    assert parse_query("多得、多劳").fts5_match() == '"多得 ¦e38081 多劳"'
    assert not Query.needs_confirmation("多得、多劳", phrases=True)
    assert Query.needs_confirmation("多得、", phrases=True)
    assert query.tsquery() == "'工人队伍' & '2020'"
    assert parse_query("产业工人队伍").tsquery() == "'产业工人' & '业工人队' & '工人队伍'"


def test_highlight_escapes_content_and_marks_matches():
    html = highlight("<script>工匠&amp;</script>", ["工匠", "amp"])
    assert html == "&lt;script&gt;<mark>工匠</mark>&amp;<mark>amp</mark>;&lt;/script&gt;"


def test_highlight_matches_folded_forms_but_shows_the_original():
    assert highlight("２０２０年", ["2020"]) == "<mark>２０２０</mark>年"


def test_snippet_is_a_window_around_the_first_match():
    body = "甲" * 200 + "工匠精神" + "乙" * 200
    html = snippet(body, fold(body), ["工匠"])
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>工匠</mark>精神" in html
    assert len(html) < 200


# Characters that fold to others (full width, upper case, a Kangxi radical, the Kelvin
# sign), that html.escape changes, a line break and one outside the BMP.
FOLDING = "工人匠⼯⼈㆟ＡａAaBｂ，,。 \n<>&\"'ampＫkK\u212a２０2İı𝄞"


@given(
    st.text(alphabet=FOLDING, max_size=40),
    st.lists(st.text(alphabet=FOLDING, min_size=1, max_size=3), min_size=1, max_size=3),
    st.data(),
)
def test_highlight_without_folding_is_highlight(display, words, data):
    """The results page's hits (views._hits) are matched by word_pattern on the display
    text; the marks and escaping are highlight's on the folded text, words a prefix of
    others included."""
    words = [fold(word) for word in words]
    start = data.draw(st.integers(0, len(display)))
    end = data.draw(st.integers(start, len(display)))
    expected = highlight(display, words, start=start, end=end)
    assert highlight_matches(display, word_pattern(words), start, end) == expected


@given(st.text(alphabet=FOLDING, max_size=300), st.sampled_from(["工人", "ab", "2,", "人，a", "k"]))
def test_a_snippet_without_folding_is_snippet_of(display, word):
    """As views._hits reads a snippet: the window's part reaching the word's length past it."""
    words = [word]
    folded = fold(display)
    first = folded.find(word)
    b, e = snippet_window(first)
    part = display[b : e + len(word)]
    expected = snippet_of(part, fold(part), words, b, len(display), first)
    assert snippet_matches(part, word_pattern(words), b, len(display), first) == expected
    assert expected == snippet(display, folded, words)


def test_a_character_folding_to_another_never_stands_for_itself():
    pattern = word_pattern(["a,"])
    assert highlight_matches("Ａ，x a, A，", pattern) == (
        "<mark>Ａ，</mark>x <mark>a,</mark> <mark>A，</mark>"
    )
    # Ａ folds to a: a word holding it (never a parsed one) matches nothing, as in highlight.
    assert highlight_matches("Ａａ", word_pattern(["Ａ"])) == highlight("Ａａ", ["Ａ"]) == "Ａａ"
    assert highlight_matches("２０２０", word_pattern(["2020"])) == "<mark>２０２０</mark>"
    assert word_pattern(["a,"]) is pattern  # kept per query


def test_time_windows_hold_every_moment_exactly_once():
    """PostgreSQL's newest-first windows partition all time (engine.time_windows)."""
    import random
    from datetime import UTC, datetime, timedelta

    from portal.search.engine import _windows_and_bounds, time_windows
    from portal.search.models import sort_key, time_lexemes

    def window_of(windows, lexemes):
        hits = [
            n
            for n, window in enumerate(windows)
            if any(
                lexeme.startswith(alt[1:-3]) if alt.endswith(":*") else f"'{lexeme}'" == alt
                for alt in window
                for lexeme in lexemes
            )
        ]
        assert len(hits) == 1, (lexemes, hits)
        return hits[0]

    rng = random.Random(7)
    for now in [datetime(2025, 1, 10, tzinfo=UTC), datetime(2026, 12, 31, 23, 59, tzinfo=UTC)]:
        windows = time_windows(now)
        moments = [
            now + timedelta(minutes=rng.randint(-60 * 24 * 365 * 70, 60 * 24 * 365 * 150))
            for _ in range(3000)
        ]
        moments += [datetime(1970, 1, 1, tzinfo=UTC), now, datetime(2229, 12, 31, tzinfo=UTC)]
        # The UNION ALL's windows, with their bounds.
        layouts = [
            (windows, tuple(bound for _w, bound in _windows_and_bounds(now.year, now.month))),
        ]
        for layout, bounds in layouts:
            placed = sorted(
                (
                    sort_key(1, 1, moment),
                    window_of(layout, time_lexemes(sort_key(1, 1, moment))),
                )
                for moment in moments
            )
            # Ascending keys (newest first) never go back to an earlier window.
            positions = [position for _, position in placed]
            assert positions == sorted(positions)
            # Each window's bound is at least every key in it and
            # below every key of the older windows.
            assert len(bounds) == len(layout)
            for key, position in placed:
                assert key <= bounds[position]
                assert all(key > bound for bound in bounds[:position])
            starts = [
                datetime(1970, 1, 1, tzinfo=UTC),
                datetime(now.year, now.month, 1, tzinfo=UTC),
            ]
            for start in starts:  # the first minute of a window's oldest month, and the one before
                key = sort_key(1, 1, start)
                position = window_of(layout, time_lexemes(key))
                assert key <= bounds[position]
                if start.year > 1970:
                    assert sort_key(15, 2**32 - 1, start - timedelta(minutes=1)) > bounds[position]
