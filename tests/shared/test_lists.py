"""Every list answers X-Total-Count (rows matching the filters, before limit and offset), documented in
OpenAPI; rows that point at a street or an entity carry its name, joined in the same statement."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar

from infra.db import owner_transaction
from services import models
from services.context import AppContext
from services.tenancy.seed import seed_users
from tenants.context import Role
from tests.conftest import PASSWORD, Auth, api_client
from tests.statements import statements
from tests.streetdata_fixtures import count, create_entity, create_street

N = 4
"""Rows of each kind that match the filters below; one more row of each kind does not."""


async def _post(client: httpx.AsyncClient, auth: Auth, path: str, body: dict[str, Any], user: str) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=await auth.headers(user))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _task(entity_id: int, street_id: int, due_on: dt.date, key: str, **more: Any) -> models.FollowupTask:
    """A follow-up task of a Jinan entity."""
    return models.FollowupTask(
        tenant_id="jinan", entity_id=entity_id, street_id=street_id, due_on=due_on, dedupe_key=key, **more
    )


def _notice(username: str, title_zh: str, title_en: str, key: str, **more: Any) -> models.Notification:
    """A Jinan user's notification of the kind ``test``."""
    return models.Notification(
        tenant_id="jinan", username=username, kind="test", title_zh=title_zh, title_en=title_en, dedupe_key=key, **more
    )


@pytest.fixture(scope="module")
async def data(app: Litestar, auth: Auth, context: AppContext) -> dict[str, Any]:
    """A new Jinan street with N matching rows of every list (and one that does not match), and a user of its own."""
    async with api_client(app) as client:
        street = await create_street(client, auth)
        sid = street["id"]
        base = f"/api/tenants/jinan/streets/{sid}"
        entities = [await create_entity(client, auth, sid) for _ in range(2 * N)]
        await create_entity(client, auth, sid, **{"class": "growth"})
        for i in range(N):
            await _post(
                client,
                auth,
                f"{base}/activities",
                {"kind": "salon", "title": f"沙龙{i}", "heldOn": f"2025-0{i + 1}-10", "participants": 9},
                "jinan-admin",
            )
            await _post(client, auth, f"{base}/reports", {"month": f"2025-0{i + 1}", "jobsDriven": 3}, "jinan-admin")
            await _post(
                client,
                auth,
                f"{base}/internships",
                {"title": f"见习岗{i}", "openedOn": "2025-01-01", "entityId": entities[i]["id"]},
                "jinan-admin",
            )
            await _post(client, auth, f"{base}/assessments", {"year": 2025}, "jinan-admin")
        await _post(
            client,
            auth,
            f"{base}/activities",
            {"kind": "salon", "title": "往年沙龙", "heldOn": "2024-05-10", "participants": 9},
            "jinan-admin",
        )
        await _post(client, auth, f"{base}/reports", {"month": "2024-12", "jobsDriven": 3}, "jinan-admin")
        await _post(
            client,
            auth,
            f"{base}/internships",
            {"title": "已结束", "openedOn": "2024-01-01", "closedOn": "2024-12-31"},
            "jinan-admin",
        )
        # 2N open entries (N for the paging, N more for the statement counts), one resolved.
        entries = [
            await _post(
                client, auth, "/api/tenants/jinan/ledger", {"entityId": e["id"], "need": "talent"}, "jinan-case"
            )
            for e in entities
        ]
        await _post(
            client,
            auth,
            "/api/tenants/jinan/ledger",
            {"entityId": entities[0]["id"], "need": "hr", "status": "resolved"},
            "jinan-case",
        )
        for i in range(2 * N):
            await _post(
                client,
                auth,
                f"/api/tenants/jinan/ledger/{entries[0]['id']}/visits",
                {"visitedOn": f"2025-0{i % 9 + 1}-0{i % 3 + 1}"},
                "jinan-case",
            )
    username = f"jinan-case-{uuid.uuid4().hex[:6]}"
    async with owner_transaction(context.sessions) as session:
        await seed_users(session, [(username, "jinan", Role.CASEWORKER)], PASSWORD)
        for i, entity in enumerate(entities):
            session.add(_task(entity["id"], sid, dt.date(2025, 1, i + 1), f"lists:{sid}:{i}"))
            session.add(_notice(username, "通知", "notice", f"lists:{i}", street_id=sid, entity_id=entity["id"]))
        session.add(_task(entities[0]["id"], sid, dt.date(2024, 1, 1), f"lists:{sid}:done", status="done"))
        session.add(_notice(username, "无关", "unrelated", "lists:general", read_at=dt.datetime.now(dt.UTC)))
    return {"street": street, "entities": entities, "entries": entries, "user": username}


