"""The nightly housekeeping verifies the audit trail's hash chains and tells the province's admins of a break,
once per break."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text
from temporalio.testing import WorkflowEnvironment

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.migrate import upgrade
from infra.settings import Settings
from services.context import AppContext
from services.tenancy.seed import seed_tenants, seed_users
from tenants.context import Role
from tests.audit.test_chain import add_rows, behind_the_back
from tests.conftest import PASSWORD, create_database
from workflows.housekeeping.activities import PurgeInput
from workflows.housekeeping.workflows import HousekeepingWorkflow
from workflows.worker import build_worker


@pytest.fixture
async def own_context(server_url: str, settings: Settings) -> AsyncIterator[tuple[AppContext, str]]:
    """A database of its own (this test breaks its audit trail), with the tenants and two province admins."""
    url = await create_database(server_url)
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=1)
    async with owner_transaction(make_sessionmaker(engine)) as session:
        await seed_tenants(session)
    async with owner_transaction(make_sessionmaker(engine)) as session:
        admins = [(f"shandong-admin{n}", "shandong", Role.PROVINCE_ADMIN) for n in ("", "2")]
        await seed_users(session, [*admins, ("jinan-admin", "jinan", Role.CITY_ADMIN)], PASSWORD)
    await engine.dispose()
    context = AppContext.create(settings, url)
    await context.load_directory()
    yield context, url
    await context.close()


async def test_a_broken_chain_is_told_to_the_province_once(
    temporal_env: WorkflowEnvironment, own_context: tuple[AppContext, str]
) -> None:
    context, url = own_context
    connection = await asyncpg.connect(url)
    try:
        rows = await add_rows(connection, "jinan", 3)
        await add_rows(connection, "qingdao", 2)
    finally:
        await connection.close()

    async def housekeeping() -> tuple[str, ...]:
        result = await temporal_env.client.execute_workflow(
            HousekeepingWorkflow.run,
            PurgeInput(),
            id=f"housekeeping-{uuid.uuid4()}",
            task_queue=context.settings.task_queue,
        )
        return result.broken

    async def notices() -> list[tuple[str, str, str]]:
        async with owner_transaction(context.sessions) as session:
            query = text(
                "SELECT username, title_zh, body_en FROM notifications WHERE kind = 'audit_broken' ORDER BY username"
            )
            return [tuple(row) for row in await session.execute(query)]

    async with build_worker(temporal_env.client, context):
        assert await housekeeping() == ()
        assert await notices() == []

        connection = await asyncpg.connect(url)
        try:
            await behind_the_back(connection, "UPDATE audit_log SET after = NULL WHERE id = $1", rows[1])
        finally:
            await connection.close()
        assert await housekeeping() == ("jinan",)
        told = await notices()
        assert [(user, title) for user, title, _ in told] == [
            ("shandong-admin", "审计日志校验失败：济南市"),
            ("shandong-admin2", "审计日志校验失败：济南市"),
        ]
        assert f"audit row {rows[1]}" in told[0][2]
        # The next night finds the same break: nobody is told again.
        assert await housekeeping() == ("jinan",)
        assert len(await notices()) == 2
