"""The year's points table as .xlsx (Office Open XML, ECMA-376), text cells safe from
formula injection (``portal.xlsx.append_row``)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from portal.xlsx import XLSX_CONTENT_TYPE, append_row

from .models import Adoption

__all__ = ["XLSX_CONTENT_TYPE", "points_workbook"]


def points_workbook(rows: list[dict], *, year: int) -> bytes:
    """``selectors.year_table`` rows as one sheet: 单位, 报送, 本刊采用, 采用率, 市级, 省级,
    全国, 未完成月份, 积分. Returns the file's bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("%(year)s年信息报送积分") % {"year": year}
    L = Adoption.Level
    append_row(
        sheet,
        [
            _("单位"),
            _("报送篇数"),
            _("本刊采用"),
            _("采用率"),
            str(L.CITY.label),
            str(L.PROVINCE.label),
            str(L.NATIONAL.label),
            _("未完成月份"),
            _("积分"),
        ],
    )
    for row in rows:
        append_row(
            sheet,
            [
                row["unit"].name,
                row["sent"],
                row["adopted"],
                "" if row["rate"] is None else f"{row['rate']}%",
                row["upward"][L.CITY],
                row["upward"][L.PROVINCE],
                row["upward"][L.NATIONAL],
                "、".join(_("%(m)d月") % {"m": m} for m in row["missed_months"]),
                float(row["points"]),
            ],
        )
    sheet.column_dimensions["A"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
