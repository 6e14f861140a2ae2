"""The audit trail as .xlsx (Office Open XML, ECMA-376, written by openpyxl)."""

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from portal.text import normalize_text
from portal.xlsx import FORMULA_PREFIXES, XLSX_CONTENT_TYPE

__all__ = ["MAX_ROWS", "XLSX_CONTENT_TYPE", "build_workbook"]

MAX_ROWS = 100_000


def _cell(sheet, value):
    """Text a spreadsheet would run as a formula is kept as text (SECURITY.md)."""
    value = normalize_text(value) if isinstance(value, str) else value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    return value


def build_workbook(entries) -> bytes:
    """The rows of ``entries`` (an ``AuditEntry`` queryset, at most ``MAX_ROWS``) as .xlsx bytes.

    One sheet, one row per entry: local time, account, unit, source address,
    action (Chinese label and name), object type, id and label, result, reason,
    details. Text that starts like a formula stays text.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    sheet.append(
        [
            _("时间"),
            _("账号"),
            _("单位"),
            _("来源地址"),
            _("操作"),
            _("操作代码"),
            _("对象类型"),
            _("对象编号"),
            _("对象"),
            _("结果"),
            _("原因"),
            _("详情"),
        ]
    )
    for e in entries.iterator(chunk_size=2000):
        sheet.append(
            [
                _cell(sheet, timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
                _cell(sheet, e.actor_name),
                _cell(sheet, e.unit_name),
                e.address or "",
                _cell(sheet, e.action_label),
                e.action,
                e.object_type,
                _cell(sheet, e.object_id),
                _cell(sheet, e.object_label),
                _cell(sheet, e.get_result_display()),
                _cell(sheet, e.reason),
                _cell(sheet, e.detail),
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
