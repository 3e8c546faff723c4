"""Tell people of an event once (:func:`send`: in the app, and what the tenant's webhook should post), list
a user's notifications, mark one read."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import Table, func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.errors import NotFoundError
from services.notifications.schemas import Audience, Message, Notification
from services.shared.names import Q, with_entity_name, with_street_name
from services.shared.paging import Page, fetch_page
from services.shared.shapes import shape_of
from services.shared.writes import insert_unnest, save_recorded
from services.tenancy.service import get_settings
from tenants.context import Actor, Role
from tenants.ids import TenantId

_TABLE: Table = models.Notification.__table__  # type: ignore[attr-defined]  # SQLModel's table, untyped


def _out(row: models.Notification, street_name: str | None, entity_name: str | None) -> Notification:
    return shape_of(Notification, row, street_name=street_name, entity_name=entity_name)


async def _recipients(
    session: AsyncSession, tenant: TenantId, audience: Audience, *, street_id: int | None = None
) -> list[str]:
    """The usernames of ``audience`` in ``tenant`` (for ``street_operators``, of ``street_id`` only)."""
    user = models.User
    query = select(user.username).where(user.tenant_id == tenant)
    if audience == "street_operators":
        query = query.where(user.role == Role.OPERATOR, user.street_id == street_id)
    elif audience == "caseworkers":
        query = query.where(user.role == Role.CASEWORKER)
    elif audience == "province_admins":
        query = query.where(user.role == Role.PROVINCE_ADMIN)
    else:
        query = query.where(user.role == Role.CITY_ADMIN)
    return list((await session.execute(query.order_by(user.username))).scalars())


async def notify(
    session: AsyncSession, tenant: TenantId, usernames: Sequence[str], message: Message, dedupe_key: str
) -> int:
    """Add ``message`` for each user unless that user already has ``dedupe_key``; returns how many were new.

    ON CONFLICT DO NOTHING against the unique (tenant, dedupe_key, username) index is what makes a
    retried activity harmless: a second attempt finds the rows of the first and adds none.
    """
    [created] = await _notify_each(session, tenant, [(usernames, message, dedupe_key)])
    return created


async def _notify_each(
    session: AsyncSession, tenant: TenantId, batch: Sequence[tuple[Sequence[str], Message, str]]
) -> list[int]:
    """:func:`notify` for each (users, message, dedupe key) of ``batch``, in one statement; how many were new
    for each. A week's sweep may escalate thousands of tasks: one round trip, not one per message."""
    rows = [
        {
            "tenant_id": tenant,
            "username": username,
            "kind": message.kind,
            "title_zh": message.title_zh,
            "title_en": message.title_en,
            "body_zh": message.body_zh,
            "body_en": message.body_en,
            "street_id": message.street_id,
            "entity_id": message.entity_id,
            "dedupe_key": key,
        }
        for usernames, message, key in batch
        for username in usernames
    ]
    if not rows:
        return [0] * len(batch)
    tail = "ON CONFLICT (tenant_id, dedupe_key, username) DO NOTHING RETURNING dedupe_key, username"
    written = {(row.dedupe_key, row.username) for row in await insert_unnest(session, _TABLE, rows, tail)}
    counts = []
    for usernames, _, key in batch:
        new = written & {(key, username) for username in usernames}
        written -= new  # a key given twice in one batch counts once, for its first message
        counts.append(len(new))
    return counts


class WebhookNotice(msgspec.Struct, frozen=True, kw_only=True):
    """What the webhook step posts to the tenant's chat: the Chinese text, keyed so the receiver drops repeats.

    The URL and the secret are not here: the step reads them itself, so the secret never enters a history.
    """

    dedupe_key: str
    title: str
    body: str


class Sent(msgspec.Struct, frozen=True, kw_only=True):
    created: int
    """Notifications written now (0 when a retry finds those of the first attempt)."""
    webhook: WebhookNotice | None
    """What to post, when the tenant has a webhook; None when it has none."""


