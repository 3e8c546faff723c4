"""The unit of work of an activity: one transaction on one tenant as the system actor, under RLS."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import tenant_transaction
from services.context import AppContext
from tenants.ids import TenantId


@asynccontextmanager
async def system_transaction(context: AppContext, slug: str) -> AsyncIterator[tuple[AsyncSession, TenantId]]:
    """A transaction that sees and writes what the system actor of ``slug`` may, and ``slug`` as a checked id.

    Activities run as ``jiequ_app`` like requests do, so row-level security guards automated work too.
    """
    actor = context.directory.system_actor(slug)
    async with tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
        yield session, actor.tenant
