"""What every rendering of an issue prints alike: the masthead lines, 第N期, the 抄送 line, dates.

The issue page (``views``), the official PDF (``pdf``), the year ZIP (``archive``),
the home panel and the search index all print these from here, so the screen and
the paper cannot disagree. The format follows DESIGN.md, "The official format"
(GB/T 9704-2012 measures, 简报 conventions). Plain values in, strings out: no
model is imported, so the PDF's cached content and a template can both use it.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .numerals import chinese_number

# The words a series name may end in that print as the large second masthead line.
# Longest first: 市…工作简报 prints 工作简报 large, not 简报 (a name ending in
# 工作简报 also ends in 简报).
MASTHEAD_KINDS = tuple(sorted(("简报", "工作简报", "专报", "通讯"), key=len, reverse=True))

# Trailing punctuation dropped before the 抄送 line gets its one closing 。.
_CC_TRAILING = "。.，,、；; "


def masthead_lines(series_name: str) -> tuple[str, str]:
    """报头: the series name split into (organisation line, large kind line).

    "市工投集团产业工人队伍建设改革简报" → ("市工投集团产业工人队伍建设改革", "简报");
    "市工投集团产改工作简报" → ("市工投集团产改", "工作简报"). A name that does not end
    in one of ``MASTHEAD_KINDS``, or is nothing but the kind, prints on one line:
    ("", name).
    """
    kind = next((kind for kind in MASTHEAD_KINDS if series_name.endswith(kind)), "")
    if not kind or kind == series_name:
        return "", series_name
    return series_name[: -len(kind)], kind


def number_label(number: int | None) -> str:
    """第四期 (the number within the year, in Chinese numerals); "" without a number."""
    return _("第%(n)s期") % {"n": chinese_number(number)} if number else ""


def total_number_label(total_number: int | None) -> str:
    """总第35期 (the running number, in Arabic digits as printed); "" without one."""
    return _("总第%(n)s期") % {"n": total_number} if total_number else ""


def number_line(number: int | None, total_number: int | None) -> str:
    """The line under the masthead: 第四期（总第35期）, or 第四期, or "" without a number."""
    line = number_label(number)
    if line and total_number:
        line += _("（%(total)s）") % {"total": total_number_label(total_number)}
    return line


def distribution_text(line: str, unit_names: Iterable[str]) -> str:
    """The 抄送 units as printed in the 版记, without the 抄送： label.

    The free text ``line`` when given, else the unit names joined by 、; trailing
    punctuation is dropped and one 。 ends it. "" when there is neither.
    """
    text = (line or "").strip() or "、".join(unit_names)
    text = text.rstrip(_CC_TRAILING)
    return f"{text}。" if text else ""


def local_date(value: date | datetime | None) -> date | None:
    """The date of ``value`` in the site's time zone (a naive datetime as it is); None stays None."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


# The format of ``chinese_date`` (translated when used).
DATE = gettext_noop("%(y)s年%(m)s月%(d)s日")


def chinese_date(value: date | datetime | None) -> str:
    """2020年6月2日. A datetime prints its date in the site's time zone; None prints ""."""
    day = local_date(value)
    if not day:
        return ""
    return _(DATE) % {"y": day.year, "m": day.month, "d": day.day}


def chinese_datetime(value: datetime | None) -> str:
    """2020年6月2日 09:30 in the site's time zone; None prints ""."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{chinese_date(local)} {local:%H:%M}"


def printed_text(day: str) -> str:
    """The date half of the 印发 line from a ``chinese_date``: 2020年6月2日印发; "" stays ""."""
    return _("%(date)s印发") % {"date": day} if day else ""
