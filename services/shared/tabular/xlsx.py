"""The rows of an uploaded .xlsx's first sheet, read by openpyxl's streaming parser within size limits."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any, Final

from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from services.shared.tabular.cells import BadCell, TableFileError, shown

# An .xlsx is a zip of XML parts that compresses a hundredfold or more: a small upload can unpack into
# gigabytes. The parts' sizes as the zip declares them are checked before anything is parsed (the zip
# reader stops at a part's declared size, so a part cannot exceed it). openpyxl reads the shared strings
# whole, so they get a cap of their own; the sheet is read as a stream and stops at the row limit.
MAX_XLSX_UNPACKED: Final = 64 * 1024 * 1024
MAX_SHARED_STRINGS: Final = 16 * 1024 * 1024
MAX_COLUMNS: Final = 1000
MAX_CELLS: Final = 1_000_000
"""Cells read from a sheet, blank ones included: a wide sheet is as costly to parse as a long one."""
_SHARED_STRINGS_PART: Final = re.compile(r"(?i)(?:^|/)sharedStrings\d*\.xml$")


_UNCOMPUTED_FORMULA: Final = BadCell(
    "该单元格是没有计算结果的公式，系统不读取公式：请在 Excel 中打开并保存文件，或将公式粘贴为数值",
    "the cell holds a formula without a computed value and formulas are not read: open and save the file "
    "in Excel, or paste the formulas as values",
)


def _check_parts(data: bytes) -> None:
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise TableFileError(
            "无法打开该 Excel 文件，文件可能已损坏，请重新保存后上传",
            f"cannot open this Excel file, it may be damaged ({type(error).__name__})",
        ) from error
    unpacked = sum(part.file_size for part in parts)
    if unpacked > MAX_XLSX_UNPACKED:
        raise TableFileError(
            f"Excel 文件解压后约 {unpacked // 2**20} MB，超过上限 {MAX_XLSX_UNPACKED // 2**20} MB："
            "请删除多余的行、列和工作表，或拆分文件后上传",
            f"the Excel file unpacks to about {unpacked // 2**20} MB, above the limit of "
            f"{MAX_XLSX_UNPACKED // 2**20} MB: remove unused rows, columns and sheets, or split the file",
        )
    strings = sum(part.file_size for part in parts if _SHARED_STRINGS_PART.search(part.filename))
    if strings > MAX_SHARED_STRINGS:
        raise TableFileError(
            f"Excel 文件中的文本（共享字符串）解压后约 {strings // 2**20} MB，超过上限 "
            f"{MAX_SHARED_STRINGS // 2**20} MB：请拆分文件后上传",
            f"the Excel file's text (shared strings) unpacks to about {strings // 2**20} MB, above the limit "
            f"of {MAX_SHARED_STRINGS // 2**20} MB: split the file",
        )


def xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
    _check_parts(data)
    try:
        # openpyxl's steps of `load_workbook(read_only=True)` but the last: that one opens every sheet and,
        # where a sheet lacks a <dimension>, parses all of it (into memory) to measure it.
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [
            rel.target
            for _, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    except Exception as error:  # openpyxl raises zip, XML and key errors alike on a damaged file
        raise TableFileError(
            "无法打开该 Excel 文件，文件可能已损坏，请重新保存后上传",
            f"cannot open this Excel file, it may be damaged ({type(error).__name__})",
        ) from error
    if not sheets:
        reader.archive.close()
        raise TableFileError("Excel 文件中没有工作表", "the Excel file has no worksheet")
    return _sheet_rows(reader, sheets[0])


class _SheetParser(WorkSheetParser):  # type: ignore[misc]  # openpyxl has no type information
    """openpyxl's streaming sheet parser, telling a formula without a cached value from an empty cell
    and an error value (#N/A) from text."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell: dict[str, Any] = super().parse_cell(element)
        # A formula that computed to "" is a string (t="str") with an empty <v>; one never computed has no
        # <v> or an empty one without that type (openpyxl writes <v/>).
        if cell["value"] is None and element.find(FORMULA_TAG) is not None and element.get("t") != "str":
            cell["value"] = _UNCOMPUTED_FORMULA
        elif cell["data_type"] == "e":
            error = shown(cell["value"])
            cell["value"] = BadCell(
                f"该单元格是错误值 {error}，请更正公式或填写数值", f"the cell holds the error value {error}"
            )
        return cell


def _sheet_rows(reader: Any, path: str) -> Iterator[tuple[int, Sequence[object]]]:
    """The rows of the sheet at `path` that hold cells, each with its row number as the sheet gives it.

    The parser streams the sheet and is used directly rather than through `iter_rows`, which fills every
    missing row up to the last one (a single cell in row 1,000,000,000 would cost a billion empty rows).
    """
    workbook = reader.wb
    try:
        with reader.archive.open(path) as source:
            parser = _SheetParser(
                source,
                reader.shared_strings,
                data_only=True,
                epoch=workbook.epoch,
                date_formats=workbook._date_formats,
                timedelta_formats=workbook._timedelta_formats,
            )
            read = 0
            for number, cells in parser.parse():
                read += len(cells)
                if read > MAX_CELLS:
                    raise TableFileError(
                        f"工作表的单元格超过 {MAX_CELLS} 个，请删除多余的行和列或拆分文件后上传",
                        f"the sheet has more than {MAX_CELLS} cells: remove unused rows and columns, or split it",
                    )
                yield number, _row_values(cells)
    except TableFileError:
        raise
    except Exception as error:  # a damaged sheet fails only while it is read
        raise TableFileError(
            "读取 Excel 工作表时出错，文件可能已损坏，请重新保存后上传",
            f"cannot read the first worksheet, the file may be damaged ({type(error).__name__})",
        ) from error
    finally:
        reader.archive.close()


def _row_values(cells: Sequence[dict[str, Any]]) -> list[object]:
    if not cells:
        return []
    width = max(cell["column"] for cell in cells)
    if width > MAX_COLUMNS:
        raise TableFileError(
            f"工作表第 {cells[0]['row']} 行超过 {MAX_COLUMNS} 列，请删除多余的列后上传",
            f"row {cells[0]['row']} of the sheet goes beyond {MAX_COLUMNS} columns: remove unused columns",
        )
    values: list[object] = [None] * width
    for cell in cells:
        values[cell["column"] - 1] = cell["value"]
    return values
