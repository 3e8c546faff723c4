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
from infra.workers import WorkerPool
from rules.engine import Engine
from services.errors import UnavailableError
from services.errors.outages import Outages
from services.models import Tenant
from services.text import Text
from tenants.registry import TenantInfo
from tenants.resolver import TenantDirectory


class TemporalUnavailableError(UnavailableError, RuntimeError):
    """No Temporal server is configured or it does not answer: a request answers 503; work that can do
    without it (a signal after a commit) catches the ``RuntimeError``."""


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
    """The process's one durable-rules engine (it runs on a thread of its own), for stored rulesets."""
    rules_pool: WorkerPool = field(default_factory=WorkerPool)
    """Worker processes for rulesets a caller supplies (simulations): killed and replaced past a time limit."""
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
            rules_pool=WorkerPool(workers=settings.rules_workers, time_limit=settings.rules_time_limit),
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
                    raise TemporalUnavailableError(
                        Text("未配置流程服务（Temporal）", "no Temporal server is configured")
                    )
                try:
                    self._temporal = await self.temporal_connect()
                except (OSError, RuntimeError) as exc:
                    raise TemporalUnavailableError(
                        Text("流程服务（Temporal）暂不可用", "Temporal is unreachable")
                    ) from exc
            return self._temporal

    async def close(self) -> None:
        self.rules_engine.close()
        self.rules_pool.close()
        await self.engine.dispose()
