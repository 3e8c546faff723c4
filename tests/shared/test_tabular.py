"""Table import (CSV/XLSX, headers in Chinese or English, every error with its row and column) and export."""

import datetime as dt
import io
from collections.abc import Sequence

import openpyxl
import pytest

from services.shared.tabular.cells import TableFileError
from services.shared.tabular.reading import Column, RowError, read_table
from services.shared.tabular.writing import Sheet, SheetColumn, write_csv, write_xlsx
from services.shared.uscc import make_uscc

COLUMNS = [
    Column(key="name", label_zh="名称", required=True),
    Column(key="uscc", label_zh="统一社会信用代码", type="uscc"),
    Column(
        key="class",
        label_zh="主体类别",
        type="choice",
        required=True,
        choices={
            "startup": "startup",
            "初创": "startup",
            "初创企业": "startup",
            "growth": "growth",
            "成长": "growth",
            "brand": "brand",
            "品牌": "brand",
        },
    ),
    Column(key="foundedOn", label_zh="成立日期", type="date"),
    Column(key="employees", label_zh="从业人数", type="integer", min=1, max=10_000),
    Column(key="operating", label_zh="是否正常经营", type="boolean"),
]
USCC_A = make_uscc("9", "1", "370102", 1)
USCC_B = make_uscc("9", "2", "370202", 2)


def csv_bytes(lines: Sequence[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def problems(errors: Sequence[RowError]) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in errors]


def test_chinese_headers() -> None:
    data = csv_bytes(
        [
            "名称,统一社会信用代码,主体类别,成立日期,从业人数,是否正常经营",
            f"泉心餐饮店,{USCC_A},初创,2024-03-05,3,是",
            f"拾光设计工作室,{USCC_B.lower()},品牌,2023/11/20,12,否",
        ]
    )
    result = read_table("主体.csv", data, COLUMNS)
    assert result.errors == []
    assert result.rows == [
        {
            "name": "泉心餐饮店",
            "uscc": USCC_A,
            "class": "startup",
            "foundedOn": dt.date(2024, 3, 5),
            "employees": 3,
            "operating": True,
        },
        {
            "name": "拾光设计工作室",
            "uscc": USCC_B,
            "class": "brand",
            "foundedOn": dt.date(2023, 11, 20),
            "employees": 12,
            "operating": False,
        },
    ]
    assert result.row_numbers == [2, 3]
    assert result.headers["foundedOn"] == "成立日期"


def test_english_headers_with_bom_in_any_case_and_spacing() -> None:
    data = b"\xef\xbb\xbf" + csv_bytes(
        [
            " Name ,USCC,CLASS,founded_on,Employees,operating",
            f"Spark Studio,{USCC_A},Growth,2024年3月5日,1,yes",
        ]
    )
    result = read_table("entities.CSV", data, COLUMNS)
    assert result.errors == []
    assert result.rows[0]["class"] == "growth"
    assert result.rows[0]["foundedOn"] == dt.date(2024, 3, 5)
    assert result.headers == {
        "name": "Name",
        "uscc": "USCC",
        "class": "CLASS",
        "foundedOn": "founded_on",
        "employees": "Employees",
        "operating": "operating",
    }


def test_gb18030_csv_as_excel_in_china_saves_it() -> None:
    data = csv_bytes(["名称,主体类别", "齐风烘焙坊,初创企业", "鲁韵小吃店,成长"], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = read_table("主体.csv", data, COLUMNS)
    assert result.errors == []
    assert [row["name"] for row in result.rows] == ["齐风烘焙坊", "鲁韵小吃店"]
    assert [row["class"] for row in result.rows] == ["startup", "growth"]


def test_xlsx_with_typed_cells_and_a_title_row_above_the_header() -> None:
    data = xlsx_bytes(
        [
            ["济南市芙蓉街青年创业街区经营主体名录"],
            ["名称", "统一社会信用代码", "主体类别", "成立日期", "从业人数", "是否正常经营"],
            ["星火科技有限公司", USCC_A, "初创", dt.datetime(2024, 3, 5), 8, True],
            [],
            ["百味小吃店", USCC_B, "startup", "2024.1.9", 2.0, 1],
            [None, None, None, None, None, None],
        ]
    )
    result = read_table("名录.xlsx", data, COLUMNS)
    assert result.errors == []
    assert result.row_numbers == [3, 5]
    assert result.rows[0]["foundedOn"] == dt.date(2024, 3, 5)
    assert result.rows[0]["operating"] is True
    assert result.rows[1] == {
        "name": "百味小吃店",
        "uscc": USCC_B,
        "class": "startup",
        "foundedOn": dt.date(2024, 1, 9),
        "employees": 2,
        "operating": True,
    }


def test_excel_serial_dates_and_digits_stored_as_numbers() -> None:
    data = xlsx_bytes([["名称", "主体类别", "成立日期"], [12345, "初创", 45356]])
    result = read_table("a.xlsx", data, COLUMNS)
    assert result.errors == []
    assert result.rows == [{"name": "12345", "class": "startup", "foundedOn": dt.date(2024, 3, 5)}]


@pytest.mark.parametrize(
    "written",
    [
        "2024-03-05",
        "2024/3/5",
        "2024.03.05",
        "2024年3月5日",
        "2024 年 3 月 5 日",
        "20240305",
        "2024-03-05 00:00:00",
        "２０２４－０３－０５",
    ],
)
def test_date_formats(written: str) -> None:
    result = read_table("a.csv", csv_bytes(["name,class,foundedOn", f"x,startup,{written}"]), COLUMNS)
    assert result.errors == []
    assert result.rows[0]["foundedOn"] == dt.date(2024, 3, 5)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("true", True),
        ("FALSE", False),
        ("是", True),
        ("否", False),
        ("1", True),
        ("0", False),
        ("Yes", True),
        ("no", False),
    ],
)
def test_booleans(written: str, expected: bool) -> None:
    result = read_table("a.csv", csv_bytes(["name,class,operating", f"x,startup,{written}"]), COLUMNS)
    assert result.rows[0]["operating"] is expected


