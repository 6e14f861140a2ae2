"""portal/text.py: one normalisation for text pasted from Word and WPS, on every write path."""

import pytest
from django.db import connection

from bulletins.models import Issue
from portal.text import CleanFormField, normalize_text, one_line
from portal.units.models import Unit
from tests.factories import SeriesFactory, make_issue

# The characters the issue names: Word's soft return, NUL, US, DEL, NEL, LINE SEPARATOR.
CONTROLS = ["\x0b", "\x00", "\x1f", "\x7f", "\x85", "\u2028"]


def has_control(value: str) -> bool:
    """True when ``value`` holds a character XML 1.0, openpyxl or RFC 5545 would refuse."""
    return any(
        (ord(ch) < 0x20 and ch not in "\t\n") or 0x7F <= ord(ch) <= 0x9F or ch in "\u2028\u2029"
        for ch in value
    )


@pytest.mark.parametrize(
    ("raw", "multi", "single"),
    [
        ("第一行\x0b第二行", "第一行\n第二行", "第一行 第二行"),
        ("第一行\u2028第二行", "第一行\n第二行", "第一行 第二行"),
        ("第一行\u2029第二行", "第一行\n第二行", "第一行 第二行"),
        ("第一行\x85第二行", "第一行\n第二行", "第一行 第二行"),
        ("第一行\x0c第二行", "第一行\n第二行", "第一行 第二行"),
        ("Windows\r\n行尾\r旧Mac", "Windows\n行尾\n旧Mac", "Windows 行尾 旧Mac"),
        ("空\x00字\x01符\x1f删\x7f除\x9b", "空字符删除", "空字符删除"),
        ("保留\t制表符", "保留\t制表符", "保留 制表符"),
        ("全角\u3000空格和 emoji 👍", "全角\u3000空格和 emoji 👍", "全角\u3000空格和 emoji 👍"),
        ("", "", ""),
    ],
)
def test_normalize_text(raw, multi, single):
    assert normalize_text(raw) == multi
    assert one_line(raw) == single
    assert not has_control(normalize_text(raw))
    assert normalize_text(normalize_text(raw)) == normalize_text(raw)  # idempotent
    assert len(normalize_text(raw)) <= len(raw)  # a length limit checked after still holds


def test_normalize_text_leaves_other_values_alone():
    assert normalize_text(None) is None
    assert normalize_text(3) == 3


def test_form_field_normalises_before_its_checks():
    field = CleanFormField(max_length=5)
    assert field.clean("甲\x0b\x00乙") == "甲\n乙"  # NUL would be refused by Django's validator
    assert CleanFormField(multiline=False).clean("标题\x0b第二行") == "标题 第二行"


@pytest.mark.django_db
@pytest.mark.parametrize("ch", CONTROLS)
def test_every_write_path_stores_clean_text(ch):
    series = SeriesFactory()
    # save()
    issue = make_issue(title=f"标题{ch}其余", summary=f"摘要{ch}第二行")
    issue.refresh_from_db()
    assert not has_control(issue.title) and not has_control(issue.summary)
    assert issue.title.startswith("标题") and issue.summary.startswith("摘要")
    # QuerySet.update() skips save()
    Issue.objects.filter(pk=issue.pk).update(summary=f"更新{ch}之后")
    issue.refresh_from_db()
    assert not has_control(issue.summary)
    # bulk_create()
    Unit.objects.bulk_create([Unit(name=f"批量{ch}单位", kind=Unit.Kind.CITY)])
    assert not any(has_control(n) for n in Unit.objects.values_list("name", flat=True))
    # full_clean() (ModelForm, admin) leaves the normalised value on the instance
    unit = Unit(name=f"校验{ch}单位", kind=Unit.Kind.CITY)
    unit.full_clean()
    assert not has_control(unit.name)
    assert series.pk


@pytest.mark.django_db
def test_soft_return_becomes_a_line_break_in_text_and_a_space_in_titles():
    issue = make_issue(title="标题\x0b副题", summary="第一行\x0b第二行")
    issue.refresh_from_db()
    assert issue.title == "标题 副题"
    assert issue.summary == "第一行\n第二行"


def write_raw(table: str, column: str, pk: int, value: str) -> None:
    """Write around the models, as rows written before the fix (or by a script) are."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(table)} SET {connection.ops.quote_name(column)} = %s "
            f"WHERE id = %s",
            [value, pk],
        )
