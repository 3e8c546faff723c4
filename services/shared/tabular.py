"""Tables in and out: CSV/XLSX import with per-cell errors; CSV and XLSX export that Excel in China opens."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any, Final, Literal

import msgspec
import xlsxwriter
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from services.shared.uscc import UsccError, validate_uscc

ColumnType = Literal["text", "integer", "boolean", "date", "choice", "uscc"]
ColumnKind = Literal["text", "integer", "percent", "decimal"]


class Column(msgspec.Struct, frozen=True, kw_only=True):
    """One expected column of an imported table.

    `choices` maps each accepted input (English value, Chinese label, …) to the canonical value;
    the canonical values are accepted as they are. Matching ignores case and surrounding spaces.
    `offered` is what an import template's drop-down list offers (the Chinese labels): each is accepted.
    """

    key: str
    label_zh: str
    type: ColumnType = "text"
    required: bool = False
    choices: dict[str, str] = {}
    offered: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None

    def __post_init__(self) -> None:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"column {self.key!r} is a choice without choices")
        accepted = {_choice_key(k) for k in (*self.choices, *self.choices.values())}
        if self.type == "choice" and any(_choice_key(value) not in accepted for value in self.offered):
            raise ValueError(f"column {self.key!r} offers a value it does not accept")


class RowError(msgspec.Struct, frozen=True):
    """A problem in a cell or header: `row` as the sheet numbers it (header = 1), `column` as written."""

    row: int
    column: str
    problem: str


class TableResult(msgspec.Struct):
    """Parsed rows (only those without errors) and every error found.

    `rows[i]` came from spreadsheet row `row_numbers[i]`, so later checks (duplicates, lookups) can
    report the row too. A row has a key for each column the file has; an empty cell is None.
    `headers` maps each recognised key to its header as written in the file.
    """

    rows: list[dict[str, Any]]
    errors: list[RowError]
    row_numbers: list[int]
    headers: dict[str, str]


class TableFileError(ValueError):
    """The file as a whole cannot be read (type, encoding, damage, no data); Chinese, then English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.message_zh = zh
        self.message_en = en


class _CellError(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")


# How far down a title row or notes may push the header row.
_HEADER_SEARCH_ROWS: Final = 10
_TRUE: Final = frozenset({"true", "yes", "y", "1", "是", "t"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "否", "f"})
_DATE: Final = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE: Final = re.compile(r"(\d{4})(\d{2})(\d{2})")
_INTEGER: Final = re.compile(r"[+-]?\d+(?:\.0*)?")
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
# An Excel serial below this (1950-01-01) in a date column is more likely a number typed by mistake.
_EXCEL_SERIAL_MIN: Final = 18264
_EXCEL_SERIAL_MAX: Final = 2958465
# Text that Excel would run as a formula (CSV/formula injection); the leading ' keeps it text.
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
# Control characters other than tab and line breaks (which a cell may hold after Alt+Enter).
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NUMBER_LIKE: Final = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)?%?")


def _formula_like(text: str) -> bool:
    """Whether a spreadsheet may run ``text`` as a formula: it starts with one of ``_FORMULA_START``, also after
    spaces and line breaks (Excel skips them), and is not a plain number such as -5."""
    stripped = text.lstrip(" \n\r\t\u3000")
    starts = text.startswith(_FORMULA_START) or stripped.startswith(_FORMULA_START)
    return starts and not _NUMBER_LIKE.fullmatch(stripped or text)


def _problem(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:29] + "…"


def _header_key(text: str) -> str:
    # "Founded On", "founded_on", "＊成立日期 " and "foundedOn" all name the same column.
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\s_\-*]", "", text).casefold()


def _choice_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


# ---------------------------------------------------------------------------------------------- reading


def read_table(filename: str, data: bytes, columns: Sequence[Column], *, max_rows: int | None = None) -> TableResult:
    """Parse a CSV or XLSX upload against `columns`, collecting every header and cell error.

    Raises `TableFileError` when the file cannot be read at all, or as soon as it holds more than
    `max_rows` data rows: reading stops there, so a huge file costs no more than the limit.
    """
    rows = _xlsx_rows(data) if _is_xlsx(filename, data) else _csv_rows(data)
    return _parse(rows, columns, max_rows)


def _is_xlsx(filename: str, data: bytes) -> bool:
    # The content decides where it can: uploads are often misnamed.
    suffix = filename.rsplit(".", 1)[-1].casefold() if "." in filename else ""
    if data.startswith(b"PK\x03\x04"):
        return True
    if data.startswith(b"\xd0\xcf\x11\xe0") or suffix == "xls":
        raise TableFileError(
            "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再上传",
            "old Excel .xls files are not supported: save as .xlsx or CSV (UTF-8) and upload again",
        )
    if suffix in {"csv", "txt"}:
        return False
    raise TableFileError(
        f"不支持的文件类型“{_shown(filename)}”，请上传 .xlsx 或 .csv 文件",
        f"unsupported file type '{_shown(filename)}': upload an .xlsx or .csv file",
    )


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


