"""``jiequ seed``: the tenant registry always; with ``--demo``, demo users and street data; with ``--scale
national``, the national benchmark data set. Every part is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import owner_transaction
from infra.settings import Settings
from services.demo.scale import seed_national
from services.demo.seed import seed_demo
from services.tenancy.seed import demo_users, seed_tenants, seed_users


async def seed(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    demo: bool,
    scale: str | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Seed as the schema owner (maintenance work, not a request); returns what was created.

    `today` fixes the data's dates (default: the date in China); `progress` receives a line per step of the
    national load.
    """
    created: dict[str, int] = {}
    async with owner_transaction(sessions) as session:
        await seed_tenants(session)
    if demo:
        async with owner_transaction(sessions) as session:
            created["users"] = await seed_users(session, demo_users(), settings.demo_password)
        async with owner_transaction(sessions) as session:
            created.update(await seed_demo(session, settings.demo_password, today=today))
    if scale == "national":
        for table, count in (await seed_national(sessions, today=today, progress=progress)).items():
            created[table] = created.get(table, 0) + count
    return created
