"""``/api/tenants/{tenant}/tasks``: recording a visit closes the task it satisfies at once; a caseworker closes
a task with a reason; roles and other cities."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from litestar import Litestar
from temporalio.testing import ActivityEnvironment

from services.context import AppContext
from tenants.calendar import today
from tests.conftest import Auth, assert_documented, body, ok_body
from tests.streetdata_fixtures import audit_rows, count, create_entity, create_street, operator_of, statuses
from workflows.followups.activities import FollowupActivities, SweepInput

TASKS = "/api/tenants/jinan/tasks"


async def overdue_entity(client: httpx.AsyncClient, auth: Auth, context: AppContext) -> dict[str, Any]:
    """A startup entity of a new Jinan street, joined on 1 July 2023 and never visited, and its ledger entry;
    the street is swept as of today, which opens the task due 31 July 2023."""
    street = await create_street(client, auth)
    entity = await create_entity(client, auth, street["id"], joinedOn="2023-07-01", **{"class": "startup"})
    entry = await client.post(
        "/api/tenants/jinan/ledger",
        json={"entityId": entity["id"], "need": "talent"},
        headers=await auth.headers("jinan-case"),
    )
    assert entry.status_code == 201, entry.text
    outcome = await sweep(context, street["id"])
    assert (outcome.opened, outcome.open) == (1, 1)
    return {**entity, "streetId": street["id"], "entryId": body(entry)["id"]}


async def sweep(context: AppContext, street_id: int) -> Any:
    return await ActivityEnvironment().run(
        FollowupActivities(context).sweep_followups, SweepInput(tenant="jinan", street_id=street_id, as_of=today())
    )


async def overdue_task(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """An overdue entity, its one follow-up task and the path that closes the task."""
    entity = await overdue_entity(client, auth, context)
    [task] = await street_tasks(client, auth, entity["streetId"])
    return entity, task, f"{TASKS}/{task['id']}/close"


async def street_tasks(client: httpx.AsyncClient, auth: Auth, street_id: int, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(
        TASKS, params={"streetId": street_id, **params}, headers=await auth.headers("jinan-case")
    )
    answer: list[dict[str, Any]] = ok_body(response)
    return answer


async def visit(client: httpx.AsyncClient, auth: Auth, entry_id: int, on: dt.date | str) -> dict[str, Any]:
    response = await client.post(
        f"/api/tenants/jinan/ledger/{entry_id}/visits",
        json={"visitedOn": str(on), "notes": "走访"},
        headers=await auth.headers("jinan-case"),
    )
    answer: dict[str, Any] = ok_body(response, 201)
    return answer


async def test_recording_the_visit_closes_the_task_it_satisfies_at_once(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    entity = await overdue_entity(client, auth, context)
    [task] = await street_tasks(client, auth, entity["streetId"], status="open")
    assert (task["entityId"], task["dueOn"], task["status"]) == (entity["id"], "2023-07-31", "open")
    assert (task["closedBy"], task["closedReason"], task["visitId"]) == (None, None, None)
    assert task["escalatedAt"] is not None  # opened years past due: escalated by the same sweep

    made = await visit(client, auth, entity["entryId"], today())

    assert await street_tasks(client, auth, entity["streetId"], status="open") == []
    [closed] = await street_tasks(client, auth, entity["streetId"])
    assert (closed["id"], closed["status"], closed["closedBy"], closed["visitId"]) == (
        task["id"],
        "done",
        "jinan-case",
        made["id"],
    )
    assert closed["closedAt"] is not None
    [audit] = await audit_rows(client, auth, "jinan", "followup.close", task["id"])
    assert (audit["before"], audit["after"]) == ({"status": "open"}, {"status": "done", "visit_id": made["id"]})
    # The next sweep agrees: nothing to close, nothing open.
    again = await sweep(context, entity["streetId"])
    assert (again.opened, again.closed, again.open) == (0, 0, 0)


async def test_a_visit_older_than_the_last_one_satisfies_nothing(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    entity = await overdue_entity(client, auth, context)
    await visit(client, auth, entity["entryId"], "2024-01-01")  # satisfies the task due 31 July 2023
    outcome = await sweep(context, entity["streetId"])
    assert (outcome.opened, outcome.open) == (1, 1)
    [task] = await street_tasks(client, auth, entity["streetId"], status="open")
    assert task["dueOn"] == "2024-01-31"

    await visit(client, auth, entity["entryId"], "2023-12-01")  # entered late, before the last visit

    assert [t["id"] for t in await street_tasks(client, auth, entity["streetId"], status="open")] == [task["id"]]
    await visit(client, auth, entity["entryId"], today())
    assert await street_tasks(client, auth, entity["streetId"], status="open") == []


async def test_a_caseworker_closes_a_task_with_a_reason(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    entity, task, path = await overdue_task(client, auth, context)
    headers = await auth.headers("jinan-case")

    response = await client.post(path, json={"reason": "  实体已迁出本市，无法走访  "}, headers=headers)

    assert response.status_code == 200, response.text
    closed = body(response)
    assert (closed["id"], closed["status"], closed["closedBy"], closed["closedReason"], closed["visitId"]) == (
        task["id"],
        "done",
        "jinan-case",
        "实体已迁出本市，无法走访",
        None,
    )
    assert await street_tasks(client, auth, entity["streetId"], status="open") == []
    [audit] = await audit_rows(client, auth, "jinan", "followup.close", task["id"])
    assert (audit["actor"], audit["before"]["status"], audit["after"]["status"]) == ("jinan-case", "open", "done")
    assert audit["after"]["closedReason"] == "实体已迁出本市，无法走访"
    # The sweep does not reopen it, nor count it as open; a second close is a conflict.
    again = await sweep(context, entity["streetId"])
    assert (again.opened, again.closed, again.open) == (0, 0, 0)
    twice = await client.post(path, json={"reason": "重复"}, headers=await auth.headers("jinan-admin"))
    assert twice.status_code == 409, twice.text
    assert "已" in body(twice)["detail"]
    assert "already closed" in body(twice)["detail"]
    assert [t["closedReason"] for t in await street_tasks(client, auth, entity["streetId"])] == [
        "实体已迁出本市，无法走访"
    ]


async def test_a_city_admin_closes_one_and_bad_reasons_write_nothing(
    client: httpx.AsyncClient, auth: Auth, context: AppContext
) -> None:
    _, task, path = await overdue_task(client, auth, context)
    admin = await auth.headers("jinan-admin")

    for bad, status, problem in [
        ({"reason": "   "}, 422, "reason"),
        ({"reason": ""}, 400, "reason"),
        ({}, 400, "reason"),
        ({"reason": "x" * 501}, 400, "reason"),
        ({"reason": "ok", "status": "done"}, 400, "status"),
    ]:
        response = await client.post(path, json=bad, headers=admin)
        assert response.status_code == status, (bad, response.text)
        assert problem in response.text
    assert (
        await count(
            context,
            "SELECT count(*) FROM followup_tasks WHERE tenant_id = 'jinan' AND id = :t AND status = 'open'",
            t=task["id"],
        )
        == 1
    )
    missing = await client.post(f"{TASKS}/987654321/close", json={"reason": "无"}, headers=admin)
    assert missing.status_code == 404
    assert "987654321" in body(missing)["detail"]

    response = await client.post(path, json={"reason": "企业已注销"}, headers=admin)
    assert response.status_code == 200, response.text
    assert (body(response)["closedBy"], body(response)["status"]) == ("jinan-admin", "done")


async def test_only_the_city_closes_its_tasks(
    client: httpx.AsyncClient, auth: Auth, context: AppContext, app: Litestar
) -> None:
    entity, task, path = await overdue_task(client, auth, context)
    reason = {"reason": "测试"}

    readers = ["jinan-viewer", "province", "province-viewer"]
    assert await statuses(client, auth, readers, "POST", path, reason) == dict.fromkeys(readers, 403)
    operator = await operator_of(app, context, auth, "jinan", "followups")
    assert await statuses(client, auth, [operator.username], "POST", path, reason) == {operator.username: 403}
    # Another city: its own path does not find Jinan's task, and Jinan's path is not its to see.
    others = ["qingdao-case", "qingdao-admin"]
    assert await statuses(client, auth, others, "POST", path, reason) == dict.fromkeys(others, 404)
    qingdao_path = f"/api/tenants/qingdao/tasks/{task['id']}/close"
    assert await statuses(client, auth, others, "POST", qingdao_path, reason) == dict.fromkeys(others, 404)

    assert [t["status"] for t in await street_tasks(client, auth, entity["streetId"])] == ["open"]


async def test_the_close_route_is_documented_with_its_errors(client: httpx.AsyncClient, app: Litestar) -> None:
    close = "/api/tenants/{tenant}/tasks/{task_id}/close"
    await assert_documented(
        client, app, close, "关闭走访任务", "FollowupTask", {"closedBy", "closedReason", "visitId", "escalatedAt"}
    )


async def test_an_id_past_64_bits_is_refused_not_a_server_error(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await client.post(
        f"{TASKS}/99999999999999999999/close", json={"reason": "x"}, headers=await auth.headers("jinan-case")
    )
    assert response.status_code == 400, response.text
    assert "task_id" in response.text or "taskId" in response.text
