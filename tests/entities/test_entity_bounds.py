"""An entity's dates hang together, and an imported cell with a NUL or an impossible date is a row error."""

from __future__ import annotations

import httpx

from services.context import AppContext
from tests.conftest import Auth, body
from tests.streetdata_fixtures import count, create_entity, create_street, entity_body, import_file, new_uscc


async def test_an_entity_cannot_leave_before_it_was_founded(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    path = f"/api/tenants/jinan/streets/{street['id']}/entities"
    headers = await auth.headers("jinan-admin")
    early = entity_body(foundedOn="2023-06-01", joinedOn=None, leftOn="2023-05-31")
    refused = await client.post(path, json=early, headers=headers)
    assert refused.status_code == 422, refused.text
    assert body(refused)["extra"] == {"field": "leftOn"}
    assert "成立日期" in body(refused)["detail"]
    assert await count(context, "SELECT count(*) FROM entities WHERE street_id = :s", s=street["id"]) == 0
    entity = await create_entity(client, auth, street["id"], foundedOn="2023-06-01", joinedOn=None)
    change = await client.patch(f"{path}/{entity['id']}", json={"leftOn": "2022-01-01"}, headers=headers)
    assert change.status_code == 422, change.text
    assert "foundedOn" in body(change)["detail"]
    other_city = await client.patch(
        f"{path}/{entity['id']}", json={"leftOn": "2022-01-01"}, headers=await auth.headers("qingdao-admin")
    )
    assert other_city.status_code == 404


async def test_imported_cells_with_nul_or_dates_before_1949_are_row_errors(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    content = (
        "name,uscc,kind,foundedOn\r\n"
        f"青创\x00电商,{new_uscc()},enterprise,2023-01-01\r\n"
        f"老字号,{new_uscc()},enterprise,1900-01-01\r\n"
    ).encode()
    response = await import_file(client, auth, "entities", street["id"], content, "rows.csv")
    assert response.status_code == 422, response.text
    errors = body(response)["errors"]
    assert [e["row"] for e in errors] == [2, 3]
    assert "1949-01-01" in errors[1]["problem"]
    assert await count(context, "SELECT count(*) FROM entities WHERE street_id = :s", s=street["id"]) == 0
