"""Writing tables: CSV and XLSX exports that Excel in China opens, formula-like text kept as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final, Literal

import msgspec
import xlsxwriter

from services.shared.tabular.cells import formula_like

ColumnKind = Literal["text", "integer", "percent", "decimal"]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_missing(value: object) -> bool:
    # NaN and infinity are what a failed computation leaves behind: show nothing rather than "nan".
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, Decimal):
        return not value.is_finite()
    return value is None


def _plain(value: object) -> str:
    """A cell as text for CSV and for measuring column widths."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # Up to four decimals without float noise: 0.1 + 0.2 → 0.3, 2.0 → 2.
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _formatted(value: object, kind: ColumnKind) -> str:
    if kind in ("percent", "decimal") and _is_number(value):
        number = float(value)  # type: ignore[arg-type]  # _is_number checked it
        if math.isfinite(number):
            return f"{number:.1%}" if kind == "percent" else f"{number:.2f}"
    return _plain(value)


def write_csv(
    headers: Sequence[str], rows: Iterable[Sequence[object]], kinds: Sequence[ColumnKind] | None = None
) -> bytes:
    """CSV as UTF-8 with BOM and CRLF, which Excel opens with Chinese intact.

    `kinds` (one per column, optional) renders fractions as percentages (0.853 → 85.3%) and decimals with
    two places; otherwise floats get up to four decimals, booleans 是/否 and dates ISO 8601.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            text = _formatted(value, kinds[index]) if kinds else _plain(value)
            if isinstance(value, str) and formula_like(text):
                text = "'" + text
            cells.append(text)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


class SheetColumn(msgspec.Struct, frozen=True):
    """A column of an exported sheet: its (Chinese) header and how its numbers are shown."""

    header: str
    kind: ColumnKind = "text"


class Sheet(msgspec.Struct, frozen=True, kw_only=True):
    """One worksheet: `percent` cells hold fractions (0.853 shows as 85.3%)."""

    name: str
    columns: Sequence[SheetColumn]
    rows: Sequence[Sequence[object]]


_NUMBER_FORMATS: Final[dict[ColumnKind, str]] = {
    "integer": "#,##0",
    "percent": "0.0%",
    "decimal": "#,##0.00",
}
_MIN_WIDTH: Final = 8
_MAX_WIDTH: Final = 50
# Widths come from a sample: measuring every row of a large export costs time and changes little.
_WIDTH_SAMPLE: Final = 2000
_SHEET_NAME_FORBIDDEN: Final = re.compile(r"[\[\]:*?/\\]")


class _Formats(msgspec.Struct, frozen=True):
    title: Any
    header: Any
    numbers: dict[ColumnKind, Any]


def _display_width(text: str) -> int:
    # CJK characters take two columns in Excel's default fonts.
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _sheet_names(sheets: Sequence[Sheet]) -> list[str]:
    names: list[str] = []
    for number, sheet in enumerate(sheets, start=1):
        # Excel's limits: 31 characters, none of []:*?/\, unique regardless of case.
        base = _SHEET_NAME_FORBIDDEN.sub("_", sheet.name).strip("'")[:31] or f"Sheet{number}"
        name, copy = base, 1
        while name.casefold() in {n.casefold() for n in names}:
            copy += 1
            suffix = f" ({copy})"
            name = base[: 31 - len(suffix)] + suffix
        names.append(name)
    return names


def write_xlsx(title: str, sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx workbook: per sheet a merged title row, a bold header row frozen above the data,
    Excel number formats by column kind and column widths that fit Chinese text."""
    if not sheets:
        raise ValueError("write_xlsx needs at least one sheet")
    output = io.BytesIO()
    # constant_memory streams rows to a temporary file (in_memory would switch it off); strings are
    # written as strings so that user text such as "=1+1" or a URL never becomes a formula or a link.
    workbook = xlsxwriter.Workbook(
        output, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    workbook.set_properties({"title": title})
    formats = _Formats(
        title=workbook.add_format({"bold": True, "font_size": 14, "valign": "vcenter"}),
        header=workbook.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        ),
        numbers={kind: workbook.add_format({"num_format": code}) for kind, code in _NUMBER_FORMATS.items()},
    )
    try:
        for name, sheet in zip(_sheet_names(sheets), sheets, strict=True):
            _write_sheet(workbook.add_worksheet(name), title, sheet, formats)
    finally:
        workbook.close()  # also when a sheet is refused: closing removes the rows' temporary files
    return output.getvalue()


def _write_sheet(worksheet: Any, title: str, sheet: Sheet, formats: _Formats) -> None:
    width = len(sheet.columns)
    worksheet.set_row(0, 24)
    if width > 1:
        worksheet.merge_range(0, 0, 0, width - 1, title, formats.title)
    else:
        worksheet.write_string(0, 0, title, formats.title)
    widths = [_display_width(column.header) for column in sheet.columns]
    for index, column in enumerate(sheet.columns):
        worksheet.write_string(1, index, column.header, formats.header)
    for number, row in enumerate(sheet.rows):
        if len(row) != width:
            raise ValueError(f"sheet {sheet.name!r} row {number} has {len(row)} values for {width} columns")
        for index, (value, column) in enumerate(zip(row, sheet.columns, strict=True)):
            if _is_missing(value):
                continue
            if _is_number(value):
                number_format = formats.numbers.get(column.kind)
                worksheet.write_number(number + 2, index, float(value), number_format)  # type: ignore[arg-type]
            else:
                worksheet.write_string(number + 2, index, _plain(value))
            if number < _WIDTH_SAMPLE:
                widths[index] = max(widths[index], _display_width(_formatted(value, column.kind)))
    for index, measured in enumerate(widths):
        worksheet.set_column(index, index, min(max(measured + 2, _MIN_WIDTH), _MAX_WIDTH))
    worksheet.freeze_panes(2, 0)
    # Printed reports: landscape, one page wide, title and header repeated on every page.
    worksheet.set_landscape()
    worksheet.fit_to_pages(1, 0)
    worksheet.repeat_rows(0, 1)
