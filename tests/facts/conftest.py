"""Fixtures for the facts tests: a database of their own, so crafted streets meet no other test's data."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.migrate import upgrade
from services.tenancy.seed import seed_tenants
from tenants.context import Actor, Role
from tenants.registry import BUILTIN_TENANTS
from tenants.resolver import TenantDirectory
from tests.conftest import create_database


@asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A new database migrated to head with the built-in tenants; dropped afterwards."""
    url = await create_database(server_url)
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=2)
    try:
        sessions = make_sessionmaker(engine)
        async with owner_transaction(sessions) as session:
            await seed_tenants(session)
        yield sessions
    finally:
        await engine.dispose()
        connection = await asyncpg.connect(server_url)
        try:
            await connection.execute(f'DROP DATABASE "{urlsplit(url).path.lstrip("/")}" WITH (FORCE)')
        finally:
            await connection.close()


@pytest.fixture(scope="module")
async def sessions(server_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with fresh_database(server_url) as sessions:
        yield sessions


def actor(tenant: str) -> Actor:
    """A city admin of `tenant`, whose `tenant` and tenant lists are what a request would carry."""
    return TenantDirectory(BUILTIN_TENANTS).actor(username=f"{tenant}-admin", tenant=tenant, role=Role.CITY_ADMIN)