def _routes(d: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any], str]]:
    """Each paged list: (path, filters, who asks)."""
    sid, base = d["street"]["id"], f"/api/tenants/jinan/streets/{d['street']['id']}"
    return {
        "entities": (f"{base}/entities", {"class": "startup"}, "jinan-admin"),
        "activities": (f"{base}/activities", {"year": 2025}, "jinan-admin"),
        "reports": (f"{base}/reports", {"year": 2025}, "jinan-admin"),
        "internships": (f"{base}/internships", {"openOn": "2025-06-01"}, "jinan-admin"),
        "assessments": (f"{base}/assessments", {"year": 2025}, "jinan-admin"),
        "ledger": ("/api/tenants/jinan/ledger", {"streetId": sid, "status": "open"}, "jinan-case"),
        "visits": (f"/api/tenants/jinan/ledger/{d['entries'][0]['id']}/visits", {}, "jinan-case"),
        "tasks": ("/api/tenants/jinan/tasks", {"streetId": sid, "status": "open"}, "jinan-case"),
        "notifications": ("/api/notifications", {"unread": True}, d["user"]),
        "streets": ("/api/tenants/jinan/streets", {"status": "applied"}, "jinan-admin"),
        "audit": ("/api/tenants/jinan/audit", {"objectType": "ledger_visit"}, "jinan-admin"),
    }


EXPECTED = {
    "entities": 2 * N,
    "activities": N,
    "reports": N,
    "internships": N,
    "assessments": N,
    "ledger": 2 * N,
    "visits": 2 * N,
    "tasks": 2 * N,
    "notifications": 2 * N,
}


async def _expected(name: str, context: AppContext) -> int:
    if name == "streets":
        return await count(context, "SELECT count(*) FROM streets WHERE tenant_id = 'jinan' AND status = 'applied'")
    if name == "audit":
        return await count(
            context, "SELECT count(*) FROM audit_log WHERE tenant_id = 'jinan' AND object_type = 'ledger_visit'"
        )
    return EXPECTED[name]


