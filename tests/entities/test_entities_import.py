"""Importing entities from CSV and XLSX: Chinese headers, all rows or none, row-numbered errors, 5,000 rows."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import httpx
import pytest

from services.context import AppContext
from tests.conftest import Auth
from tests.shared.test_xlsx_limits import hand_made_xlsx
from tests.streetdata_fixtures import (
    ENTITY_FIELDS,
    ENTITY_HEADER_ZH,
    StreetUser,
    audit_rows,
    bad_check_digit,
    count,
    create_entity,
    create_street,
    csv_file,
    import_file,
    new_uscc,
    xlsx_file,
)


def row(name: str, uscc: str | None = None, **cells: Any) -> list[Any]:
    values = {
        "kind": "企业",
        "class": "初创",
        "group": "高校毕业生",
        "founded": "2023-03-01",
        "employees": 4,
        "operating": "是",
        "joined": "2023/4/1",
        "left": None,
        **cells,
    }
    return [
        name,
        uscc or new_uscc(),
        values["kind"],
        values["class"],
        values["group"],
        values["founded"],
        values["employees"],
        values["operating"],
        values["joined"],
        values["left"],
    ]


async def entities_of(client: httpx.AsyncClient, auth: Auth, street_id: int) -> list[dict[str, Any]]:
    response = await client.get(
        f"/api/tenants/jinan/streets/{street_id}/entities",
        params={"limit": 1000},
        headers=await auth.headers("jinan-admin"),
    )
    result: list[dict[str, Any]] = response.json()
    return result


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_import_with_chinese_headers_and_labels(auth: Auth, client: httpx.AsyncClient, kind: str) -> None:
    street = await create_street(client, auth)
    rows = [
        ["济南市历下区街区创业实体登记表"],  # a title row above the header, as government templates have
        ENTITY_HEADER_ZH,
        row("泉城青创科技有限公司"),
        row("老街烧饼店", kind="个体工商户", **{"class": "成长型"}, group="返乡创业人员", employees=2, operating="否"),
        row(
            "章丘大葱合作社",
            kind="农民专业合作社",
            **{"class": "品牌"},
            group="退役军人",
            founded="2019年5月6日",
            left="2024-06-30",
        ),
    ]
    content = csv_file(rows) if kind == "csv" else xlsx_file(rows)
    response = await import_file(client, auth, "entities", street["id"], content, f"实体.{kind}")
    assert response.status_code == 201, response.text
    assert response.json() == {"imported": 3}
    by_name = {e["name"]: e for e in await entities_of(client, auth, street["id"])}
    assert by_name["老街烧饼店"]["kind"] == "individual"
    assert by_name["老街烧饼店"]["class"] == "growth"
    assert by_name["老街烧饼店"]["founderGroup"] == "returnee"
    assert by_name["老街烧饼店"]["operating"] is False
    assert by_name["章丘大葱合作社"]["foundedOn"] == "2019-05-06"
    assert by_name["章丘大葱合作社"]["leftOn"] == "2024-06-30"
    assert by_name["泉城青创科技有限公司"]["joinedOn"] == "2023-04-01"
    [audit] = await audit_rows(client, auth, "jinan", "entity.import", street["id"])
    assert audit["after"]["count"] == 3
    # One row for the import, none per entity.
    imported_ids = {str(e["id"]) for e in by_name.values()}
    assert not [r for r in await audit_rows(client, auth, "jinan", "entity.create") if r["objectId"] in imported_ids]


async def test_english_headers_and_missing_optional_columns(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    content = csv_file([["name", "uscc", "kind"], ["Optional Columns Ltd", new_uscc(), "enterprise"]])
    response = await import_file(client, auth, "entities", street["id"], content, "entities.csv")
    assert response.status_code == 201, response.text
    [entity] = await entities_of(client, auth, street["id"])
    assert entity["employees"] == 0
    assert entity["operating"] is True
    assert entity["class"] is None


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
async def test_any_error_rejects_the_whole_file_with_a_row_report(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, kind: str
) -> None:
    street = await create_street(client, auth)
    registered = await create_entity(client, auth, street["id"])
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    repeated = new_uscc()
    rows = [
        ENTITY_HEADER_ZH,
        row("正常一行", repeated),  # 2: fine
        row("代码错误", bad_check_digit(new_uscc())),  # 3
        row("代码重复", repeated),  # 4
        row("已登记", registered["uscc"]),  # 5
        row("类型错误", kind="公司"),  # 6
        row("未来成立", founded=future),  # 7
        row("先退后进", joined="2024-05-01", left="2024-01-01"),  # 8
        row("人数为负", employees=-1),  # 9
        row("", None),  # 10: name missing
        row("正常二行"),  # 11: fine
    ]
    content = csv_file(rows) if kind == "csv" else xlsx_file(rows)
    response = await import_file(client, auth, "entities", street["id"], content, f"entities.{kind}")
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"status_code", "detail", "errors"}
    assert body["status_code"] == 422
    assert "未导入任何数据" in body["detail"]
    found = {(e["row"], e["column"]) for e in body["errors"]}
    assert found == {
        (3, "统一社会信用代码"),
        (4, "统一社会信用代码"),
        (5, "统一社会信用代码"),
        (6, "实体类型"),
        (7, "成立日期"),
        (8, "退出日期"),
        (9, "从业人数"),
        (10, "实体名称"),
    }
    assert [e["row"] for e in body["errors"]] == sorted(e["row"] for e in body["errors"])
    problems = {e["row"]: e["problem"] for e in body["errors"]}
    assert "第 2 行" in problems[4]
    assert "already registered" in problems[5]
    assert "校验码" in problems[3]
    assert await count(context, "SELECT count(*) FROM entities WHERE street_id = :s", s=street["id"]) == 1
    assert await audit_rows(client, auth, "jinan", "entity.import", street["id"]) == []


@pytest.mark.parametrize(
    ("filename", "content", "words"),
    [
        ("entities.xls", b"\xd0\xcf\x11\xe0old excel", ".xls"),
        ("entities.pdf", b"%PDF-1.4", "unsupported file type"),
        ("entities.xlsx", b"PK\x03\x04broken", "damaged"),
        ("entities.csv", b"", "no data"),
        ("entities.csv", "实体名称,统一社会信用代码,实体类型\r\n".encode(), "no data rows"),
        ("entities.csv", "名称,代码\r\n甲,乙\r\n".encode(), "unknown column"),
    ],
)
async def test_unreadable_files_are_422_with_a_reason(
    auth: Auth, client: httpx.AsyncClient, filename: str, content: bytes, words: str
) -> None:
    street = await create_street(client, auth)
    response = await import_file(client, auth, "entities", street["id"], content, filename)
    assert response.status_code == 422, response.text
    assert words in response.text
    assert "errors" in response.json()


async def test_the_form_needs_a_file_field(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    response = await client.post(
        f"/api/tenants/jinan/streets/{street['id']}/entities/import",
        files={"upload": ("a.csv", b"name\r\nx\r\n")},
        headers=await auth.headers("jinan-admin"),
    )
    assert response.status_code == 400
    assert "file" in response.text


async def test_a_failure_after_the_insert_rolls_the_import_back(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.shared import imports  # noqa: PLC0415 - patched for this test only

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(imports, "record", broken)
    street = await create_street(client, auth)
    response = await import_file(
        client, auth, "entities", street["id"], csv_file([ENTITY_HEADER_ZH, row("甲"), row("乙")]), "e.csv"
    )
    assert response.status_code == 500
    assert await count(context, "SELECT count(*) FROM entities WHERE street_id = :s", s=street["id"]) == 0


async def test_import_roles_and_other_tenants(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, jinan_operator: StreetUser
) -> None:
    street = await create_street(client, auth)
    content = csv_file([ENTITY_HEADER_ZH, row("角色测试")])

    async def status(username: str, tenant: str = "jinan") -> int:
        response = await import_file(client, auth, "entities", street["id"], content, "e.csv", username, tenant)
        return response.status_code

    for username in ["jinan-case", "jinan-viewer", "province"]:
        assert await status(username) == 403
    assert await status("qingdao-admin") == 404
    assert await status(jinan_operator.username) == 404
    assert await status("qingdao-admin", tenant="qingdao") == 404
    assert await count(context, "SELECT count(*) FROM entities WHERE street_id = :s", s=street["id"]) == 0
    own = await import_file(
        client,
        auth,
        "entities",
        jinan_operator.street_id,
        csv_file([ENTITY_HEADER_ZH, row("运营机构导入")]),
        "e.csv",
        jinan_operator.username,
    )
    assert own.status_code == 201, own.text


async def test_five_thousand_rows_in_one_import(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, capsys: pytest.CaptureFixture[str]
) -> None:
    street = await create_street(client, auth)
    classes = ["初创", "成长型", "品牌"]
    rows = [ENTITY_FIELDS] + [
        [
            f"规模测试实体{i:04d}",
            new_uscc(),
            "enterprise",
            classes[i % 3],
            "graduate",
            "2022-01-15",
            i % 20,
            "true",
            "2023-02-01",
            "",
        ]
        for i in range(5000)
    ]
    content = csv_file(rows)
    started = time.perf_counter()
    response = await import_file(client, auth, "entities", street["id"], content, "five-thousand.csv")
    elapsed = time.perf_counter() - started
    assert response.status_code == 201, response.text[:2000]
    assert response.json() == {"imported": 5000}
    assert await count(context, "SELECT count(*) FROM entities WHERE street_id = :s", s=street["id"]) == 5000
    assert (
        await count(
            context,
            "SELECT count(*) FROM audit_log WHERE action = 'entity.import' AND object_id = :s",
            s=str(street["id"]),
        )
        == 1
    )
    with capsys.disabled():
        print(f"\n5,000-row entity import ({len(content) / 1024:.0f} KiB CSV): {elapsed:.2f} s")


async def test_a_nul_in_a_cell_is_a_row_error_not_a_server_error(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    content = csv_file([ENTITY_HEADER_ZH, row("泉城\x00科技"), row("正常一行")])
    response = await import_file(client, auth, "entities", street["id"], content, "nul.csv")
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert (error["row"], error["column"]) == (2, "实体名称")
    assert "控制字符 U+0000" in error["problem"]
    assert "control character U+0000" in error["problem"]
    assert await count(context, "SELECT count(*) FROM entities WHERE street_id = :s", s=street["id"]) == 0


async def test_formula_cells_without_a_computed_value_are_refused(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    # openpyxl saves formulas without computing them, so the file holds no value for these cells.
    content = xlsx_file([ENTITY_HEADER_ZH, row("公式人数", employees="=2+3"), row('=CONCAT("公式","名称")')])
    response = await import_file(client, auth, "entities", street["id"], content, "formulas.xlsx")
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "从业人数"), (3, "实体名称")]
    assert all("系统不读取公式" in e["problem"] for e in errors)
    assert await entities_of(client, auth, street["id"]) == []


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("初创企业", "startup"),
        ("成长型企业", "growth"),
        ("品牌企业", "brand"),
        ("初创", "startup"),
        ("成长型", "growth"),
        ("品牌", "brand"),
        ("startup", "startup"),
        ("Growth", "growth"),
    ],
)
async def test_classes_in_the_policys_own_words(
    auth: Auth, client: httpx.AsyncClient, written: str, expected: str
) -> None:
    street = await create_street(client, auth)
    response = await import_file(
        client,
        auth,
        "entities",
        street["id"],
        csv_file([ENTITY_HEADER_ZH, row("分类测试", **{"class": written})]),
        "classes.csv",
    )
    assert response.status_code == 201, response.text
    [entity] = await entities_of(client, auth, street["id"])
    assert entity["class"] == expected


async def test_a_workbook_that_unpacks_to_gigabytes_answers_422(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    content = hand_made_xlsx(
        '<row><c t="inlineStr"><is><t>实体名称</t></is></c></row>',
        '<row><c t="inlineStr"><is><t>x</t></is></c></row>',
        3_000_000,
    )
    response = await import_file(client, auth, "entities", street["id"], content, "bomb.xlsx")
    assert response.status_code == 422, response.text
    assert "超过上限 64 MB" in response.json()["detail"]
    assert "unpacks to about" in response.json()["detail"]
    assert await count(context, "SELECT count(*) FROM entities WHERE street_id = :s", s=street["id"]) == 0
