"""The report's XLSX and CSV exports: Chinese headers, title row, frozen header, formats, BOM."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import openpyxl
import pytest

from services.context import AppContext
from tests.conftest import Auth
from tests.province_report.crafted import YEAR


async def download(client: httpx.AsyncClient, auth: Auth, suffix: str) -> httpx.Response:
    response = await client.get(
        f"/api/province/shandong/reports/{YEAR}{suffix}", headers=await auth.headers("province")
    )
    assert response.status_code == 200, response.text
    return response


@pytest.fixture
async def workbook(crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth) -> Any:
    response = await download(report_client, report_auth, ".xlsx")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response.headers["content-disposition"]
    assert f"shandong-streets-{YEAR}.xlsx" in response.headers["content-disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def header(sheet: Any) -> list[str]:
    return [cell.value for cell in sheet[2]]


def row_of(sheet: Any, first: str) -> list[Any]:
    [row] = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3) if row[0].value == first]
    return row


def test_a_sheet_per_section(workbook: Any) -> None:
    assert workbook.sheetnames == ["总览", "实体分类", "月度带动就业", "帮扶成效"]


def test_title_row_names_province_year_and_time(workbook: Any) -> None:
    for sheet in workbook.worksheets:
        title = sheet["A1"].value
        assert title.startswith(f"山东省创业街区 {YEAR} 年度报表（生成于 ")
        assert "北京时间" in title
        assert "Shandong Province" in title
        assert sheet.freeze_panes == "A3"


def test_overview_figures_and_formats(workbook: Any) -> None:
    sheet = workbook["总览"]
    headers = header(sheet)
    assert headers[:2] == ["城市", "街区总数"]
    assert {"创业活跃度", "满意度", "评估通过率", "按时走访率", "带动就业人数"} <= set(headers)
    jinan = dict(zip(headers, row_of(sheet, "济南市"), strict=True))
    assert jinan["街区总数"] == 3
    assert jinan["带动就业人数"] == 14
    assert jinan["满意度"] == 0.5
    rate = headers.index("创业活跃度") + 1
    assert sheet.cell(row=3, column=rate).number_format == "0.0%"
    assert sheet.cell(row=3, column=headers.index("带动就业人数") + 1).number_format == "#,##0"
    # 16 cities, the totals and the target.
    assert [row[0].value for row in sheet.iter_rows(min_row=3)][-2:] == ["合计", "省定目标"]
    target = dict(zip(headers, row_of(sheet, "省定目标"), strict=True))
    assert target["试点街区"] == 20


def test_entities_and_monthly_sheets(workbook: Any) -> None:
    entities = workbook["实体分类"]
    jinan = dict(zip(header(entities), row_of(entities, "济南市"), strict=True))
    assert jinan["分类：初创"] == 1
    assert jinan["分类：未分类"] == 1
    assert jinan["创办人群：高校毕业生"] == 1
    monthly = workbook["月度带动就业"]
    months = [f"{m}月" for m in range(1, 13)]
    assert header(monthly)[1:] == [*months, "全年", *(f"{m}报送街区" for m in months)]
    jinan_months = dict(zip(header(monthly), row_of(monthly, "济南市"), strict=True))
    assert [jinan_months[m] for m in months[:3]] == [120, 50, 0]
    # Months of newly driven jobs add up; the streets that reported each month stand beside them.
    assert jinan_months["全年"] == 170
    assert (jinan_months["1月报送街区"], jinan_months["2月报送街区"], jinan_months["3月报送街区"]) == (2, 1, 0)


async def test_csv_has_bom_chinese_headers_and_percentages(
    crafted: AppContext, report_client: httpx.AsyncClient, report_auth: Auth
) -> None:
    response = await download(report_client, report_auth, ".csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["城市", "街区总数"]
    assert "1月" in rows[0]
    assert "分类：品牌" in rows[0]
    assert [row[0] for row in rows[1:]][-2:] == ["合计", "省定目标"]
    # The target row, as in the workbook's overview: under the pilots and designated columns, empty elsewhere.
    target = dict(zip(rows[0], rows[-1], strict=True))
    assert (target["试点街区"], target["省级街区（认定及整改中）"], target["街区总数"]) == ("20", "60", "")
    jinan = dict(zip(rows[0], next(row for row in rows if row[0] == "济南市"), strict=True))
    assert jinan["满意度"] == "50.0%"
    assert jinan["街区总数"] == "3"
    heze = dict(zip(rows[0], next(row for row in rows if row[0] == "菏泽市"), strict=True))
    assert heze["满意度"] == ""
