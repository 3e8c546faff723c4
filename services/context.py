"""What the running API holds: settings, database, tenant directory, Temporal client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.settings import Settings
from rules.engine import Engine
from services.errors import TEMPORAL, UNREACHABLE, Outages, TemporalUnreachableError
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
        """The Temporal client, connected on first use (the API starts even while Temporal is down).

        Unreachable, it raises :class:`TemporalUnreachableError` (503); during an outage each call checks the server's
        health first, so that the first request after it comes back ends the outage.
        """
        async with self._temporal_lock:
            try:
                if self._temporal is None:
                    if self.temporal_connect is None:
                        raise RuntimeError("no Temporal server configured")
                    self._temporal = await self.temporal_connect()
                if self.outages.down(TEMPORAL) and not await self._temporal.service_client.check_health(
                    timeout=timedelta(seconds=3)
                ):
                    raise RuntimeError("Temporal is not serving")
            except Exception as exc:
                raise TemporalUnreachableError(UNREACHABLE[TEMPORAL], dependency=TEMPORAL) from exc
            self.outages.answered(TEMPORAL)
            return self._temporal

    async def close(self) -> None:
        self.rules_engine.close()
        await self.engine.dispose()
