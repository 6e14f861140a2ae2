"""Chinese numerals: printed on an issue (第四期) and typed back into a search box."""

import pytest

from bulletins.numerals import chinese_number, parse_number


@pytest.mark.parametrize(
    "n, printed",
    [(1, "一"), (4, "四"), (10, "十"), (12, "十二"), (20, "二十"), (105, "一百零五")],
)
def test_chinese_number(n, printed):
    assert chinese_number(n) == printed


@pytest.mark.parametrize(
    "typed, number",
    [
        pytest.param("4", 4, id="digits"),
        pytest.param("第4期", 4, id="digits with 第…期"),
        pytest.param("四", 4, id="one numeral"),
        pytest.param("第十二期", 12, id="ten and ones"),
        pytest.param("十", 10, id="ten alone"),
        pytest.param("二十", 20, id="tens without ones"),
        pytest.param("零", None, id="zero is no issue number"),
        pytest.param("一百", None, id="hundreds are not parsed"),
        pytest.param("推进会议", None, id="a title is not a number"),
        pytest.param("", None, id="empty"),
    ],
)
def test_parse_number(typed, number):
    assert parse_number(typed) == number
