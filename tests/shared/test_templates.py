"""Import templates: Chinese headers, drop-down lists, an example row that imports as offered, custom fields."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from typing import Any

import httpx
import openpyxl
import pytest

from services.activities.schemas import ACTIVITY_COLUMNS
from services.context import AppContext
from services.entities.schemas import ENTITY_COLUMNS
from services.shared.tabular.reading import Column
from services.streetreports.schemas import SURVEY_COLUMNS
from tests.conftest import Auth
from tests.streetdata_fixtures import StreetUser, count, create_street, import_file, new_uscc

COLUMNS = {"entities": ENTITY_COLUMNS, "activities": ACTIVITY_COLUMNS, "surveys": SURVEY_COLUMNS}
IMPORTS = {"entities": "entities/import", "activities": "activities/import", "surveys": "surveys/import"}


def headers_of(columns: tuple[Column, ...]) -> list[str]:
    return [f"*{c.label_zh}" if c.required else c.label_zh for c in columns]


async def download(
    client: httpx.AsyncClient, auth: Auth, name: str, tenant: str = "jinan", username: str | None = None
) -> httpx.Response:
    return await client.get(
        f"/api/tenants/{tenant}/templates/{name}", headers=await auth.headers(username or f"{tenant}-admin")
    )


def validations(sheet: Any) -> dict[str, str]:
    """Column letter → the validation's type and formula, for validations from row 2 down."""
    found = {}
    for validation in sheet.data_validations.dataValidation:
        ref = str(validation.sqref)
        assert ref.split(":", maxsplit=1)[0][1:] == "2", ref
        found[ref[0]] = f"{validation.type} {validation.formula1}"
    return found


@pytest.mark.parametrize("kind", ["entities", "activities", "surveys"])
async def test_the_xlsx_template_imports_its_example_as_it_is(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, kind: str
) -> None:
    response = await download(client, auth, f"{kind}.xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["导入数据", "填写说明"]
    sheet = workbook["导入数据"]
    columns = COLUMNS[kind]
    assert [cell.value for cell in sheet[1]] == headers_of(columns)
    example = [cell.value for cell in sheet[2]]
    assert any(value is not None for value in example)
    assert sheet.max_row == 2  # one example row
    # Every coded column offers its Chinese labels; yes/no columns 是/否; bounded numbers a range.
    expected = {}
    for index, column in enumerate(columns):
        letter = chr(ord("A") + index)
        if column.offered:
            expected[letter] = f'list "{",".join(column.offered)}"'
        elif column.type == "boolean":
            expected[letter] = 'list "是,否"'
        elif column.type == "integer":
            expected[letter] = f"whole {column.min}"
    assert validations(sheet) == expected
    assert expected  # each kind has at least one checked column

    street = await create_street(client, auth)
    imported = await import_file(client, auth, kind, street["id"], response.content, f"template.{kind}.xlsx")
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"imported": 1}
    queries = {
        "entities": "SELECT count(*) FROM entities WHERE street_id = :s",
        "activities": "SELECT count(*) FROM activities WHERE street_id = :s",
        "surveys": "SELECT count(*) FROM survey_responses WHERE street_id = :s",
    }
    assert await count(context, queries[kind], s=street["id"]) == 1


async def test_every_value_the_entities_template_offers_imports(auth: Auth, client: httpx.AsyncClient) -> None:
    response = await download(client, auth, "entities.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["导入数据"]
    sheet.delete_rows(2)
    keys = [column.key for column in ENTITY_COLUMNS]
    offered = {c.key: list(c.offered) for c in ENTITY_COLUMNS if c.offered} | {"operating": ["是", "否"]}
    rows = max(len(values) for values in offered.values())
    for number in range(rows):
        values: dict[str, Any] = {
            "name": f"下拉选项测试{number}",
            "uscc": new_uscc(),
            "employees": number,
            "foundedOn": dt.date(2023, 1, 1 + number),
        }
        values |= {key: options[number % len(options)] for key, options in offered.items()}
        sheet.append([values.get(key) for key in keys])
    filled = io.BytesIO()
    workbook.save(filled)
    street = await create_street(client, auth)
    imported = await import_file(client, auth, "entities", street["id"], filled.getvalue(), "filled.xlsx")
    assert imported.status_code == 201, imported.text
    entities = (
        await client.get(
            f"/api/tenants/jinan/streets/{street['id']}/entities", headers=await auth.headers("jinan-admin")
        )
    ).json()
    assert {e["class"] for e in entities} == {"startup", "growth", "brand"}
    assert {e["kind"] for e in entities} == {"enterprise", "individual", "cooperative", "other"}
    assert {e["founderGroup"] for e in entities} == {"graduate", "returnee", "veteran", "other"}
    assert {e["operating"] for e in entities} == {True, False}


@pytest.mark.parametrize("kind", ["entities", "activities", "surveys"])
async def test_the_csv_template_has_a_bom_headers_and_an_example_that_imports(
    auth: Auth, client: httpx.AsyncClient, kind: str
) -> None:
    # Qingdao: the entities example's USCC is registered in Jinan by the XLSX test.
    response = await download(client, auth, f"{kind}.csv", tenant="qingdao")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(codecs.BOM_UTF8)
    lines = response.content.decode("utf-8-sig").split("\r\n")
    assert lines[0].split(",") == headers_of(COLUMNS[kind])
    assert lines[1]
    assert lines[2:] == [""]
    street = await create_street(client, auth, tenant="qingdao")
    imported = await import_file(client, auth, kind, street["id"], response.content, f"{kind}.csv", tenant="qingdao")
    assert imported.status_code == 201, imported.text
    assert imported.json() == {"imported": 1}


async def test_the_instructions_list_the_columns_and_the_citys_custom_fields(
    auth: Auth, client: httpx.AsyncClient
) -> None:
    admin = await auth.headers("liaocheng-admin")
    field = {"key": "stalls", "labelZh": "夜市摊位数", "labelEn": "night-market stalls", "type": "integer"}
    created = await client.post("/api/tenants/liaocheng/fields", json=field, headers=admin)
    assert created.status_code in (201, 409), created.text  # 409: defined by the rules tests first

    def instructions(response: httpx.Response) -> list[list[Any]]:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content))["填写说明"]
        return [[cell for cell in row if cell is not None] for row in sheet.iter_rows(values_only=True)]

    rows = instructions(await download(client, auth, "entities.xlsx", tenant="liaocheng"))
    assert ["实体分类", "class", "否", "初创企业、成长型企业、品牌企业"] in rows
    assert ["从业人数", "employees", "否", "0–100000 的整数"] in rows
    assert ["夜市摊位数", "stalls", "整数", "整数"] in rows
    assert any("属于街区" in str(row) for row in rows)
    elsewhere = instructions(await download(client, auth, "entities.xlsx", tenant="qingdao"))
    assert not any("夜市摊位数" in str(row) for row in elsewhere)