@pytest.mark.parametrize("name", [*EXPECTED, "streets", "audit"])
async def test_every_list_answers_its_total_before_limit_and_offset(
    name: str, data: dict[str, Any], auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    path, filters, user = _routes(data)[name]
    headers = await auth.headers(user)
    total = await _expected(name, context)
    whole = await client.get(path, params={**filters, "limit": 1000}, headers=headers)
    assert whole.status_code == 200, whole.text
    assert whole.headers["X-Total-Count"] == str(total) == str(len(whole.json()))
    window = await client.get(path, params={**filters, "limit": 2, "offset": 1}, headers=headers)
    assert window.headers["X-Total-Count"] == str(total)
    assert window.json() == whole.json()[1:3]
    past = await client.get(path, params={**filters, "offset": total + 5}, headers=headers)
    assert (past.json(), past.headers["X-Total-Count"]) == ([], str(total))


@pytest.mark.parametrize("name", [n for n in EXPECTED if n != "notifications"])
async def test_another_city_sees_none_of_it(
    name: str, data: dict[str, Any], auth: Auth, client: httpx.AsyncClient
) -> None:
    path, filters, _ = _routes(data)[name]
    response = await client.get(path, params=filters, headers=await auth.headers("qingdao-admin"))
    assert response.status_code in (403, 404), response.text
    assert "X-Total-Count" not in response.headers


async def test_another_user_counts_only_its_own_notifications(
    data: dict[str, Any], auth: Auth, client: httpx.AsyncClient
) -> None:
    for user in ("jinan-case", "qingdao-admin"):
        response = await client.get("/api/notifications", params={"limit": 1000}, headers=await auth.headers(user))
        assert response.status_code == 200
        assert int(response.headers["X-Total-Count"]) == len(response.json())
        assert not any(n["kind"] == "test" and n["streetId"] == data["street"]["id"] for n in response.json())


async def test_unpaged_lists_answer_their_length(auth: Auth, client: httpx.AsyncClient) -> None:
    for path in ("/api/tenants", "/api/tenants/jinan/fields"):
        response = await client.get(path, headers=await auth.headers("jinan-admin"))
        assert response.status_code == 200
        assert response.headers["X-Total-Count"] == str(len(response.json()))
    refused = await client.get("/api/tenants/jinan/fields", headers=await auth.headers("qingdao-admin"))
    assert refused.status_code in (403, 404)


async def test_openapi_documents_the_header_on_every_list(client: httpx.AsyncClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    lists = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            ok = operation.get("responses", {}).get("200", {})
            schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
            if method == "get" and schema.get("type") == "array":
                lists.append(path)
                assert "X-Total-Count" in ok.get("headers", {}), path
    assert len(lists) >= 13


async def test_rows_carry_the_names_of_their_street_and_entity(
    data: dict[str, Any], auth: Auth, client: httpx.AsyncClient
) -> None:
    street_name = data["street"]["name"]
    names = {e["id"]: e["name"] for e in data["entities"]}
    for name in ("ledger", "visits", "tasks", "notifications"):
        path, filters, user = _routes(data)[name]
        rows = (await client.get(path, params=filters, headers=await auth.headers(user))).json()
        assert rows, name
        for row in rows:
            assert row["streetName"] == street_name, name
            assert row["entityName"] == names[row["entityId"]], name
    internships = await client.get(*_routes(data)["internships"][:1], headers=await auth.headers("jinan-admin"))
    assert {row["entityName"] for row in internships.json()} >= {names[e["id"]] for e in data["entities"][:N]}
    path, filters, _ = _routes(data)["assessments"]
    [assessment, *_] = (await client.get(path, params=filters, headers=await auth.headers("jinan-admin"))).json()
    assert (assessment["streetName"], assessment["year"]) == (street_name, 2025)
    assert all(c["titleZh"] and c["titleEn"] for c in assessment["criteria"])


async def test_simulate_names_the_streets_it_would_change(
    data: dict[str, Any], auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    proposal = {
        "year": 2025,
        "criteria": [
            {
                "id": "practices_5",
                "titleZh": "经验做法不少于 5 项",
                "titleEn": "at least 5 practices",
                "fact": "replicable_practice",
                "op": ">=",
                "value": 5,
                "level": "advisory",
            }
        ],
    }
    response = await client.post(
        "/api/tenants/jinan/rules/simulate", json=proposal, headers=await auth.headers("jinan-admin")
    )
    assert response.status_code == 200, response.text
    changes = response.json()["changes"]
    assert {"streetId": data["street"]["id"], "streetName": data["street"]["name"]}.items() <= next(
        c for c in changes if c["streetId"] == data["street"]["id"]
    ).items()
    for change in changes:
        sql = "SELECT count(*) FROM streets WHERE tenant_id = 'jinan' AND id = :i AND name = :n"
        assert await count(context, sql, i=change["streetId"], n=change["streetName"]) == 1
        # Each criterion that moves says what it is, not only its id.
        assert all(c["titleZh"] and c["titleEn"] for c in change["criteria"])
    mine = next(c for c in changes if c["streetId"] == data["street"]["id"])
    assert {"id": "practices_5", "titleZh": "经验做法不少于 5 项", "before": None, "after": "fail"}.items() <= next(
        c for c in mine["criteria"] if c["id"] == "practices_5"
    ).items()


@pytest.mark.parametrize("name", ["ledger", "visits", "tasks", "notifications", "internships", "assessments"])
async def test_names_cost_no_query_per_row(
    name: str, data: dict[str, Any], auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    path, filters, user = _routes(data)[name]
    headers = await auth.headers(user)
    sizes, counts = [], []
    for limit in (N // 2, N) if name in ("internships", "assessments") else (N, 2 * N):
        with statements(context) as seen:
            response = await client.get(path, params={**filters, "limit": limit}, headers=headers)
        assert response.status_code == 200
        sizes.append(len(response.json()))
        counts.append(len(seen))
    assert sizes[1] == 2 * sizes[0] > 0
    assert counts[0] == counts[1]
