"""Write one audit row per change, in the same transaction as the change itself."""

from __future__ import annotations

from typing import Any

import msgspec
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.models import AuditLog
from services.shared.paging import Page, fetch_page
from tenants.context import Actor
from tenants.ids import TenantId


def snapshot(value: Any) -> dict[str, Any] | None:
    """A JSON-safe copy of a Struct, a table row or a dict for the before/after columns."""
    if value is None:
        return None
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    return msgspec.to_builtins(value, builtin_types=(), str_keys=True)  # type: ignore[no-any-return]


async def record(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    action: str,
    object_type: str,
    object_id: object,
    *,
    before: Any = None,
    after: Any = None,
) -> None:
    """Add the audit row of ``action`` on ``object_type``/``object_id`` to the current unit of work."""
    session.add(
        AuditLog(
            tenant_id=tenant,
            actor=actor.username,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=snapshot(before),
            after=snapshot(after),
            request_id=actor.request_id,
        )
    )


async def list_entries(
    session: AsyncSession, tenant: TenantId, *, object_type: str | None = None, limit: int = 100, offset: int = 0
) -> Page[AuditLog]:
    """The newest audit rows of ``tenant``, optionally of one object type."""
    query = select(AuditLog).where(AuditLog.tenant_id == tenant)
    if object_type is not None:
        query = query.where(AuditLog.object_type == object_type)
    query = query.order_by(AuditLog.id.desc())  # type: ignore[union-attr]
    return (await fetch_page(session, query, limit=limit, offset=offset)).map(lambda row: row[0])
