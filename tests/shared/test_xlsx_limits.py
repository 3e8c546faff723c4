"""Hostile and awkward workbooks: size caps checked before parsing, the row limit, formulas, NUL."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from services.schemas import BaseStruct
from services.shared import imports
from services.shared.imports import ImportRejectedError, parse_rows
from services.shared.tabular import reading, sources
from services.shared.tabular.cells import TableFileError
from services.shared.tabular.reading import Column, read_table

COLUMNS = [
    Column(key="name", label_zh="名称", required=True),
    Column(key="employees", label_zh="从业人数", type="integer"),
]
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        f'Type="{_OFFICE}/officeDocument"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        f'Type="{_OFFICE}/worksheet"/></Relationships>'
    ),
}
HEADER_ROW = '<row><c t="inlineStr"><is><t>名称</t></is></c></row>'
ONE_CELL_ROW = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'


def hand_made_xlsx(
    header: str, row: str, repeat: int, *, extra_parts: dict[str, str] | None = None, tail: str = ""
) -> bytes:
    """A minimal workbook written part by part: `header`, then `row` `repeat` times, then `tail`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in {**_PARTS, **(extra_parts or {})}.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{_MAIN}"><sheetData>{header}'.encode())
            chunk = (row * 10_000).encode()
            for _ in range(repeat // 10_000):
                sheet.write(chunk)
            sheet.write((row * (repeat % 10_000) + tail + "</sheetData></worksheet>").encode())
    return buffer.getvalue()


def counting_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the sheet rows the reader takes from the parser."""
    taken: list[int] = []
    original = sources._xlsx_rows

    def counted(data: bytes) -> Iterator[tuple[int, Sequence[object]]]:
        for item in original(data):
            taken.append(item[0])
            yield item

    monkeypatch.setattr(sources, "_xlsx_rows", counted)
    return taken


def test_three_million_one_cell_rows_are_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    data = hand_made_xlsx(HEADER_ROW, ONE_CELL_ROW, 3_000_000)
    assert len(data) < 1_000_000  # the compressed upload is small; unpacked it is ~150 MB
    taken = counting_rows(monkeypatch)
    with pytest.raises(TableFileError, match=r"Excel 文件解压后约 1[0-9]{2} MB，超过上限 64 MB") as raised:
        read_table("big.xlsx", data, COLUMNS, max_rows=20_000)
    assert "unpacks to about" in str(raised.value)
    assert taken == []


def counting_sheet_bytes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the bytes read from worksheet parts, by whatever reads them."""
    read = [0]
    original_open = zipfile.ZipFile.open

    def open_counted(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        handle = original_open(self, name, *args, **kwargs)
        if str(getattr(name, "filename", name)).startswith("xl/worksheets/"):
            original_read = handle.read

            def counted(size: int = -1) -> bytes:
                chunk: bytes = original_read(size)
                read[0] += len(chunk)
                return chunk

            handle.read = counted  # type: ignore[method-assign]
        return handle

    monkeypatch.setattr(zipfile.ZipFile, "open", open_counted)
    return read


def test_reading_stops_at_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 200,000 rows unpack to ~10 MB: under the size cap, so the row limit is what stops it.
    data = hand_made_xlsx(HEADER_ROW, ONE_CELL_ROW, 200_000)
    sheet_size = zipfile.ZipFile(io.BytesIO(data)).getinfo("xl/worksheets/sheet1.xml").file_size
    taken = counting_rows(monkeypatch)
    read = counting_sheet_bytes(monkeypatch)
    with pytest.raises(TableFileError, match="一次最多导入 20000 行，请拆分文件"):
        read_table("long.xlsx", data, COLUMNS, max_rows=20_000)
    assert len(taken) == 20_002  # the header, 20,000 rows and the one past the limit
    # Nothing (such as openpyxl measuring a sheet without <dimension>) read the rest of the sheet.
    assert 0 < read[0] < sheet_size / 5


def test_exactly_the_row_limit_is_read() -> None:
    data = hand_made_xlsx(HEADER_ROW, ONE_CELL_ROW, 50)
    assert len(read_table("ok.xlsx", data, COLUMNS, max_rows=50).rows) == 50
    with pytest.raises(TableFileError, match="at most 49 rows per import"):
        read_table("ok.xlsx", data, COLUMNS, max_rows=49)


def test_oversized_shared_strings_are_refused_before_parsing() -> None:
    strings = f'<sst xmlns="{_MAIN}"><si><t>{"字" * 6_000_000}</t></si></sst>'  # 18 MB of UTF-8
    data = hand_made_xlsx(
        HEADER_ROW, '<row><c t="s"><v>0</v></c></row>', 1, extra_parts={"xl/sharedStrings.xml": strings}
    )
    with pytest.raises(TableFileError, match=r"共享字符串.*超过上限 16 MB") as raised:
        read_table("text.xlsx", data, COLUMNS)
    assert "shared strings" in str(raised.value)


def test_a_far_away_row_costs_one_row_and_a_far_away_column_is_refused() -> None:
    far_row = '<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>远方</t></is></c></row>'
    result = read_table("far.xlsx", hand_made_xlsx(HEADER_ROW, "", 0, tail=far_row), COLUMNS)
    assert result.rows == [{"name": "远方"}]
    assert result.row_numbers == [999_999_999]
    far_column = '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(TableFileError, match="超过 1000 列"):
        read_table("wide.xlsx", hand_made_xlsx(HEADER_ROW, "", 0, tail=far_column), COLUMNS)


def test_a_wide_sheet_stops_at_the_cell_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # 200 blank cells a row: a few thousand rows under the row limit, a million cells of parsing.
    row = "<row>" + "<c/>" * 199 + '<c t="inlineStr"><is><t>x</t></is></c></row>'
    data = hand_made_xlsx(HEADER_ROW, row, 6_000)
    taken = counting_rows(monkeypatch)
    with pytest.raises(TableFileError, match="工作表的单元格超过 1000000 个") as raised:
        read_table("wide.xlsx", data, COLUMNS, max_rows=20_000)
    assert "more than 1000000 cells" in str(raised.value)
    assert len(taken) == 1_000_000 // 200


def test_formula_cells_give_their_cached_value_or_a_row_error() -> None:
    # xlsxwriter stores the value a formula computes to, as Excel, WPS and LibreOffice do on saving.
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["名称", "从业人数"])
    sheet.write_formula(1, 0, '="泉心"&"小馆"', None, "泉心小馆")
    sheet.write_formula(1, 1, "=2+3", None, 5)
    workbook.close()
    result = read_table("cached.xlsx", buffer.getvalue(), COLUMNS)
    assert result.errors == []
    assert result.rows == [{"name": "泉心小馆", "employees": 5}]

    # openpyxl stores formulas without computing them: such a cell must not read as empty.
    workbook2 = openpyxl.Workbook()
    sheet2 = workbook2.active
    assert sheet2 is not None
    sheet2.append(["名称", "从业人数"])
    sheet2.append(["拾光工作室", "=2+3"])
    sheet2.append(["=A2", 4])
    buffer = io.BytesIO()
    workbook2.save(buffer)
    result = read_table("uncached.xlsx", buffer.getvalue(), COLUMNS)
    assert [(e.row, e.column) for e in result.errors] == [(2, "从业人数"), (3, "名称")]
    assert all("系统不读取公式" in e.problem and "formulas are not read" in e.problem for e in result.errors)


def test_a_formula_that_computed_to_nothing_is_an_empty_cell() -> None:
    # =IF(B2="","",…) dragged down a sheet: Excel stores an empty string as the computed value.
    header = '<row><c t="inlineStr"><is><t>名称</t></is></c><c t="inlineStr"><is><t>从业人数</t></is></c></row>'
    filled = '<row><c t="inlineStr"><is><t>a</t></is></c><c><f>1+1</f><v>2</v></c></row>'
    blank = '<row><c t="str"><f>IF(B3="","",B3)</f><v></v></c><c t="str"><f>""</f><v></v></c></row>'
    result = read_table("blank.xlsx", hand_made_xlsx(header, filled + blank, 1), COLUMNS)
    assert result.errors == []
    assert result.rows == [{"name": "a", "employees": 2}]


def test_an_error_value_is_a_row_error() -> None:
    row = '<row><c t="inlineStr"><is><t>a</t></is></c><c t="e"><v>#DIV/0!</v></c></row>'
    header = '<row><c t="inlineStr"><is><t>名称</t></is></c><c t="inlineStr"><is><t>从业人数</t></is></c></row>'
    result = read_table("error.xlsx", hand_made_xlsx(header, row, 1), COLUMNS)
    assert len(result.errors) == 1
    assert "错误值 #DIV/0!" in result.errors[0].problem
    assert result.errors[0].row == 2


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_a_row_error(character: str) -> None:
    data = f"名称,从业人数\r\n泉心{character}小馆,3\r\n拾光,4\r\n".encode()
    result = read_table("nul.csv", data, COLUMNS)
    assert result.rows == [{"name": "拾光", "employees": 4}]
    assert [(e.row, e.column) for e in result.errors] == [(2, "名称")]
    assert f"控制字符 U+{ord(character):04X}" in result.errors[0].problem
    assert "\x00" not in result.errors[0].problem


def test_line_breaks_and_tabs_in_a_cell_are_kept() -> None:
    data = '名称\r\n"泉心\n小馆"\r\n'.encode()
    assert read_table("a.csv", data, COLUMNS).rows == [{"name": "泉心\n小馆"}]


class _Named(BaseStruct):
    name: str
    employees: int = 0


async def test_parsing_runs_off_the_event_loop_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    original = reading.read_table

    def recorded(*args: object, **kwargs: object) -> reading.TableResult:
        threads.append(threading.get_ident())
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "read_table", recorded)
    parsed = await parse_rows("a.csv", "名称\r\nx\r\n".encode(), COLUMNS, _Named, lambda _: [])
    assert [item for _, item in parsed.items] == [_Named(name="x")]
    assert threads
    assert threading.get_ident() not in threads


async def test_the_import_refuses_more_rows_than_its_limit() -> None:
    data = hand_made_xlsx(HEADER_ROW, ONE_CELL_ROW, imports.MAX_ROWS + 1)
    with pytest.raises(ImportRejectedError, match=f"一次最多导入 {imports.MAX_ROWS} 行"):
        await parse_rows("long.xlsx", data, COLUMNS, _Named, lambda _: [])
