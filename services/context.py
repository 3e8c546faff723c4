"""What the running API holds: settings, database, tenant directory, Temporal client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.settings import Settings
from rules.engine import Engine
from services.errors import Outages
from services.models import Tenant
from tenants.registry import TenantInfo
from tenants.resolver import TenantDirectory


@dataclass
class AppContext:
    """The dependencies of every request, made once per process."""

    settings: Settings
    database_url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    directory: TenantDirectory = field(default_factory=lambda: TenantDirectory(()))
    temporal_connect: Callable[[], Awaitable[Client]] | None = None
    rules_engine: Engine = field(default_factory=Engine)
    """The process's one durable-rules engine (it runs on a thread of its own)."""
    outages: Outages = field(default_factory=Outages)
    """Which dependencies are down: logged once per outage, answered 503 meanwhile."""
    _temporal: Client | None = None
    _temporal_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @classmethod
    def create(
        cls,
        settings: Settings,
        database_url: str,
        temporal_connect: Callable[[], Awaitable[Client]] | None = None,
    ) -> AppContext:
        engine = make_engine(database_url)
        return cls(
            settings=settings,
            database_url=database_url,
            engine=engine,
            sessions=make_sessionmaker(engine),
            temporal_connect=temporal_connect,
        )

    async def load_directory(self) -> None:
        """Read the tenant hierarchy (it changes only when tenants are added by `jiequ seed`)."""
        async with owner_transaction(self.sessions) as session:
            rows = (await session.execute(select(Tenant))).scalars().all()
        self.directory = TenantDirectory(
            TenantInfo(slug=t.slug, code=t.code, name_zh=t.name_zh, name_en=t.name_en, parent=t.parent) for t in rows
        )

    async def temporal(self) -> Client:
        """The Temporal client, connected on first use (the API starts even while Temporal is down)."""
        async with self._temporal_lock:
            if self._temporal is None:
                if self.temporal_connect is None:
                    raise RuntimeError("no Temporal server configured")
                self._temporal = await self.temporal_connect()
            return self._temporal

    async def close(self) -> None:
        self.rules_engine.close()
        await self.engine.dispose()