def test_empty_optional_cells_are_none_and_missing_optional_columns_absent() -> None:
    data = csv_bytes(["名称,主体类别,从业人数", "x,初创,", " , , ", 'y,品牌," 1,200 "'])
    result = read_table("a.csv", data, COLUMNS)
    assert result.errors == []
    assert result.rows == [
        {"name": "x", "class": "startup", "employees": None},
        {"name": "y", "class": "brand", "employees": 1200},
    ]
    assert result.row_numbers == [2, 4]


def test_header_errors() -> None:
    data = csv_bytes(["名称,成立日期,备注,成立日期", "x,2024-01-01,,2024-01-02"])
    result = read_table("a.csv", data, COLUMNS)
    assert problems(result.errors) == [(1, "备注"), (1, "成立日期"), (1, "主体类别")]
    unknown, repeated, missing = (error.problem for error in result.errors)
    assert "无法识别的列“备注”" in unknown
    assert "unknown column '备注'" in unknown
    assert "重复" in repeated
    assert "repeats" in repeated
    assert "缺少必填列“主体类别”（class）" in missing
    assert "missing required column" in missing


def test_every_cell_error_with_its_row_and_column() -> None:
    data = csv_bytes(
        [
            "名称,统一社会信用代码,Class,成立日期,从业人数,是否正常经营",
            f",{USCC_A},初创,2024-03-05,3,是",  # 2: name required
            "b,91370102MA3C123450,初创,2024-03-05,3,是",  # 3: bad USCC check character
            f"c,{USCC_A},巨头,2024-03-05,3,是",  # 4: not a choice
            f"d,{USCC_A},初创,2024-02-30,3,是",  # 5: no such day
            f"e,{USCC_A},初创,三月五日,3,是",  # 6: not a date
            f"f,{USCC_A},初创,2024-03-05,三,是",  # 7: not an integer
            f"g,{USCC_A},初创,2024-03-05,0,是",  # 8: below min
            f"h,{USCC_A},初创,2024-03-05,10001,是",  # 9: above max
            f"i,{USCC_A},初创,2024-03-05,2.5,是",  # 10: not whole
            f"j,{USCC_A},初创,2024-03-05,3,也许",  # 11: not a boolean
            f"k,{USCC_A},初创,2024-03-05,3,是",  # 12: fine
        ]
    )
    result = read_table("a.csv", data, COLUMNS)
    expected = [  # (row, column, what its message says)
        (2, "名称", ["“名称”为必填项"]),
        (3, "统一社会信用代码", ["第 18 位校验码错误", "expected"]),
        (4, "Class", ["“巨头”不是可选值", "not one of: brand, growth, startup"]),
        (5, "成立日期", ["不是有效日期"]),
        (6, "成立日期", ["不是日期", "2024年3月5日"]),
        (7, "从业人数", ["“三”不是整数"]),
        (8, "从业人数", ["小于最小值 1"]),
        (9, "从业人数", ["大于最大值 10000"]),
        (10, "从业人数", ["not a whole number"]),
        (11, "是否正常经营", ["不是是/否值"]),
    ]
    assert problems(result.errors) == [(row, column) for row, column, _ in expected]
    texts = [error.problem for error in result.errors]
    for text, (row, _, words) in zip(texts, expected, strict=True):
        for word in words:
            assert word in text, (row, word)
    assert all(" / " in text for text in texts)  # Chinese, then English
    assert [row["name"] for row in result.rows] == ["k"]
    assert result.row_numbers == [12]


