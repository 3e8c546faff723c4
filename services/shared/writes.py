"""How the domains write: PATCH fields given, and a row saved together with its audit row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.audit.service import record
from tenants.context import Actor
from tenants.ids import TenantId

M = TypeVar("M", bound=SQLModel)
S = TypeVar("S")


def assign_given(row: SQLModel, data: msgspec.Struct, *names: str) -> None:
    """Copy the fields `names` that a PATCH body gave (not UNSET) onto `row`, attribute for attribute."""
    for name in names:
        value = getattr(data, name)
        if value is not msgspec.UNSET:
            setattr(row, name, value)


async def save_recorded(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    action: str,
    row: M,
    shape: Callable[[M], S],
    *,
    object_type: str,
    object_id: object = None,
    before: Any = None,
) -> S:
    """Flush `row` (new or changed), audit `action` with `before` and the row's API shape, return that shape.

    `object_id` defaults to the shape's ``id``, which a new row only has after the flush.
    """
    session.add(row)
    await session.flush()
    after = shape(row)
    if object_id is None:
        object_id = getattr(after, "id")  # noqa: B009 - shapes without an id are given object_id
    await record(session, actor, tenant, action, object_type, object_id, before=before, after=after)
    return after
