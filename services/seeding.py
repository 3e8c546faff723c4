"""``jiequ seed``: the tenant registry always; with ``--demo``, demo users and street data (idempotent)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction
from infra.settings import Settings
from services.tenancy.seed import demo_users, seed_tenants, seed_users


async def seed(sessions: async_sessionmaker[AsyncSession], settings: Settings, *, demo: bool) -> dict[str, int]:
    """Seed as the schema owner (maintenance work, not a request); returns what was created."""
    created: dict[str, int] = {}
    async with owner_transaction(sessions) as session:
        await seed_tenants(session)
    if demo:
        async with owner_transaction(sessions) as session:
            created["users"] = await seed_users(session, demo_users(), settings.demo_password)
    return created
