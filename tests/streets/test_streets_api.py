"""Streets over HTTP: the API.md shape, one-unit creation, PATCH rules, roles and other tenants."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from services.context import AppContext
from tests.conftest import Auth
from tests.streetdata_fixtures import (
    READ_ONLY_USERS,
    StreetUser,
    audit_rows,
    bad_check_digit,
    count,
    create_street,
    new_uscc,
    statuses,
    street_body,
)

STREET_KEYS = {"id", "name", "district", "theme", "status", "operator", "center", "customFields", "replicablePractices"}


async def test_city_admin_creates_a_street_with_operator_centre_and_staff(
    auth: Auth, client: httpx.AsyncClient
) -> None:
    body = street_body()
    body["operator"]["uscc"] = body["operator"]["uscc"].lower()  # normalised on the way in
    response = await client.post("/api/tenants/jinan/streets", json=body, headers=await auth.headers("jinan-admin"))
    assert response.status_code == 201, response.text
    street = response.json()
    assert set(street) == STREET_KEYS
    assert street["status"] == "applied"
    assert street["district"] == "370102"
    assert street["operator"] == {**body["operator"], "uscc": body["operator"]["uscc"].upper()}
    assert set(street["operator"]) == {"name", "uscc", "legalPerson", "cleanRecord", "digitalPlatformUrl"}
    assert street["center"]["staffCount"] == 2
    assert street["center"]["staff"] == body["center"]["staff"]
    assert street["center"]["services"] == ["policy_consultation", "mentoring", "training"]
    assert street["replicablePractices"] == 1
    fetched = await client.get(f"/api/tenants/jinan/streets/{street['id']}", headers=await auth.headers("jinan-viewer"))
    assert fetched.json() == street
    [row] = await audit_rows(client, auth, "jinan", "street.create", street["id"])
    assert row["actor"] == "jinan-admin"
    assert row["after"]["operator"]["uscc"] == street["operator"]["uscc"]


async def test_list_filters_by_status_and_pages(auth: Auth, client: httpx.AsyncClient) -> None:
    made = [await create_street(client, auth, "weihai") for _ in range(3)]
    admin = await auth.headers("weihai-admin")
    withdrawn = await client.patch(
        f"/api/tenants/weihai/streets/{made[0]['id']}",
        json={"status": "withdrawn", "statusReason": "运营机构申请退出"},
        headers=admin,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    everything = (await client.get("/api/tenants/weihai/streets", headers=admin)).json()
    ids = [s["id"] for s in everything]
    assert {s["id"] for s in made} <= set(ids)
    assert ids == sorted(ids)
    page = (await client.get("/api/tenants/weihai/streets", params={"limit": 2, "offset": 1}, headers=admin)).json()
    assert [s["id"] for s in page] == ids[1:3]
    only = (await client.get("/api/tenants/weihai/streets", params={"status": "withdrawn"}, headers=admin)).json()
    assert made[0]["id"] in {s["id"] for s in only}
    assert all(s["status"] == "withdrawn" for s in only)
    applied = (await client.get("/api/tenants/weihai/streets", params={"status": "applied"}, headers=admin)).json()
    assert made[0]["id"] not in {s["id"] for s in applied}
    bad = await client.get("/api/tenants/weihai/streets", params={"status": "approved"}, headers=admin)
    assert bad.status_code == 400
    assert "status" in bad.text
    assert (await client.get("/api/tenants/weihai/streets", params={"limit": 0}, headers=admin)).status_code == 400


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"district": "370202"}, 422, "district"),  # Qingdao's code in Jinan
        ({"district": "370100"}, 422, "district"),  # the city itself, not a district
        ({"district": "3701"}, 422, "district"),
        ({"theme": "nightlife"}, 400, "theme"),
        ({"center": {"services": ["massage"]}}, 400, "services"),
        ({"replicablePractices": -1}, 400, "replicablePractices"),
        ({"colour": "red"}, 400, "colour"),
        ({"name": ""}, 400, "name"),
        ({"operator": {"name": "缺少代码的运营机构"}}, 400, "uscc"),
        ({"customFields": {"stalls": 20}}, 422, "stalls"),  # no such field defined in Jinan
    ],
)
async def test_bad_street_input_names_the_field_and_writes_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, change: dict[str, Any], status: int, field: str
) -> None:
    body = street_body(**change)
    response = await client.post("/api/tenants/jinan/streets", json=body, headers=await auth.headers("jinan-admin"))
    assert response.status_code == status, response.text
    assert field in response.text
    assert await count(context, "SELECT count(*) FROM streets WHERE name = :n", n=body["name"]) == 0
    assert await count(context, "SELECT count(*) FROM operators WHERE name = :n", n=body["operator"]["name"]) == 0


async def test_operator_uscc_valid_and_invalid(auth: Auth, client: httpx.AsyncClient, context: AppContext) -> None:
    headers = await auth.headers("jinan-admin")
    for bad, words in [
        (bad_check_digit(new_uscc()), "第 18 位校验码错误"),
        ("91370102MA3C", "18 位"),
        ("I1370102MA3CXXXX1X", "position 1"),
    ]:
        body = street_body()
        body["operator"]["uscc"] = bad
        response = await client.post("/api/tenants/jinan/streets", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert "operator.uscc" in response.json()["extra"]["field"]
        assert words in response.json()["detail"]
    # A full-width code typed by a Chinese input method is the same code.
    code = new_uscc()
    body = street_body()
    body["operator"]["uscc"] = code.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    response = await client.post("/api/tenants/jinan/streets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["operator"]["uscc"] == code
    assert await count(context, "SELECT count(*) FROM operators WHERE uscc = :u", u=code) == 1


async def test_duplicate_name_or_operator_uscc_is_409_and_leaves_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    first = await create_street(client, auth)
    headers = await auth.headers("jinan-admin")
    same_name = street_body(name=first["name"])
    response = await client.post("/api/tenants/jinan/streets", json=same_name, headers=headers)
    assert response.status_code == 409
    assert first["name"] in response.json()["detail"]
    assert await count(context, "SELECT count(*) FROM operators WHERE uscc = :u", u=same_name["operator"]["uscc"]) == 0
    same_operator = street_body()
    same_operator["operator"]["uscc"] = first["operator"]["uscc"]
    response = await client.post("/api/tenants/jinan/streets", json=same_operator, headers=headers)
    assert response.status_code == 409
    assert await count(context, "SELECT count(*) FROM streets WHERE name = :n", n=same_operator["name"]) == 0
    # Another city may register the same organisation as its operator.
    elsewhere = street_body("qingdao")
    elsewhere["operator"]["uscc"] = first["operator"]["uscc"]
    response = await client.post(
        "/api/tenants/qingdao/streets", json=elsewhere, headers=await auth.headers("qingdao-admin")
    )
    assert response.status_code == 201, response.text


async def test_a_failure_midway_rolls_back_operator_street_and_centre(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.streets import service  # noqa: PLC0415 - patched for this test only

    async def broken(*_: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_write_center", broken)
    body = street_body()
    response = await client.post("/api/tenants/jinan/streets", json=body, headers=await auth.headers("jinan-admin"))
    assert response.status_code == 500
    assert await count(context, "SELECT count(*) FROM operators WHERE uscc = :u", u=body["operator"]["uscc"]) == 0
    assert await count(context, "SELECT count(*) FROM streets WHERE name = :n", n=body["name"]) == 0
    monkeypatch.undo()
    again = await client.post("/api/tenants/jinan/streets", json=body, headers=await auth.headers("jinan-admin"))
    assert again.status_code == 201, again.text


@pytest.mark.parametrize("username", ["jinan-case", "jinan-viewer", "province", "province-viewer"])
async def test_only_the_city_admin_creates_streets(auth: Auth, client: httpx.AsyncClient, username: str) -> None:
    response = await client.post("/api/tenants/jinan/streets", json=street_body(), headers=await auth.headers(username))
    assert response.status_code == 403


async def test_operator_cannot_create_streets(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    response = await client.post(
        "/api/tenants/jinan/streets", json=street_body(), headers=await auth.headers(jinan_operator.username)
    )
    assert response.status_code == 403


async def test_another_city_gets_404_and_never_the_data(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    qingdao = await auth.headers("qingdao-admin")
    for path in [
        f"/api/tenants/jinan/streets/{street['id']}",
        "/api/tenants/jinan/streets",
        f"/api/tenants/qingdao/streets/{street['id']}",
    ]:
        response = await client.get(path, headers=qingdao)
        assert response.status_code == 404, path
        assert street["name"] not in response.text
    assert (await client.post("/api/tenants/jinan/streets", json=street_body(), headers=qingdao)).status_code == 404
    patch = await client.patch(f"/api/tenants/jinan/streets/{street['id']}", json={"theme": "other"}, headers=qingdao)
    assert patch.status_code == 404
    # The province reads its cities' streets; a viewer and a caseworker of the city read them too.
    for username in ["province", "province-viewer", "jinan-case", "jinan-viewer"]:
        response = await client.get(f"/api/tenants/jinan/streets/{street['id']}", headers=await auth.headers(username))
        assert response.status_code == 200, username


async def test_operator_sees_and_changes_only_its_own_street(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    other = await create_street(client, auth)
    headers = await auth.headers(jinan_operator.username)
    listed = (await client.get("/api/tenants/jinan/streets", headers=headers)).json()
    assert [s["id"] for s in listed] == [jinan_operator.street_id]
    assert (await client.get(f"/api/tenants/jinan/streets/{other['id']}", headers=headers)).status_code == 404
    own = f"/api/tenants/jinan/streets/{jinan_operator.street_id}"
    assert (await client.get(own, headers=headers)).status_code == 200
    change = {
        "operator": {"digitalPlatformUrl": "https://op.example.cn"},
        "center": {
            "fixedSite": True,
            "address": "济南市历下区泉城路1号",
            "staff": [{"name": "李娜", "role": "运营经理", "fullTime": True}],
        },
    }
    response = await client.patch(own, json=change, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["operator"]["digitalPlatformUrl"] == "https://op.example.cn"
    assert response.json()["center"]["staffCount"] == 1
    assert (
        await client.patch(f"/api/tenants/jinan/streets/{other['id']}", json={"customFields": {}}, headers=headers)
    ).status_code == 404
    # The replicable practices are counted from the typical cases the city accepted, never stated by the street.
    practices = await client.patch(own, json={"replicablePractices": 3}, headers=headers)
    assert practices.status_code == 403
    assert "replicablePractices" in practices.json()["detail"]
    assert (await client.get(own, headers=headers)).json()["replicablePractices"] == 1
    refused = await client.patch(own, json={"name": "改名街区", "theme": "other"}, headers=headers)
    assert refused.status_code == 403
    assert "name" in refused.json()["detail"]
    assert "theme" in refused.json()["detail"]
    withdraw = await client.patch(own, json={"status": "withdrawn", "statusReason": "x"}, headers=headers)
    assert withdraw.status_code == 403


async def test_city_admin_patches_fields_replaces_staff_and_audits(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    path = f"/api/tenants/jinan/streets/{street['id']}"
    headers = await auth.headers("jinan-admin")
    new_uscc_code = new_uscc()
    change = {
        "name": street["name"] + "（二期）",
        "district": "370112",
        "theme": "industry_chain",
        "operator": {"uscc": new_uscc_code, "cleanRecord": False},
        "center": {
            "fixedSite": False,
            "address": "",
            "staff": [
                {"name": "张伟", "role": "创业指导师", "fullTime": True},
                {"name": "刘洋", "role": "政策专员", "fullTime": True},
                {"name": "陈静", "role": "社保专员"},
            ],
            "services": ["training", "financing", "training"],
        },
        "replicablePractices": None,
    }
    response = await client.patch(path, json=change, headers=headers)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["name"].endswith("（二期）")
    assert after["district"] == "370112"
    assert after["theme"] == "industry_chain"
    assert after["operator"]["uscc"] == new_uscc_code
    assert after["operator"]["cleanRecord"] is False
    assert after["operator"]["legalPerson"] is True  # not given, unchanged
    assert after["center"]["staffCount"] == 3
    assert after["center"]["services"] == ["training", "financing"]
    assert after["replicablePractices"] is None
    assert after["status"] == "applied"
    assert (
        await count(
            context, "SELECT count(*) FROM center_staff WHERE tenant_id = 'jinan' AND street_id = :s", s=street["id"]
        )
        == 3
    )
    [row] = await audit_rows(client, auth, "jinan", "street.update", street["id"])
    assert row["before"]["district"] == "370102"
    assert row["after"]["district"] == "370112"
    assert row["before"]["center"]["staffCount"] == 2


async def test_bad_patch_changes_nothing(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    other = await create_street(client, auth)
    path = f"/api/tenants/jinan/streets/{street['id']}"
    headers = await auth.headers("jinan-admin")
    cases = [
        ({"theme": "other", "operator": {"uscc": bad_check_digit(new_uscc())}}, 422, "operator.uscc"),
        ({"theme": "other", "district": "370902"}, 422, "district"),
        ({"theme": "other", "name": other["name"]}, 409, other["name"]),
        ({"theme": "other", "operator": {"uscc": other["operator"]["uscc"]}}, 409, other["operator"]["uscc"]),
        ({"theme": "other", "center": {"staff": [{"name": ""}]}}, 400, "name"),
        ({"status": "designated", "statusReason": "直接认定"}, 422, "withdrawn"),
        ({"status": "withdrawn"}, 422, "statusReason"),
        ({"statusReason": "无状态"}, 422, "statusReason"),
    ]
    for change, status, words in cases:
        response = await client.patch(path, json=change, headers=headers)
        assert response.status_code == status, (change, response.text)
        assert words in response.text
    assert (await client.get(path, headers=headers)).json() == street
    assert await audit_rows(client, auth, "jinan", "street.update", street["id"]) == []


async def test_patch_roles(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    path = f"/api/tenants/jinan/streets/{street['id']}"
    assert await statuses(client, auth, READ_ONLY_USERS, "PATCH", path, {"theme": "other"}) == (
        dict.fromkeys(READ_ONLY_USERS, 403)
    )


async def test_city_admin_withdraws_a_street_with_a_reason(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    path = f"/api/tenants/jinan/streets/{street['id']}"
    headers = await auth.headers("jinan-admin")
    withdraw = {"status": "withdrawn", "statusReason": "运营机构申请退出"}
    response = await client.patch(path, json=withdraw, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "withdrawn"
    [row] = await audit_rows(client, auth, "jinan", "street.status", street["id"])
    assert row["before"] == {"status": "applied"}
    assert row["after"] == {"status": "withdrawn", "reason": "运营机构申请退出"}
    assert await audit_rows(client, auth, "jinan", "street.update", street["id"]) == []


async def test_every_route_is_in_the_openapi_document(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    for path, methods in {
        "/api/tenants/{tenant}/streets": {"get", "post"},
        "/api/tenants/{tenant}/streets/{street_id}": {"get", "patch"},
        "/api/tenants/{tenant}/fields": {"get", "post"},
        "/api/tenants/{tenant}/streets/{street_id}/entities": {"get", "post"},
        "/api/tenants/{tenant}/streets/{street_id}/entities/import": {"post"},
        "/api/tenants/{tenant}/streets/{street_id}/entities/{entity_id}": {"get", "patch"},
        "/api/tenants/{tenant}/streets/{street_id}/activities": {"get", "post"},
        "/api/tenants/{tenant}/streets/{street_id}/activities/import": {"post"},
        "/api/tenants/{tenant}/streets/{street_id}/reports": {"get", "post"},
        "/api/tenants/{tenant}/streets/{street_id}/reports/{month}": {"put"},
        "/api/tenants/{tenant}/streets/{street_id}/surveys": {"get", "post"},
        "/api/tenants/{tenant}/streets/{street_id}/internships": {"get", "post"},
        "/api/tenants/{tenant}/streets/{street_id}/internships/{internship_id}": {"patch"},
        "/api/tenants/{tenant}/ledger": {"get", "post"},
        "/api/tenants/{tenant}/ledger/{entry_id}": {"get", "patch"},
        "/api/tenants/{tenant}/ledger/{entry_id}/visits": {"get", "post"},
    }.items():
        assert methods <= set(paths[path]), path
