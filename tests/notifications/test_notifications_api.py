"""``/api/notifications`` and ``/api/tenants/{tenant}/tasks``: own rows only, roles, other tenants, audit rows."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from infra.db import owner_transaction
from services.context import AppContext
from services.notifications.schemas import Message
from services.notifications.service import notify
from tests.conftest import Auth
from tests.streetdata_fixtures import audit_rows
from tests.workflows.street_fixtures import make_entity, make_operator, make_street
from workflows.followups.activities import FollowupActivities, SweepInput

NOTIFICATION_KEYS = {
    "id",
    "kind",
    "titleZh",
    "titleEn",
    "bodyZh",
    "bodyEn",
    "streetId",
    "streetName",
    "entityId",
    "entityName",
    "createdAt",
    "readAt",
}


async def send(context: AppContext, tenant: str, usernames: list[str], title: str) -> str:
    """A notification to each user, as an activity would write it; returns its dedupe key."""
    key = f"test:{uuid.uuid4().hex}"
    message = Message(kind="test", title_zh=title, title_en=title, body_zh="正文", body_en="body")
    async with owner_transaction(context.sessions) as session:
        await notify(session, context.directory.system_actor(tenant).tenant, usernames, message, key)
    return key


async def own(client: httpx.AsyncClient, auth: Auth, username: str, **params: str) -> list[dict[str, object]]:
    response = await client.get("/api/notifications", params=params, headers=await auth.headers(username))
    assert response.status_code == 200, response.text
    rows: list[dict[str, object]] = response.json()
    return rows


async def test_a_user_lists_and_reads_only_their_own(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    title = f"通知{uuid.uuid4().hex[:6]}"
    await send(context, "jinan", ["jinan-case", "jinan-admin"], title)
    [mine] = [n for n in await own(client, auth, "jinan-case", unread="true") if n["titleZh"] == title]
    [theirs] = [n for n in await own(client, auth, "jinan-admin") if n["titleZh"] == title]
    assert set(mine) == NOTIFICATION_KEYS
    assert mine["readAt"] is None
    assert mine["id"] != theirs["id"]

    read = await client.post(f"/api/notifications/{mine['id']}/read", headers=await auth.headers("jinan-case"))
    assert read.status_code == 200, read.text
    assert read.json()["readAt"] is not None
    again = await client.post(f"/api/notifications/{mine['id']}/read", headers=await auth.headers("jinan-case"))
    assert again.json()["readAt"] == read.json()["readAt"]  # reading twice changes nothing
    assert mine["id"] not in [n["id"] for n in await own(client, auth, "jinan-case", unread="true")]
    assert mine["id"] in [n["id"] for n in await own(client, auth, "jinan-case")]
    assert len(await audit_rows(client, auth, "jinan", "notification.read", mine["id"])) == 1

    # Another user's, of the same city or of another: 404, and it stays unread.
    for username in ("jinan-case", "qingdao-case", "province"):
        refused = await client.post(f"/api/notifications/{theirs['id']}/read", headers=await auth.headers(username))
        assert refused.status_code == 404, (username, refused.text)
    assert [n["readAt"] for n in await own(client, auth, "jinan-admin") if n["id"] == theirs["id"]] == [None]
    assert theirs["id"] not in [n["id"] for n in await own(client, auth, "qingdao-case")]


async def test_notifications_need_a_signed_in_user(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/notifications")).status_code == 401
    assert (await client.post("/api/notifications/1/read")).status_code == 401


async def test_caseworkers_and_admins_list_the_citys_tasks(
    auth: Auth, client: httpx.AsyncClient, context: AppContext
) -> None:
    street = await make_street(context, "jinan")
    entity = await make_entity(context, "jinan", street, joined_on=dt.date(2025, 1, 1))
    await FollowupActivities(context).sweep_followups(
        SweepInput(tenant="jinan", street_id=street, as_of=dt.date(2025, 6, 1))
    )
    path = "/api/tenants/jinan/tasks"

    for username in ("jinan-case", "jinan-admin", "province"):
        response = await client.get(
            path, params={"status": "open", "streetId": street}, headers=await auth.headers(username)
        )
        assert response.status_code == 200, (username, response.text)
        [task] = response.json()
        assert task["entityId"] == entity
        assert (task["dueOn"], task["status"], task["closedAt"]) == ("2025-01-31", "open", None)
        assert task["entityName"].startswith("测试实体")
    done = await client.get(
        path, params={"status": "done", "streetId": street}, headers=await auth.headers("jinan-case")
    )
    assert done.json() == []

    operator = await make_operator(context, "jinan", street)
    for username in ("jinan-viewer", operator):  # operators do not see the city's work on its ledger
        assert (await client.get(path, headers=await auth.headers(username))).status_code == 403
    assert (await client.get(path, headers=await auth.headers("qingdao-case"))).status_code == 404
    assert (
        await client.get(path, params={"status": "closed"}, headers=await auth.headers("jinan-case"))
    ).status_code == 400
    other = await client.get(
        "/api/tenants/qingdao/tasks", params={"streetId": street}, headers=await auth.headers("qingdao-case")
    )
    assert other.json() == []
