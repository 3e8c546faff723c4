"""The one way automated work tells people of an event: recipients, each once, and what the webhook posts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from infra.db import owner_transaction
from services.context import AppContext
from services.notifications.schemas import Audience, Message
from services.notifications.service import Sent, WebhookNotice, send, send_each
from tests.workflows.street_fixtures import make_operator, make_street, notifications, tenant_settings

CITY = "liaocheng"


async def sent(
    context: AppContext,
    message: Message,
    key: str,
    *,
    audiences: Sequence[Audience],
    fallback: Audience | None = None,
) -> Sent:
    tenant = context.directory.system_actor(CITY).tenant
    async with owner_transaction(context.sessions) as session:
        return await send(session, tenant, audiences, message, key, fallback=fallback)


def about(street: int) -> Message:
    return Message(kind="test", title_zh="标题", title_en="Title", body_zh="正文", body_en="Body", street_id=street)


async def test_send_writes_each_user_once_and_a_retry_nothing(context: AppContext) -> None:
    street = await make_street(context, CITY)
    operator = await make_operator(context, CITY, street)
    key = f"test:{uuid.uuid4().hex}"
    audiences: tuple[Audience, ...] = (
        "street_operators",
        "city_admins",
        "city_admins",
    )  # an audience named twice: each user once
    first = await sent(context, about(street), key, audiences=audiences)
    again = await sent(context, about(street), key, audiences=audiences)
    assert (first.created, again.created) == (2, 0)
    assert first.webhook is None  # the city has no webhook
    rows = await notifications(context, CITY, dedupe_key=key)
    assert sorted(n.username for n in rows) == sorted([operator, f"{CITY}-admin"])


async def test_send_asks_the_fallback_only_when_nobody_is_found(context: AppContext) -> None:
    lone = await make_street(context, CITY)  # no operator account
    key = f"test:{uuid.uuid4().hex}"
    result = await sent(context, about(lone), key, audiences=("street_operators",), fallback="city_admins")
    assert result.created == 1
    assert [n.username for n in await notifications(context, CITY, dedupe_key=key)] == [f"{CITY}-admin"]

    staffed = await make_street(context, CITY)
    operator = await make_operator(context, CITY, staffed)
    key = f"test:{uuid.uuid4().hex}"
    await sent(context, about(staffed), key, audiences=("street_operators",), fallback="city_admins")
    assert [n.username for n in await notifications(context, CITY, dedupe_key=key)] == [operator]


async def test_send_says_what_the_webhook_posts_when_the_city_has_one(context: AppContext) -> None:
    street = await make_street(context, CITY)
    key = f"test:{uuid.uuid4().hex}"
    async with tenant_settings(context, CITY, webhook_url="https://hooks.example.cn/jiequ"):
        result = await sent(context, about(street), key, audiences=("city_admins",))
    assert result.webhook == WebhookNotice(dedupe_key=key, title="标题", body="正文")


async def test_send_each_writes_many_messages_at_once_each_key_once(context: AppContext) -> None:
    staffed, lone = await make_street(context, CITY), await make_street(context, CITY)
    operator = await make_operator(context, CITY, staffed)
    first, second = f"test:{uuid.uuid4().hex}", f"test:{uuid.uuid4().hex}"
    batch = [(about(staffed), first), (about(lone), second), (about(staffed), first)]  # a key given twice
    tenant = context.directory.system_actor(CITY).tenant

    async with owner_transaction(context.sessions) as session:
        answers = await send_each(session, tenant, ("street_operators",), batch, fallback="city_admins")
    async with owner_transaction(context.sessions) as session:
        again = await send_each(session, tenant, ("street_operators",), batch, fallback="city_admins")

    assert [a.created for a in answers] == [1, 1, 0]
    assert [a.created for a in again] == [0, 0, 0]  # a retried activity writes nothing twice
    assert [n.username for n in await notifications(context, CITY, dedupe_key=first)] == [operator]
    assert [n.username for n in await notifications(context, CITY, dedupe_key=second)] == [f"{CITY}-admin"]
