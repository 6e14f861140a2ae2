"""Spreadsheets the portal writes (.xlsx, openpyxl): rows that are safe to open.

Every export (tasks, 信息报送) writes its rows through ``append_row``.
"""

from portal.text import normalize_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these runs as a formula in Excel, WPS and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def append_row(sheet, values) -> None:
    """Append ``values`` as a row of ``sheet`` (an openpyxl worksheet).

    Text that a spreadsheet would run as a formula (starting with = + - @, tab or
    CR) stays text (OWASP "CSV injection"; SECURITY.md, "Content out"). Control
    characters are resolved first (openpyxl raises IllegalCharacterError on them,
    and one unit's pasted text must not break everyone's export).
    """
    sheet.append([normalize_text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
