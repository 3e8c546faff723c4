"""Migrations from an empty database, down and up again."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic import command

from infra.migrate import alembic_config, upgrade
from services.models import TENANT_TABLES
from tests.conftest import create_database


async def test_migrations_from_empty_down_and_up_again(server_url: str) -> None:
    url = await create_database(server_url)
    await asyncio.to_thread(upgrade, url)
    connection = await asyncpg.connect(url)
    try:
        tables = {r[0] for r in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        assert set(TENANT_TABLES) | {"tenants", "login_throttle", "alembic_version"} <= tables
        await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
        left = {r[0] for r in await connection.fetch("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        assert left <= {"alembic_version"}
        await asyncio.to_thread(upgrade, url)
        version = await connection.fetchval("SELECT version_num FROM alembic_version")
        assert version is not None
    finally:
        await connection.close()