def test_several_errors_in_one_row_and_across_rows_are_all_collected() -> None:
    data = xlsx_bytes(
        [
            ["name", "class", "foundedOn", "employees"],
            ["a", "?", "soon", -1],
            ["b", "初创", "2024-01-01", 1],
            [None, "brand", "2024-13-01", "many"],
        ]
    )
    result = read_table("a.xlsx", data, COLUMNS)
    assert problems(result.errors) == [
        (2, "class"),
        (2, "foundedOn"),
        (2, "employees"),
        (4, "name"),
        (4, "foundedOn"),
        (4, "employees"),
    ]
    assert result.row_numbers == [3]


def test_data_without_a_header_is_reported_once_per_column() -> None:
    result = read_table("a.csv", csv_bytes(["name,class,", "a,初创,x", "b,初创,y,z", "c,初创,,"]), COLUMNS)
    assert problems(result.errors) == [(2, "C"), (3, "D")]
    assert "第 C 列有数据但没有表头" in result.errors[0].problem
    assert result.row_numbers == [4]


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("report.pdf", b"%PDF-1.7", "不支持的文件类型“report.pdf”"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "不支持旧版 Excel（.xls）"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "无法打开该 Excel 文件"),
        ("empty.csv", b"", "文件中没有数据"),
        ("blank.csv", b"\r\n , \r\n", "文件中没有数据"),
        ("binary.csv", b"name\r\n\xff\xfe\xff\x00", "无法识别 CSV 文件的编码"),
        ("bom.csv", b"\xef\xbb\xbfname\r\n\xff\xff", "无法识别 CSV 文件的编码"),
    ],
)
def test_unreadable_files(filename: str, data: bytes, message: str) -> None:
    with pytest.raises(TableFileError, match=message):
        read_table(filename, data, COLUMNS)


def test_utf16_tab_separated_text_as_excel_exports_it() -> None:
    data = "名称\t主体类别\r\n芙蓉小馆\t初创\r\n".encode("utf-16")
    assert read_table("a.txt", data, COLUMNS).rows == [{"name": "芙蓉小馆", "class": "startup"}]


def test_misnamed_xlsx_is_read_by_its_content() -> None:
    result = read_table("export.csv", xlsx_bytes([["name", "class"], ["a", "初创"]]), COLUMNS)
    assert result.rows == [{"name": "a", "class": "startup"}]


