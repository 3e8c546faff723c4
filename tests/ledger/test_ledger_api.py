"""The support ledger: entries and visits by caseworkers, filters, roles, other tenants, audit rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from litestar import Litestar

from services.context import AppContext
from tenants.calendar import today
from tests.conftest import Auth
from tests.conftest import body as body_of
from tests.streetdata_fixtures import (
    audit_rows,
    count,
    create_entity,
    create_street,
    operator_of,
    statuses,
)

FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()
ENTRY_KEYS = {
    "id",
    "entityId",
    "entityName",
    "streetId",
    "streetName",
    "need",
    "action",
    "status",
    "caseworker",
    "openedOn",
}


async def new_entity(client: httpx.AsyncClient, auth: Auth, tenant: str = "jinan") -> dict[str, Any]:
    street = await create_street(client, auth, tenant)
    return {**await create_entity(client, auth, street["id"], tenant), "streetId": street["id"]}


async def new_entry(client: httpx.AsyncClient, auth: Auth, entity: dict[str, Any], **body: Any) -> dict[str, Any]:
    response = await client.post(
        "/api/tenants/jinan/ledger",
        json={"entityId": entity["id"], "need": "talent", **body},
        headers=await auth.headers("jinan-case"),
    )
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry


async def test_caseworker_records_a_need_and_changes_it(auth: Auth, client: httpx.AsyncClient) -> None:
    entity = await new_entity(client, auth)
    entry = await new_entry(client, auth, entity, need="loans_financing", action="对接创业担保贷款")
    assert set(entry) == ENTRY_KEYS
    assert entry["streetId"] == entity["streetId"]
    assert entry["entityName"] == entity["name"]
    assert entry["caseworker"] == "jinan-case"
    assert entry["openedOn"] == today().isoformat()
    assert entry["status"] == "open"
    path = f"/api/tenants/jinan/ledger/{entry['id']}"
    changed = await client.patch(
        path, json={"status": "in_progress", "action": "已提交贷款申请"}, headers=await auth.headers("jinan-case")
    )
    assert changed.status_code == 200, changed.text
    assert changed.json() == {**entry, "status": "in_progress", "action": "已提交贷款申请"}
    assert (await client.get(path, headers=await auth.headers("jinan-viewer"))).json() == changed.json()
    assert len(await audit_rows(client, auth, "jinan", "ledger.create", entry["id"])) == 1
    [update] = await audit_rows(client, auth, "jinan", "ledger.update", entry["id"])
    assert (update["before"]["status"], update["after"]["status"]) == ("open", "in_progress")


async def test_city_admin_records_with_a_named_caseworker_and_date(auth: Auth, client: httpx.AsyncClient) -> None:
    entity = await new_entity(client, auth)
    response = await client.post(
        "/api/tenants/jinan/ledger",
        json={
            "entityId": entity["id"],
            "need": "premises",
            "status": "resolved",
            "openedOn": "2024-04-02",
            "caseworker": "jinan-case",
        },
        headers=await auth.headers("jinan-admin"),
    )
    assert response.status_code == 201, response.text
    assert (response.json()["caseworker"], response.json()["openedOn"]) == ("jinan-case", "2024-04-02")


async def test_list_filters_by_status_entity_and_street(auth: Auth, client: httpx.AsyncClient) -> None:
    first, second = await new_entity(client, auth), await new_entity(client, auth)
    a = await new_entry(client, auth, first, need="hr")
    b = await new_entry(client, auth, first, need="policy", status="resolved")
    c = await new_entry(client, auth, second, need="other")
    headers = await auth.headers("jinan-admin")

    async def ids(**params: Any) -> list[int]:
        response = await client.get("/api/tenants/jinan/ledger", params={"limit": 1000, **params}, headers=headers)
        assert response.status_code == 200, response.text
        return [e["id"] for e in response.json()]

    assert await ids(entityId=first["id"]) == [a["id"], b["id"]]
    assert await ids(streetId=second["streetId"]) == [c["id"]]
    assert await ids(entityId=first["id"], status="resolved") == [b["id"]]
    assert {a["id"], c["id"]} <= set(await ids(status="open"))
    assert b["id"] not in await ids(status="open")
    assert len(await ids(limit=1)) == 1
    assert (
        await client.get("/api/tenants/jinan/ledger", params={"status": "closed"}, headers=headers)
    ).status_code == 400


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"need": "money"}, 400, "need"),
        ({"status": "done"}, 400, "status"),
        ({"openedOn": FUTURE}, 422, "openedOn"),
        ({"entityId": 987654321}, 422, "entityId"),
        ({"priority": "high"}, 400, "priority"),
    ],
)
async def test_bad_entries_name_the_field_and_write_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, body: dict[str, Any], status: int, field: str
) -> None:
    entity = await new_entity(client, auth)
    response = await client.post(
        "/api/tenants/jinan/ledger",
        json={"entityId": entity["id"], "need": "hr", **body},
        headers=await auth.headers("jinan-case"),
    )
    assert response.status_code == status, response.text
    assert field in response.text
    assert await count(context, "SELECT count(*) FROM ledger_entries WHERE entity_id = :e", e=entity["id"]) == 0


async def test_bad_patch_changes_nothing(auth: Auth, client: httpx.AsyncClient) -> None:
    entry = await new_entry(client, auth, await new_entity(client, auth))
    path = f"/api/tenants/jinan/ledger/{entry['id']}"
    headers = await auth.headers("jinan-case")
    for body in ({"status": "done"}, {"need": "hr"}, {"entityId": 1}):
        response = await client.patch(path, json=body, headers=headers)
        assert response.status_code == 400
        assert next(iter(body)) in response.text
    assert (await client.get(path, headers=headers)).json() == entry


async def test_visits_are_recorded_and_listed(auth: Auth, client: httpx.AsyncClient, context: AppContext) -> None:
    entity = await new_entity(client, auth)
    entry = await new_entry(client, auth, entity)
    path = f"/api/tenants/jinan/ledger/{entry['id']}/visits"
    headers = await auth.headers("jinan-case")
    later = await client.post(path, json={"visitedOn": "2025-03-10", "notes": "复访：已招聘2人"}, headers=headers)
    first = await client.post(path, json={"visitedOn": "2025-02-01", "notes": "首次走访"}, headers=headers)
    assert later.status_code == first.status_code == 201, later.text
    visit = first.json()
    assert visit == {
        "id": visit["id"],
        "entryId": entry["id"],
        "entityId": entity["id"],
        "entityName": entity["name"],
        "streetId": entity["streetId"],
        "streetName": entry["streetName"],
        "visitedOn": "2025-02-01",
        "notes": "首次走访",
        "caseworker": "jinan-case",
    }
    listed = (await client.get(path, headers=await auth.headers("province"))).json()
    assert [v["visitedOn"] for v in listed] == ["2025-02-01", "2025-03-10"]
    [row] = await audit_rows(client, auth, "jinan", "ledger.visit", visit["id"])
    assert row["after"]["notes"] == "首次走访"
    for bad, status in [({"visitedOn": FUTURE}, 422), ({"visitedOn": "2025-02-30"}, 400), ({"notes": "缺日期"}, 400)]:
        response = await client.post(path, json=bad, headers=headers)
        assert response.status_code == status, bad
        assert "visitedOn" in response.text
    assert await count(context, "SELECT count(*) FROM ledger_visits WHERE entry_id = :e", e=entry["id"]) == 2
    assert (
        await client.post(
            "/api/tenants/jinan/ledger/987654321/visits", json={"visitedOn": "2025-02-01"}, headers=headers
        )
    ).status_code == 404


async def test_ledger_roles(auth: Auth, client: httpx.AsyncClient, app: Litestar, context: AppContext) -> None:
    entity = await new_entity(client, auth)
    entry = await new_entry(client, auth, entity)
    body = {"entityId": entity["id"], "need": "hr"}
    readers = ["jinan-viewer", "province", "province-viewer"]
    assert await statuses(client, auth, readers, "GET", "/api/tenants/jinan/ledger") == dict.fromkeys(readers, 200)
    refused = dict.fromkeys(readers, 403)
    assert await statuses(client, auth, readers, "POST", "/api/tenants/jinan/ledger", body) == refused
    entry_path = f"/api/tenants/jinan/ledger/{entry['id']}"
    assert await statuses(client, auth, readers, "PATCH", entry_path, {"status": "resolved"}) == refused
    assert await statuses(client, auth, readers, "POST", f"{entry_path}/visits", {"visitedOn": "2025-01-02"}) == refused
    # The ledger is the city's own record: an operator neither reads nor writes it.
    operator = await operator_of(app, context, auth, "jinan", "ledger")
    headers = await auth.headers(operator.username)
    assert (await client.get("/api/tenants/jinan/ledger", headers=headers)).status_code == 403
    assert (await client.post("/api/tenants/jinan/ledger", json=body, headers=headers)).status_code == 403


async def test_another_city_gets_404_and_cannot_point_at_its_entities(auth: Auth, client: httpx.AsyncClient) -> None:
    entry = await new_entry(client, auth, await new_entity(client, auth))
    qingdao = await auth.headers("qingdao-case")
    for response in [
        await client.get("/api/tenants/jinan/ledger", headers=qingdao),
        await client.get(f"/api/tenants/qingdao/ledger/{entry['id']}", headers=qingdao),
        await client.patch(f"/api/tenants/qingdao/ledger/{entry['id']}", json={"status": "resolved"}, headers=qingdao),
        await client.get(f"/api/tenants/qingdao/ledger/{entry['id']}/visits", headers=qingdao),
        await client.post(
            f"/api/tenants/qingdao/ledger/{entry['id']}/visits", json={"visitedOn": "2025-01-02"}, headers=qingdao
        ),
        await client.post(
            "/api/tenants/jinan/ledger", json={"entityId": entry["entityId"], "need": "hr"}, headers=qingdao
        ),
    ]:
        assert response.status_code == 404, response.request.url
        assert "talent" not in response.text
    in_qingdao = [e["id"] for e in (await client.get("/api/tenants/qingdao/ledger", headers=qingdao)).json()]
    assert entry["id"] not in in_qingdao
    # Naming a Jinan entity in Qingdao's ledger finds no such entity there.
    refused = await client.post(
        "/api/tenants/qingdao/ledger", json={"entityId": entry["entityId"], "need": "hr"}, headers=qingdao
    )
    assert refused.status_code == 422
    assert "entityId" in refused.text


async def test_a_second_unresolved_entry_of_the_same_need_is_refused_naming_the_first(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    entity = await new_entity(client, auth)
    first = await new_entry(client, auth, entity, need="loans_financing")
    headers = await auth.headers("jinan-admin")
    ledger = "/api/tenants/jinan/ledger"

    duplicate = await client.post(ledger, json={"entityId": entity["id"], "need": "loans_financing"}, headers=headers)
    in_progress = await client.post(
        ledger, json={"entityId": entity["id"], "need": "loans_financing", "status": "in_progress"}, headers=headers
    )

    for response in (duplicate, in_progress):
        assert response.status_code == 409, response.text
        assert str(first["id"]) in body_of(response)["detail"]
        assert "未解决" in body_of(response)["detail"]
        assert "unresolved" in body_of(response)["detail"]
        assert body_of(response)["extra"] == {"entryId": first["id"]}
    entries = "SELECT count(*) FROM ledger_entries WHERE entity_id = :e"
    assert await count(context, entries, e=entity["id"]) == 1
    # Another need of the entity, a resolved record of the same need, or the same need of another entity: accepted.
    other = await new_entry(client, auth, entity, need="talent")
    done = await new_entry(client, auth, entity, need="loans_financing", status="resolved")
    elsewhere = await new_entry(client, auth, await new_entity(client, auth), need="loans_financing")
    assert len({other["id"], done["id"], elsewhere["id"]}) == 3

    # Once the first is resolved, the need may be recorded again; reopening the first is then refused.
    path = f"{ledger}/{first['id']}"
    assert (await client.patch(path, json={"status": "resolved"}, headers=headers)).status_code == 200
    again = await new_entry(client, auth, entity, need="loans_financing")
    reopened = await client.patch(path, json={"status": "open"}, headers=headers)
    assert reopened.status_code == 409, reopened.text
    assert body_of(reopened)["extra"] == {"entryId": again["id"]}
    assert body_of(await client.get(path, headers=headers))["status"] == "resolved"
    # The duplicate's own changes are not refused because of itself.
    assert (
        await client.patch(f"{ledger}/{again['id']}", json={"status": "in_progress"}, headers=headers)
    ).status_code == 200


async def test_a_duplicate_in_another_city_is_not_a_duplicate_of_it(auth: Auth, client: httpx.AsyncClient) -> None:
    entry = await new_entry(client, auth, await new_entity(client, auth))
    # Qingdao cannot learn of Jinan's entry by trying its entity: the entity is simply not Qingdao's.
    response = await client.post(
        "/api/tenants/qingdao/ledger",
        json={"entityId": entry["entityId"], "need": "talent"},
        headers=await auth.headers("qingdao-case"),
    )
    assert response.status_code == 422, response.text
    assert f"编号 {entry['id']}" not in response.text  # the other city's entry is not named
