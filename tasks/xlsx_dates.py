"""Dates as Chinese Excel and WPS sheets hold them, for the task-list import.

A date cell is either a number (a serial day count, shown through a number
format) or text typed by hand. Excel's East-Asian built-in formats (ids 27–36
and 50–58: ``yyyy"年"m"月"d"日"``, ``m"月"d"日"``, ``[DBNum1]`` forms …) have no
``<numFmt>`` entry in styles.xml, so openpyxl does not know they are dates and
returns the bare serial (ECMA-376 Part 1, §18.8.30 lists ids 0–49 only; the
East-Asian ids are implementation-defined and written by Excel and WPS in
Chinese locales).
"""

import datetime
import re
import unicodedata

from openpyxl.utils.datetime import from_excel

# Built-in number format ids that Excel and WPS in East-Asian locales show as dates
# (or date-times): 27–36 and 50–58.
EAST_ASIAN_DATE_FORMATS = frozenset([*range(27, 37), *range(50, 59)])
# A serial under a general format (a date pasted as value) is taken for a date when
# it falls in these years; anything else is more likely a number typed by mistake.
PLAUSIBLE_YEARS = (1990, 2100)

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_CN_DIGITS |= {"八": 8, "九": 9, "两": 2}
_CN_NUMBER = re.compile("[〇零一二两三四五六七八九十]+")

_SEP = r"\s*[-/.年]\s*"
_FULL = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[-/.月]\s*(\d{{1,2}})\s*[日号]?(?:之?前)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WITH_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_MONTH = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*月?\s*(?:底|末)?(?:之?前)?$")
_YEAR_END = re.compile(r"^(\d{4})\s*年\s*(?:底|末)(?:之?前)?$")


def _cn_int(text: str) -> int:
    """一 → 1, 十二 → 12, 三十一 → 31, 二〇二六 → 2026 (digit by digit without 十)."""
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _month_end(year: int, month: int) -> datetime.date:
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - datetime.timedelta(days=1)


def text_date(text: str) -> datetime.date | None:
    """A date typed as text, or None.

    Reads ``2020-09-30``, ``2020/9/30``, ``2020.9.30``, ``2020年9月30日``,
    ``20200930``, ``2020-09-30 00:00:00``, the same in full-width digits or
    Chinese numerals (``二〇二〇年九月三十日``), and the month or year ends offices
    write as deadlines: ``2020年9月``, ``2020年9月底前`` (→ 2020-09-30),
    ``2020年底`` (→ 2020-12-31).
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    text = _CN_NUMBER.sub(lambda m: str(_cn_int(m.group())), text)
    try:
        for pattern in (_FULL, _COMPACT, _WITH_TIME):
            if match := pattern.match(text):
                return datetime.date(*map(int, match.groups()))
        if match := _MONTH.match(text):
            return _month_end(int(match.group(1)), int(match.group(2)))
        if match := _YEAR_END.match(text):
            return datetime.date(int(match.group(1)), 12, 31)
    except (ValueError, KeyError):  # 2020-13-45, 十十
        return None
    return None


def serial_date(
    value: float, *, format_id: int | None, is_date_format: bool, epoch: datetime.datetime
) -> datetime.date | None:
    """A serial day number as a date, or None when it should not be read as one.

    ``format_id``: the cell's built-in number format id (None for a custom format);
    ``is_date_format``: openpyxl recognised the format as a date; ``epoch``: the
    workbook's (1900 or 1904 date system).
    """
    if isinstance(value, bool) or value <= 0:
        return None
    try:
        day = from_excel(value, epoch=epoch)
    except (ValueError, OverflowError, TypeError):
        return None
    day = day.date() if isinstance(day, datetime.datetime) else day
    if not isinstance(day, datetime.date):  # a time of day alone
        return None
    if is_date_format or format_id in EAST_ASIAN_DATE_FORMATS:
        return day
    return day if PLAUSIBLE_YEARS[0] <= day.year <= PLAUSIBLE_YEARS[1] else None
