"""Entities of a street over JSON: register, read, change; USCC checks; roles; other tenants."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from services.context import AppContext
from tests.conftest import Auth
from tests.streetdata_fixtures import (
    ENTITY_FIELDS,
    READ_ONLY_USERS,
    StreetUser,
    assert_refused_on_a_new_street,
    assert_street_scoped_rules,
    audit_rows,
    bad_check_digit,
    count,
    create_entity,
    create_street,
    entity_body,
    new_uscc,
    statuses,
)

ENTITY_KEYS = {"id", *ENTITY_FIELDS}
FUTURE = (dt.date.today() + dt.timedelta(days=3)).isoformat()


async def test_register_read_and_list_an_entity(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    body = entity_body()
    path = f"/api/tenants/jinan/streets/{street['id']}/entities"
    response = await client.post(path, json=body, headers=await auth.headers("jinan-admin"))
    assert response.status_code == 201, response.text
    entity = response.json()
    assert set(entity) == ENTITY_KEYS
    assert {k: v for k, v in entity.items() if k != "id"} == body
    assert (await client.get(f"{path}/{entity['id']}", headers=await auth.headers("jinan-case"))).json() == entity
    listed = (await client.get(path, headers=await auth.headers("jinan-viewer"))).json()
    assert [e["id"] for e in listed] == [entity["id"]]
    [row] = await audit_rows(client, auth, "jinan", "entity.create", entity["id"])
    assert row["after"]["uscc"] == body["uscc"]


async def test_list_filters_and_pages(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    made = [
        await create_entity(client, auth, street["id"], tenant="jinan", **{"class": c, "operating": c != "brand"})
        for c in ["startup", "growth", "brand", "startup"]
    ]
    path = f"/api/tenants/jinan/streets/{street['id']}/entities"
    headers = await auth.headers("jinan-admin")
    startups = (await client.get(path, params={"class": "startup"}, headers=headers)).json()
    assert [e["id"] for e in startups] == [made[0]["id"], made[3]["id"]]
    idle = (await client.get(path, params={"operating": "false"}, headers=headers)).json()
    assert [e["id"] for e in idle] == [made[2]["id"]]
    page = (await client.get(path, params={"limit": 2, "offset": 1}, headers=headers)).json()
    assert [e["id"] for e in page] == [made[1]["id"], made[2]["id"]]
    assert (await client.get(path, params={"class": "giant"}, headers=headers)).status_code == 400


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"uscc": "913701"}, 422, "uscc"),
        ({"kind": "company"}, 400, "kind"),
        ({"class": "unicorn"}, 400, "class"),
        ({"founderGroup": "student"}, 400, "founderGroup"),
        ({"employees": -1}, 400, "employees"),
        ({"foundedOn": FUTURE}, 422, "foundedOn"),
        ({"joinedOn": "2024-05-01", "leftOn": "2024-04-30"}, 422, "leftOn"),
        ({"name": ""}, 400, "name"),
        ({"colour": "red"}, 400, "colour"),
    ],
)
async def test_bad_entity_input_names_the_field_and_writes_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, change: dict[str, Any], status: int, field: str
) -> None:
    await assert_refused_on_a_new_street(
        client, auth, context, "entities", entity_body(**change), status, field, "entities"
    )


async def test_uscc_valid_invalid_and_unique_in_the_city(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await create_street(client, auth)
    other_street = await create_street(client, auth)
    path = f"/api/tenants/jinan/streets/{street['id']}/entities"
    headers = await auth.headers("jinan-admin")
    wrong = await client.post(path, json=entity_body(uscc=bad_check_digit(new_uscc())), headers=headers)
    assert wrong.status_code == 422
    assert wrong.json()["extra"] == {"field": "uscc"}
    assert "校验码" in wrong.json()["detail"]
    code = new_uscc()
    individual = new_uscc(kind="2")  # 个体工商户: registration authority 9, type 2
    assert (await client.post(path, json=entity_body(uscc=code.lower()), headers=headers)).json()["uscc"] == code
    assert (
        await client.post(path, json=entity_body(uscc=individual, kind="individual"), headers=headers)
    ).status_code == 201
    again = await client.post(
        f"/api/tenants/jinan/streets/{other_street['id']}/entities", json=entity_body(uscc=code), headers=headers
    )
    assert again.status_code == 409
    assert code in again.json()["detail"]
    assert await count(context, "SELECT count(*) FROM entities WHERE uscc = :u", u=code) == 1


async def test_patch_changes_status_class_employees_and_left_on(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    entity = await create_entity(client, auth, street["id"])
    path = f"/api/tenants/jinan/streets/{street['id']}/entities/{entity['id']}"
    headers = await auth.headers("jinan-admin")
    change = {"operating": False, "class": "growth", "employees": 12, "leftOn": "2024-12-31"}
    response = await client.patch(path, json=change, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json() == {**entity, **change}
    [row] = await audit_rows(client, auth, "jinan", "entity.update", entity["id"])
    assert row["before"]["operating"] is True
    assert row["after"]["class"] == "growth"
    refusals: list[tuple[dict[str, object], int]] = [
        ({"leftOn": FUTURE}, 422),
        ({"leftOn": "2023-01-01"}, 422),
        ({"name": "改名"}, 400),
        ({"employees": -3}, 400),
    ]
    for bad, status in refusals:
        refused = await client.patch(path, json=bad, headers=headers)
        assert refused.status_code == status, bad
        assert next(iter(bad)) in refused.text
    assert (await client.get(path, headers=headers)).json() == {**entity, **change}


async def test_entity_roles(auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser) -> None:
    await assert_street_scoped_rules(client, auth, "entities", entity_body, jinan_operator)
    street = await create_street(client, auth)
    entity = await create_entity(client, auth, street["id"])
    path = f"/api/tenants/jinan/streets/{street['id']}/entities"
    assert await statuses(client, auth, READ_ONLY_USERS, "PATCH", f"{path}/{entity['id']}", {"employees": 1}) == (
        dict.fromkeys(READ_ONLY_USERS, 403)
    )
    operator = await auth.headers(jinan_operator.username)
    own = f"/api/tenants/jinan/streets/{jinan_operator.street_id}/entities"
    created = await client.post(own, json=entity_body(), headers=operator)
    assert created.status_code == 201, created.text
    assert (
        await client.patch(f"{own}/{created.json()['id']}", json={"class": "brand"}, headers=operator)
    ).status_code == 200
    # Another street of the operator's own city is as invisible as another city's.
    assert (await client.get(path, headers=operator)).status_code == 404
    assert (await client.post(path, json=entity_body(), headers=operator)).status_code == 404
    assert (await client.patch(f"{path}/{entity['id']}", json={"employees": 1}, headers=operator)).status_code == 404


async def test_another_tenant_or_street_gets_404(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    entity = await create_entity(client, auth, street["id"])
    other = await create_street(client, auth)
    qingdao = await auth.headers("qingdao-admin")
    path = f"/api/tenants/jinan/streets/{street['id']}/entities"
    assert (await client.get(path, headers=qingdao)).status_code == 404
    assert (await client.post(path, json=entity_body(), headers=qingdao)).status_code == 404
    response = await client.get(f"/api/tenants/qingdao/streets/{street['id']}/entities", headers=qingdao)
    assert response.status_code == 404
    assert entity["uscc"] not in response.text
    admin = await auth.headers("jinan-admin")
    assert (
        await client.get(f"/api/tenants/jinan/streets/{other['id']}/entities/{entity['id']}", headers=admin)
    ).status_code == 404
    assert (
        await client.patch(
            f"/api/tenants/jinan/streets/{other['id']}/entities/{entity['id']}", json={"employees": 1}, headers=admin
        )
    ).status_code == 404
    assert (await client.get(f"{path}/99999999", headers=admin)).status_code == 404
