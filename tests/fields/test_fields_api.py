"""Custom fields: definitions by the city admin, and street values checked against them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from infra.db import tenant_transaction
from rules.facts import CustomField as CustomFieldFact
from services.context import AppContext
from services.fields.service import load_custom_fields
from tenants.resolver import resolve
from tests.conftest import Auth
from tests.streetdata_fixtures import audit_rows, count, create_street, street_body

# Linyi's fields are defined once here; no other test module defines fields in Linyi.
FIELDS: list[dict[str, Any]] = [
    {"key": "stalls", "labelZh": "摊位数", "labelEn": "stalls", "type": "integer"},
    {"key": "rent_per_m2", "labelZh": "每平方米租金", "labelEn": "rent per m²", "type": "decimal"},
    {"key": "night_market", "labelZh": "夜市", "labelEn": "night market", "type": "boolean"},
    {"key": "slogan", "labelZh": "口号", "labelEn": "slogan", "type": "text"},
    {"key": "opened_on", "labelZh": "开街日期", "labelEn": "opening date", "type": "date"},
    {"key": "grade", "labelZh": "等级", "labelEn": "grade", "type": "choice", "choices": ["A", "B", "C"]},
]


@pytest.fixture(scope="module")
async def linyi_fields(app: Any, auth: Auth) -> list[dict[str, Any]]:
    from tests.conftest import api_client  # noqa: PLC0415 - a module fixture makes its own client

    async with api_client(app) as client:
        headers = await auth.headers("linyi-admin")
        existing = {f["key"] for f in (await client.get("/api/tenants/linyi/fields", headers=headers)).json()}
        for field in FIELDS:
            if field["key"] not in existing:
                response = await client.post("/api/tenants/linyi/fields", json=field, headers=headers)
                assert response.status_code == 201, response.text
    return FIELDS


async def test_city_admin_defines_fields_and_everyone_in_the_city_reads_them(
    auth: Auth, client: httpx.AsyncClient, linyi_fields: list[dict[str, Any]]
) -> None:
    for username in ["linyi-admin", "linyi-case", "province", "province-viewer"]:
        response = await client.get("/api/tenants/linyi/fields", headers=await auth.headers(username))
        assert response.status_code == 200
        listed = {f["key"]: f for f in response.json()}
        assert listed["grade"] == {**linyi_fields[-1]}
        assert listed["stalls"]["choices"] == []
    [row] = await audit_rows(client, auth, "linyi", "field.create", "stalls")
    assert row["after"]["labelZh"] == "摊位数"


@pytest.mark.parametrize(
    ("field", "status", "words"),
    [
        ({"key": "grade2", "labelZh": "等级", "labelEn": "grade", "type": "choice"}, 422, "choices"),
        ({"key": "n", "labelZh": "数", "labelEn": "n", "type": "integer", "choices": ["1"]}, 422, "choices"),
        ({"key": "g3", "labelZh": "等", "labelEn": "g", "type": "choice", "choices": ["A", "A"]}, 422, "repeat"),
        ({"key": "Stalls", "labelZh": "摊位", "labelEn": "stalls", "type": "integer"}, 400, "key"),
        ({"key": "1st", "labelZh": "摊位", "labelEn": "stalls", "type": "integer"}, 400, "key"),
        ({"key": "area", "labelZh": "面积", "labelEn": "area", "type": "float"}, 400, "type"),
        ({"key": "area", "labelZh": "", "labelEn": "area", "type": "decimal"}, 400, "labelZh"),
        ({"key": "area", "labelZh": "面积", "type": "decimal"}, 400, "labelEn"),
    ],
)
async def test_bad_definitions_name_the_field(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, field: dict[str, Any], status: int, words: str
) -> None:
    response = await client.post("/api/tenants/zibo/fields", json=field, headers=await auth.headers("zibo-admin"))
    assert response.status_code == status, response.text
    assert words in response.text
    assert await count(context, "SELECT count(*) FROM custom_fields WHERE key = :k", k=field["key"]) == 0


async def test_a_key_is_defined_once_per_city(auth: Auth, client: httpx.AsyncClient) -> None:
    field = {"key": "footfall", "labelZh": "日均客流", "labelEn": "daily footfall", "type": "integer"}
    headers = await auth.headers("zibo-admin")
    assert (await client.post("/api/tenants/zibo/fields", json=field, headers=headers)).status_code == 201
    again = await client.post("/api/tenants/zibo/fields", json=field, headers=headers)
    assert again.status_code == 409
    assert "footfall" in again.json()["detail"]
    # Another city has its own namespace.
    other = await client.post("/api/tenants/rizhao/fields", json=field, headers=await auth.headers("rizhao-admin"))
    assert other.status_code == 201


async def test_field_roles_and_other_tenants(auth: Auth, client: httpx.AsyncClient) -> None:
    field = {"key": "kiosks", "labelZh": "亭数", "labelEn": "kiosks", "type": "integer"}
    for username in ["zibo-case", "province", "province-viewer"]:
        response = await client.post("/api/tenants/zibo/fields", json=field, headers=await auth.headers(username))
        assert response.status_code == 403, username
    assert (
        await client.post("/api/tenants/zibo/fields", json=field, headers=await auth.headers("qingdao-admin"))
    ).status_code == 404
    other = await client.get("/api/tenants/zibo/fields", headers=await auth.headers("qingdao-admin"))
    assert other.status_code == 404


async def test_load_custom_fields_gives_the_rules_engine_its_type(
    context: AppContext, linyi_fields: list[dict[str, Any]]
) -> None:
    actor = context.directory.system_actor("linyi")
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        fields = await load_custom_fields(session, resolve(actor, "linyi"))
    by_key = {f.key: f for f in fields}
    assert by_key["grade"] == CustomFieldFact(
        key="grade", type="choice", label_zh="等级", label_en="grade", choices=("A", "B", "C")
    )
    assert by_key["stalls"].type == "integer"
    assert len(fields) == len(linyi_fields)


GOOD_VALUES = {
    "stalls": 24,
    "rent_per_m2": 35.5,
    "night_market": True,
    "slogan": "沂蒙好味道",
    "opened_on": "2024-05-01",
    "grade": "A",
}


async def test_street_values_of_every_type_are_accepted(
    auth: Auth, client: httpx.AsyncClient, linyi_fields: list[dict[str, Any]]
) -> None:
    street = await create_street(client, auth, "linyi", customFields=GOOD_VALUES)
    assert street["customFields"] == GOOD_VALUES
    decimal_as_integer = await create_street(client, auth, "linyi", customFields={"rent_per_m2": 40})
    assert decimal_as_integer["customFields"] == {"rent_per_m2": 40}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"stalls": "24"}, "stalls"),
        ({"stalls": 2.5}, "stalls"),
        ({"stalls": True}, "stalls"),
        ({"rent_per_m2": "35"}, "rent_per_m2"),
        ({"rent_per_m2": False}, "rent_per_m2"),
        ({"night_market": 1}, "night_market"),
        ({"slogan": 5}, "slogan"),
        ({"slogan": "长" * 2001}, "slogan"),
        ({"opened_on": "2024-13-01"}, "opened_on"),
        ({"opened_on": "2024/05/01"}, "opened_on"),
        ({"grade": "D"}, "grade"),
        ({"grade": ["A"]}, "grade"),
        ({"stall": 20}, "stall"),
    ],
)
async def test_wrong_values_are_422_naming_the_field(
    auth: Auth,
    client: httpx.AsyncClient,
    context: AppContext,
    linyi_fields: list[dict[str, Any]],
    values: dict[str, Any],
    field: str,
) -> None:
    body = street_body("linyi", customFields={**GOOD_VALUES, **values})
    response = await client.post("/api/tenants/linyi/streets", json=body, headers=await auth.headers("linyi-admin"))
    assert response.status_code == 422, response.text
    assert response.json()["extra"]["field"] == f"customFields.{field}"
    assert f"'{field}'" in response.json()["detail"]
    assert await count(context, "SELECT count(*) FROM streets WHERE name = :n", n=body["name"]) == 0


async def test_patch_merges_values_and_null_removes_one(
    auth: Auth, client: httpx.AsyncClient, linyi_fields: list[dict[str, Any]]
) -> None:
    street = await create_street(client, auth, "linyi", customFields={"stalls": 10, "grade": "B"})
    path = f"/api/tenants/linyi/streets/{street['id']}"
    headers = await auth.headers("linyi-admin")
    response = await client.patch(
        path, json={"customFields": {"stalls": 30, "grade": None, "night_market": False}}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["customFields"] == {"stalls": 30, "night_market": False}
    bad = await client.patch(path, json={"customFields": {"stalls": "many"}}, headers=headers)
    assert bad.status_code == 422
    assert (await client.get(path, headers=headers)).json()["customFields"] == {"stalls": 30, "night_market": False}
