"""The unit of work of an activity: one transaction under row-level security, as the actors it acts for.

Every activity opens its transaction here, so that automated work is guarded like a request: activities
run as ``jiequ_app``, and the transaction may read and write exactly what its actors may.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import tenant_transaction
from services.context import AppContext
from tenants.context import Actor
from tenants.ids import TenantId


@asynccontextmanager
async def transaction(context: AppContext, actor: Actor, *more: Actor) -> AsyncIterator[AsyncSession]:
    """A transaction that sees and writes what ``actor`` (and each of ``more``) may.

    Several actors for work that spans tenants in one transaction: the province's designation moves the
    streets of several cities and records the province's decision together.
    """
    actors = (actor, *more)
    reads = tuple(dict.fromkeys(tenant for one in actors for tenant in one.read_ids))
    writes = tuple(dict.fromkeys(tenant for one in actors for tenant in one.write_ids))
    async with tenant_transaction(context.sessions, reads, writes) as session:
        yield session


@asynccontextmanager
async def system_transaction(context: AppContext, slug: str) -> AsyncIterator[tuple[AsyncSession, TenantId]]:
    """A transaction as the system actor of ``slug``, and ``slug`` as a checked id."""
    actor = context.directory.system_actor(slug)
    async with transaction(context, actor) as session:
        yield session, actor.tenant