def test_write_csv_has_bom_crlf_and_formats_numbers() -> None:
    data = write_csv(
        ["城市", "街区数", "活动率", "满意度", "备注"],
        [
            ["济南", 12, 0.8534, 4.2, "=HYPERLINK(1)"],
            ["青岛", 9, 1.0, None, True],
            ["合计", 21, 0.1 + 0.2, 3.0, "-"],
        ],
        kinds=["text", "integer", "percent", "decimal", "text"],
    )
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\r\n") == [
        "城市,街区数,活动率,满意度,备注",
        "济南,12,85.3%,4.20,'=HYPERLINK(1)",
        "青岛,9,100.0%,,是",
        "合计,21,30.0%,3.00,-",
        "",
    ]
    plain = write_csv(["a", "b", "c"], [[0.1 + 0.2, 2.0, dt.date(2025, 1, 2)]]).decode("utf-8-sig")
    assert plain.splitlines()[1] == "0.3,2,2025-01-02"


def test_write_csv_round_trips_through_read_table() -> None:
    rows = [
        ["泉心餐饮店", USCC_A, "初创", dt.date(2024, 3, 5), 3, True],
        ["=1+1 工作室", USCC_B, "brand", dt.date(2023, 11, 20), 12, False],
    ]
    data = write_csv([column.label_zh for column in COLUMNS], rows)
    result = read_table("导出.csv", data, COLUMNS)
    assert result.errors == []
    assert [list(row.values()) for row in result.rows] == [
        ["泉心餐饮店", USCC_A, "startup", dt.date(2024, 3, 5), 3, True],
        ["=1+1 工作室", USCC_B, "brand", dt.date(2023, 11, 20), 12, False],
    ]


def test_write_xlsx_layout_and_number_formats() -> None:
    title = "山东省 2025 年创业街区报告 · 生成于 2025-12-01 08:00 (UTC+8)"
    columns = [
        SheetColumn("城市"),
        SheetColumn("经营主体数", "integer"),
        SheetColumn("活动率", "percent"),
        SheetColumn("平均满意度", "decimal"),
    ]
    rows = [["济南市", 12_345, 0.853, 4.256], ["青岛市", 987, 1.0, None], ["=SUM(A1)", 0, 0.0, 3.5]]
    detail = Sheet(name="明细/2025?", columns=[SheetColumn("街区")], rows=[["芙蓉街青年创业街区"]])
    data = write_xlsx(title, [Sheet(name="各市汇总", columns=columns, rows=rows), detail])
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["各市汇总", "明细_2025_"]
    sheet = workbook["各市汇总"]
    assert sheet["A1"].value == title
    assert "A1:D1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert [cell.value for cell in sheet[2]] == ["城市", "经营主体数", "活动率", "平均满意度"]
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet["B3"].value == 12_345
    assert sheet["B3"].number_format == "#,##0"
    assert sheet["C3"].value == pytest.approx(0.853)
    assert sheet["C3"].number_format == "0.0%"
    assert sheet["D3"].number_format == "#,##0.00"
    assert sheet["D4"].value is None
    assert sheet["A5"].value == "=SUM(A1)"
    assert sheet["A5"].data_type == "s"  # user text stays text, never a formula
    # CJK counts double: "芙蓉街青年创业街区" (9 characters) needs a column wider than 18.
    assert workbook["明细_2025_"].column_dimensions["A"].width >= 18
    assert workbook["明细_2025_"]["A1"].value == title


def test_write_xlsx_refuses_ragged_rows() -> None:
    with pytest.raises(ValueError, match="has 1 values for 2 columns"):
        write_xlsx("t", [Sheet(name="s", columns=[SheetColumn("a"), SheetColumn("b")], rows=[["x"]])])


def test_a_choice_column_needs_choices() -> None:
    with pytest.raises(ValueError, match="choice without choices"):
        Column(key="class", label_zh="主体类别", type="choice")
