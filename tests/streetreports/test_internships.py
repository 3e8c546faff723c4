"""Internship positions: open, close, list those open on a day; the entity must be the street's own."""

from __future__ import annotations

import httpx
import pytest

from services.context import AppContext
from tests.conftest import Auth
from tests.streetdata_fixtures import (
    READ_ONLY_USERS,
    StreetUser,
    assert_refused_on_a_new_street,
    assert_street_scoped_rules,
    audit_rows,
    create_entity,
    create_street,
    resource_path,
    statuses,
)

path = resource_path("internships")


async def test_open_list_and_close_positions(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    entity = await create_entity(client, auth, street["id"])
    headers = await auth.headers("jinan-admin")
    body = {"title": "电商运营见习岗", "openedOn": "2024-03-01", "entityId": entity["id"]}
    response = await client.post(path(street["id"]), json=body, headers=headers)
    assert response.status_code == 201, response.text
    position = response.json()
    assert position == {"id": position["id"], **body, "closedOn": None, "entityName": entity["name"]}
    closed = await client.post(
        path(street["id"]),
        json={"title": "直播助理见习岗", "openedOn": "2023-05-01", "closedOn": "2023-12-31"},
        headers=headers,
    )
    assert closed.status_code == 201
    listed = (await client.get(path(street["id"]), headers=await auth.headers("jinan-case"))).json()
    assert [p["title"] for p in listed] == ["直播助理见习岗", "电商运营见习岗"]
    open_then = (await client.get(path(street["id"]), params={"openOn": "2024-06-01"}, headers=headers)).json()
    assert [p["id"] for p in open_then] == [position["id"]]
    closing = await client.patch(
        f"{path(street['id'])}/{position['id']}", json={"closedOn": "2024-05-31"}, headers=headers
    )
    assert closing.status_code == 200, closing.text
    assert closing.json()["closedOn"] == "2024-05-31"
    assert (await client.get(path(street["id"]), params={"openOn": "2024-06-01"}, headers=headers)).json() == []
    [row] = await audit_rows(client, auth, "jinan", "internship.update", position["id"])
    assert row["before"]["closedOn"] is None
    assert len(await audit_rows(client, auth, "jinan", "internship.create", position["id"])) == 1


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"closedOn": "2024-02-01"}, 422, "closedOn"),
        ({"title": ""}, 400, "title"),
        ({"openedOn": "2024-02-30"}, 400, "openedOn"),
        ({"entityId": 987654321}, 422, "entityId"),
    ],
)
async def test_bad_positions_name_the_field_and_write_nothing(
    auth: Auth, client: httpx.AsyncClient, context: AppContext, change: dict[str, object], status: int, field: str
) -> None:
    body = {"title": "见习岗", "openedOn": "2024-03-01", **change}
    await assert_refused_on_a_new_street(
        client, auth, context, "internships", body, status, field, "internship_positions"
    )


async def test_an_entity_of_another_street_or_city_is_refused(auth: Auth, client: httpx.AsyncClient) -> None:
    street = await create_street(client, auth)
    neighbour = await create_street(client, auth)
    theirs = await create_entity(client, auth, neighbour["id"])
    qingdao = await create_entity(client, auth, (await create_street(client, auth, "qingdao"))["id"], "qingdao")
    headers = await auth.headers("jinan-admin")
    for entity in (theirs, qingdao):
        response = await client.post(
            path(street["id"]),
            json={"title": "见习岗", "openedOn": "2024-03-01", "entityId": entity["id"]},
            headers=headers,
        )
        assert response.status_code == 422
        assert "entityId" in response.text


async def test_internship_roles_and_other_tenants(
    auth: Auth, client: httpx.AsyncClient, jinan_operator: StreetUser
) -> None:
    body = {"title": "见习岗", "openedOn": "2024-03-01"}
    await assert_street_scoped_rules(client, auth, "internships", lambda: body, jinan_operator)
    street = await create_street(client, auth)
    created = (await client.post(path(street["id"]), json=body, headers=await auth.headers("jinan-admin"))).json()
    position = f"{path(street['id'])}/{created['id']}"
    users = [*READ_ONLY_USERS, "qingdao-admin", jinan_operator.username]
    assert await statuses(client, auth, users, "PATCH", position, {"title": "x"}) == {
        **dict.fromkeys(READ_ONLY_USERS, 403),
        "qingdao-admin": 404,
        jinan_operator.username: 404,
    }
    # Under the operator's own street the position, being another street's, is not found either.
    own = f"{path(jinan_operator.street_id)}/{created['id']}"
    assert await statuses(client, auth, [jinan_operator.username], "PATCH", own, {"title": "x"}) == {
        jinan_operator.username: 404
    }