class _BadCell:
    """A cell that holds no readable value (a formula without a computed result, an error such as
    #DIV/0!): it becomes an error of its row, where an empty cell would silently read as nothing."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en

    def __str__(self) -> str:
        return f"{self.zh} / {self.en}"


_UNCOMPUTED_FORMULA: Final = _BadCell(
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


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
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
            shown = _shown(cell["value"])
            cell["value"] = _BadCell(
                f"该单元格是错误值 {shown}，请更正公式或填写数值", f"the cell holds the error value {shown}"
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


def _csv_rows(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
    text = _decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Excel's "Unicode text" export is tab-separated and European settings use ';'.
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    except csv.Error as error:
        raise TableFileError(f"CSV 文件格式有误：{error}", f"the CSV file is malformed: {error}") from error


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)  # Excel's "Unicode text"
    else:
        # GB18030 is what Excel on a Chinese Windows writes for "CSV (逗号分隔)".
        data = data.removeprefix(codecs.BOM_UTF8)
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFileError(
        "无法识别 CSV 文件的编码，请另存为“CSV UTF-8（逗号分隔）”后上传",
        "cannot tell the CSV file's text encoding: save it as 'CSV UTF-8' and upload again",
    )


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_Mapped = list[tuple[int, Column, str]]


def _too_many_rows(max_rows: int) -> TableFileError:
    """The refusal of a file with more than `max_rows` data rows."""
    return TableFileError(
        f"一次最多导入 {max_rows} 行，请拆分文件", f"at most {max_rows} rows per import: split the file"
    )


def _parse(
    source: Iterator[tuple[int, Sequence[object]]], columns: Sequence[Column], max_rows: int | None
) -> TableResult:
    by_name: dict[str, Column] = {}
    for column in columns:
        by_name[_header_key(column.key)] = column
        by_name[_header_key(column.label_zh)] = column
    header_number, header, data_rows = _find_header(source, by_name)
    errors: list[RowError] = []
    mapped, headers, unnamed = _map_header(header_number, header, columns, by_name, errors)
    choices = {
        c.key: {_choice_key(k): v for k, v in (c.choices | {v: v for v in c.choices.values()}).items()} for c in columns
    }
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    reported: set[int] = set()
    count = 0
    for number, values in data_rows:
        if all(_is_empty(value) for value in values):
            continue
        count += 1
        if max_rows is not None and count > max_rows:
            raise _too_many_rows(max_rows)
        row: dict[str, Any] = {}
        errors_before = len(errors)
        for index, column, written in mapped:
            value = values[index] if index < len(values) else None
            try:
                row[column.key] = _parse_cell(value, column, choices[column.key])
            except _CellError as error:
                errors.append(RowError(number, written, str(error)))
        # Data under an empty header or beyond the last one would otherwise vanish unseen.
        for index in [*unnamed, *range(len(header), len(values))]:
            if index < len(values) and index not in reported and not _is_empty(values[index]):
                reported.add(index)
                letter = _column_name(index)
                errors.append(
                    RowError(
                        number,
                        letter,
                        _problem(
                            f"第 {letter} 列有数据但没有表头",
                            f"column {letter} has data but no header",
                        ),
                    )
                )
        if len(errors) == errors_before:
            rows.append(row)
            numbers.append(number)
    return TableResult(rows=rows, errors=errors, row_numbers=numbers, headers=headers)


def _find_header(
    source: Iterator[tuple[int, Sequence[object]]], by_name: Mapping[str, Column]
) -> tuple[int, Sequence[object], Iterable[tuple[int, Sequence[object]]]]:
    """The header is the first row naming a known column among the first few non-empty rows
    (a title row above it is common in government templates), else the first non-empty row."""
    seen: list[tuple[int, Sequence[object]]] = []
    for number, values in source:
        if all(_is_empty(value) for value in values):
            continue
        seen.append((number, values))
        if any(isinstance(v, str) and _header_key(v) in by_name for v in values):
            return number, values, source
        if len(seen) == _HEADER_SEARCH_ROWS:
            break
    if not seen:
        raise TableFileError("文件中没有数据", "the file has no data")
    number, values = seen[0]
    return number, values, [*seen[1:], *source]


def _map_header(
    number: int,
    header: Sequence[object],
    columns: Sequence[Column],
    by_name: Mapping[str, Column],
    errors: list[RowError],
) -> tuple[_Mapped, dict[str, str], list[int]]:
    """Match header cells to columns: (file index, column, header as written) for each match,
    key → header as written, and the indices of empty header cells; problems go to `errors`."""
    mapped: _Mapped = []
    headers: dict[str, str] = {}
    unnamed: list[int] = []
    for index, cell in enumerate(header):
        written = "" if cell is None else str(cell).strip()
        column = by_name.get(_header_key(written))
        if not written:
            unnamed.append(index)
        elif column is None:
            known = "、".join(f"{c.label_zh}（{c.key}）" for c in columns)
            errors.append(
                RowError(
                    number,
                    written,
                    _problem(
                        f"无法识别的列“{written}”，可用的列：{known}",
                        f"unknown column '{written}'; known columns: {', '.join(c.key for c in columns)}",
                    ),
                )
            )
        elif column.key in headers:
            errors.append(
                RowError(
                    number,
                    written,
                    _problem(
                        f"列“{written}”与“{headers[column.key]}”重复",
                        f"column '{written}' repeats '{headers[column.key]}'",
                    ),
                )
            )
        else:
            headers[column.key] = written
            mapped.append((index, column, written))
    errors.extend(
        RowError(
            number,
            column.label_zh,
            _problem(
                f"缺少必填列“{column.label_zh}”（{column.key}）",
                f"missing required column '{column.label_zh}' ({column.key})",
            ),
        )
        for column in columns
        if column.required and column.key not in headers
    )
    return mapped, headers, unnamed


def _parse_cell(value: object, column: Column, choices: Mapping[str, str]) -> object:
    if _is_empty(value):
        if column.required:
            raise _CellError(f"“{column.label_zh}”为必填项", f"'{column.key}' is required")
        return None
    if isinstance(value, _BadCell):
        raise _CellError(value.zh, value.en)
    return _PARSERS[column.type](value, column, choices)


def _parse_choice(value: object, column: Column, choices: Mapping[str, str]) -> str:
    text = _parse_text(value)
    found = choices.get(_choice_key(text))
    if found is None:
        raise _CellError(
            f"“{_shown(text)}”不是可选值，可选：{'、'.join(column.offered or column.choices)}",
            f"'{_shown(text)}' is not one of: {', '.join(sorted(set(column.choices.values())))}",
        )
    return found


def _parse_uscc(value: object) -> str:
    try:
        return validate_uscc(_parse_text(value))
    except UsccError as error:
        raise _CellError(error.message_zh, error.message_en) from error


def _parse_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        # Excel stores typed digits as numbers: 12345 must not come back as "12345.0".
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    text = str(value).strip()
    control = _CONTROL.search(text)
    if control:
        # NUL cannot be stored at all, and no name or title means to hold a control character.
        code = f"U+{ord(control.group()):04X}"
        raise _CellError(
            f"“{_shown(_CONTROL.sub('�', text))}”含有控制字符 {code}，请删除后重新上传",
            f"'{_shown(_CONTROL.sub('�', text))}' holds the control character {code}: remove it",
        )
    if len(text) > 1 and text[0] == "'" and (text[1] in _FORMULA_START or _formula_like(text[1:])):
        return text[1:]  # undo the guard write_csv puts in front of formula-like text
    return text


def _parse_integer(value: object, column: Column) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if _INTEGER.fullmatch(text):
            number = int(text.split(".")[0])
    if number is None:
        raise _CellError(f"“{_shown(value)}”不是整数", f"'{_shown(value)}' is not a whole number")
    if column.min is not None and number < column.min:
        raise _CellError(f"{number} 小于最小值 {column.min}", f"{number} is below the minimum {column.min}")
    if column.max is not None and number > column.max:
        raise _CellError(f"{number} 大于最大值 {column.max}", f"{number} is above the maximum {column.max}")
    return number


def _parse_boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _choice_key(_parse_text(value))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise _CellError(
        f"“{_shown(value)}”不是是/否值，请填写 是、否、true、false、1 或 0",
        f"'{_shown(value)}' is not yes/no: use 是, 否, true, false, 1 or 0",
    )


def _parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if _EXCEL_SERIAL_MIN <= value <= _EXCEL_SERIAL_MAX:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise _CellError(f"“{_shown(value)}”不是有效日期", f"'{_shown(value)}' is not a valid date") from None
    raise _CellError(
        f"“{_shown(value)}”不是日期，请写作 2024-03-05、2024/3/5 或 2024年3月5日",
        f"'{_shown(value)}' is not a date: write 2024-03-05, 2024/3/5 or 2024年3月5日",
    )


_PARSERS: Final[dict[ColumnType, Callable[[object, Column, Mapping[str, str]], object]]] = {
    "text": lambda value, _column, _choices: _parse_text(value),
    "integer": lambda value, column, _choices: _parse_integer(value, column),
    "boolean": lambda value, _column, _choices: _parse_boolean(value),
    "date": lambda value, _column, _choices: _parse_date(value),
    "choice": _parse_choice,
    "uscc": lambda value, _column, _choices: _parse_uscc(value),
}


# ---------------------------------------------------------------------------------------------- writing


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
            if isinstance(value, str) and _formula_like(text):
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
