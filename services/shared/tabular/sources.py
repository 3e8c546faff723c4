"""The rows of an uploaded table as the file holds them: XLSX streamed within size limits, CSV decoded."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence

from services.shared.tabular.cells import TableFileError, shown


def table_rows(filename: str, data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
    """Each row of the upload's first sheet (or of the CSV) that holds cells, with its row number."""
    return _xlsx_rows(data) if _is_xlsx(filename, data) else _csv_rows(data)


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
    # openpyxl takes a tenth of a second to import: loaded with the first .xlsx, not with every process.
    from services.shared.tabular.xlsx import xlsx_rows  # noqa: PLC0415

    return xlsx_rows(data)


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
        f"不支持的文件类型“{shown(filename)}”，请上传 .xlsx 或 .csv 文件",
        f"unsupported file type '{shown(filename)}': upload an .xlsx or .csv file",
    )


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