@pytest.mark.parametrize("username", ["jinan-case", "jinan-viewer", "province"])
async def test_every_reader_of_the_city_may_download(auth: Auth, client: httpx.AsyncClient, username: str) -> None:
    assert (await download(client, auth, "activities.xlsx", username=username)).status_code == 200


async def test_an_operator_downloads_its_citys_template(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    own = await download(client, auth, "surveys.csv", username=jinan_operator.username)
    assert own.status_code == 200


async def test_another_tenant_and_unknown_templates_are_404(auth: Auth, client: httpx.AsyncClient) -> None:
    other = await download(client, auth, "entities.xlsx", tenant="jinan", username="qingdao-admin")
    assert other.status_code == 404
    for name in ["streets.xlsx", "entities.pdf", "entities", "surveys.xls"]:
        response = await download(client, auth, name)
        assert response.status_code == 404, name
        assert "没有导入模板" in response.json()["detail"]
        assert "entities.xlsx" in response.json()["detail"]
    assert (await client.get("/api/tenants/jinan/templates/entities.xlsx")).status_code == 401


async def test_openapi_documents_the_templates_and_each_imports_columns(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    template = paths["/api/tenants/{tenant}/templates/{filename}"]["get"]
    assert template["summary"].startswith("导入模板")
    assert {"200", "404"} <= set(template["responses"])
    base = "/api/tenants/{tenant}/streets/{street_id}/"
    for kind, columns in COLUMNS.items():
        operation = paths[base + IMPORTS[kind]]["post"]
        assert "未导入任何数据" in operation["responses"]["422"]["description"]
        description = operation["description"]
        chinese, english = description.split("\n\n")
        for column in columns:
            assert f"- {column.label_zh}（{column.key}）：{'必填' if column.required else '选填'}" in chinese
            assert f"- {column.key} ({column.label_zh}): " in english
    entities = paths[base + "entities/import"]["post"]["description"]
    assert "可选：初创企业、成长型企业、品牌企业" in entities


async def test_survey_import_refuses_bad_rows_and_other_tenants(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    content = f"答卷日期,满意度评分\r\n2024-05-01,5\r\n2024-05-02,6\r\n{future},4\r\n2024-05-03,\r\n".encode()
    response = await import_file(client, auth, "surveys", street["id"], content, "answers.csv")
    assert response.status_code == 422, response.text
    assert [(e["row"], e["column"]) for e in response.json()["errors"]] == [
        (3, "满意度评分"),
        (4, "答卷日期"),
        (5, "满意度评分"),
    ]
    assert await count(context, "SELECT count(*) FROM survey_responses WHERE street_id = :s", s=street["id"]) == 0
    good = "答卷日期,满意度评分\r\n2024-05-01,5\r\n2024/5/2,3\r\n".encode()
    other = await import_file(client, auth, "surveys", street["id"], good, "a.csv", "qingdao-admin")
    assert other.status_code == 404
    viewer = await import_file(client, auth, "surveys", street["id"], good, "a.csv", "jinan-viewer")
    assert viewer.status_code == 403
    assert (await import_file(client, auth, "surveys", street["id"], good, "a.csv")).json() == {"imported": 2}
    summary = (
        await client.get(
            f"/api/tenants/jinan/streets/{street['id']}/surveys", headers=await auth.headers("jinan-admin")
        )
    ).json()
    assert summary["byRating"] == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 1}
