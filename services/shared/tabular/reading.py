"""Reading an uploaded table against its expected columns, with an error for each header and cell at fault."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Literal

import msgspec

from services.shared.tabular.cells import FORMULA_START, BadCell, TableFileError, formula_like, shown
from services.shared.tabular.sources import table_rows
from services.shared.uscc import UsccError, validate_uscc

ColumnType = Literal["text", "integer", "boolean", "date", "choice", "uscc"]


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
# Control characters other than tab and line breaks (which a cell may hold after Alt+Enter).
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _problem(zh: str, en: str) -> str:
    return f"{zh} / {en}"


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


def read_table(filename: str, data: bytes, columns: Sequence[Column], *, max_rows: int | None = None) -> TableResult:
    """Parse a CSV or XLSX upload against `columns`, collecting every header and cell error.

    Raises `TableFileError` when the file cannot be read at all, or as soon as it holds more than
    `max_rows` data rows: reading stops there, so a huge file costs no more than the limit.
    """
    return _parse(table_rows(filename, data), columns, max_rows)


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
    if isinstance(value, BadCell):
        raise _CellError(value.zh, value.en)
    return _PARSERS[column.type](value, column, choices)


def _parse_choice(value: object, column: Column, choices: Mapping[str, str]) -> str:
    text = _parse_text(value)
    found = choices.get(_choice_key(text))
    if found is None:
        raise _CellError(
            f"“{shown(text)}”不是可选值，可选：{'、'.join(column.offered or column.choices)}",
            f"'{shown(text)}' is not one of: {', '.join(sorted(set(column.choices.values())))}",
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
            f"“{shown(_CONTROL.sub('�', text))}”含有控制字符 {code}，请删除后重新上传",
            f"'{shown(_CONTROL.sub('�', text))}' holds the control character {code}: remove it",
        )
    if len(text) > 1 and text[0] == "'" and (text[1] in FORMULA_START or formula_like(text[1:])):
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
        raise _CellError(f"“{shown(value)}”不是整数", f"'{shown(value)}' is not a whole number")
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
        f"“{shown(value)}”不是是/否值，请填写 是、否、true、false、1 或 0",
        f"'{shown(value)}' is not yes/no: use 是, 否, true, false, 1 or 0",
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
                raise _CellError(f"“{shown(value)}”不是有效日期", f"'{shown(value)}' is not a valid date") from None
    raise _CellError(
        f"“{shown(value)}”不是日期，请写作 2024-03-05、2024/3/5 或 2024年3月5日",
        f"'{shown(value)}' is not a date: write 2024-03-05, 2024/3/5 or 2024年3月5日",
    )


_PARSERS: Final[dict[ColumnType, Callable[[object, Column, Mapping[str, str]], object]]] = {
    "text": lambda value, _column, _choices: _parse_text(value),
    "integer": lambda value, column, _choices: _parse_integer(value, column),
    "boolean": lambda value, _column, _choices: _parse_boolean(value),
    "date": lambda value, _column, _choices: _parse_date(value),
    "choice": _parse_choice,
    "uscc": lambda value, _column, _choices: _parse_uscc(value),
}