async def send(
    session: AsyncSession,
    tenant: TenantId,
    audiences: Sequence[Audience],
    message: Message,
    dedupe_key: str,
    *,
    fallback: Audience | None = None,
) -> Sent:
    """The one way automated work tells people of an event: write ``message`` in the app for each user of
    ``audiences`` (the street's operators: of ``message.street_id``), each user once, and say what the
    tenant's webhook should post.

    ``fallback`` is asked when ``audiences`` have nobody (a street without an operator account: its
    city's admins). ``dedupe_key`` makes a retried activity write nothing twice (:func:`notify`).
    """
    [sent] = await send_each(session, tenant, audiences, [(message, dedupe_key)], fallback=fallback)
    return sent


async def send_each(
    session: AsyncSession,
    tenant: TenantId,
    audiences: Sequence[Audience],
    messages: Sequence[tuple[Message, str]],
    *,
    fallback: Audience | None = None,
) -> list[Sent]:
    """:func:`send` for several messages (with their dedupe keys) of one tenant, in order: each audience is
    looked up once for all of them (the streets' operators in one query), and the tenant's settings once."""
    operators: dict[int | None, list[str]] = {}
    if "street_operators" in audiences or fallback == "street_operators":
        street_ids = {m.street_id for m, _ in messages}
        user = models.User
        query = select(user.street_id, user.username).where(
            user.tenant_id == tenant, user.role == Role.OPERATOR, col(user.street_id).in_(street_ids)
        )
        for street_id, username in (await session.execute(query.order_by(user.username))).all():
            operators.setdefault(street_id, []).append(username)
    city_wide: dict[Audience, list[str]] = {}

    async def users_of(audience: Audience, street_id: int | None) -> list[str]:
        if audience == "street_operators":
            return operators.get(street_id, [])
        if audience not in city_wide:  # looked up once, and only when asked (a fallback seldom is)
            city_wide[audience] = await _recipients(session, tenant, audience)
        return city_wide[audience]

    settings = await get_settings(session, tenant)
    batch = []
    for message, dedupe_key in messages:
        users: dict[str, None] = {}
        for audience in audiences:
            users.update(dict.fromkeys(await users_of(audience, message.street_id)))
        if not users and fallback is not None:
            users = dict.fromkeys(await users_of(fallback, message.street_id))
        batch.append((list(users), message, dedupe_key))
    created = await _notify_each(session, tenant, batch)
    return [
        Sent(
            created=count,
            webhook=None
            if settings.webhook_url is None
            else WebhookNotice(dedupe_key=dedupe_key, title=message.title_zh, body=message.body_zh),
        )
        for count, (message, dedupe_key) in zip(created, messages, strict=True)
    ]


def _named(query: Q) -> Q:
    """`query` with the names of the street and the entity a notification is about, where it names them."""
    row = models.Notification
    return with_entity_name(with_street_name(query, row, outer=True), row, outer=True)


async def list_for_user(
    session: AsyncSession, actor: Actor, *, unread: bool, limit: int, offset: int = 0
) -> Page[Notification]:
    """The caller's own notifications, newest first."""
    row = models.Notification
    query = _named(select(row)).where(row.tenant_id == actor.tenant, row.username == actor.username)
    if unread:
        query = query.where(col(row.read_at).is_(None))
    page = await fetch_page(session, query.order_by(col(row.id).desc()), limit=limit, offset=offset)
    return page.map(lambda found: _out(*found))


async def mark_read(session: AsyncSession, actor: Actor, notification_id: int) -> Notification:
    """Mark one of the caller's notifications read (again is harmless); anyone else's answers 404."""
    row = await session.get(models.Notification, (actor.tenant, notification_id), with_for_update=True)
    if row is None or row.username != actor.username:
        raise NotFoundError(f"通知 {notification_id} 不存在 / notification {notification_id} not found")
    about = _named(select(col(models.Notification.id))).where(
        models.Notification.tenant_id == actor.tenant, models.Notification.id == notification_id
    )
    names = tuple((await session.execute(about)).one())[1:]
    if row.read_at is not None:
        return _out(row, *names)
    before = _out(row, *names)
    row.read_at = (await session.execute(select(func.now()))).scalar_one()
    return await save_recorded(
        session,
        actor,
        actor.tenant,
        "notification.read",
        row,
        lambda r: _out(r, *names),
        object_type="notification",
        before=before,
    )
