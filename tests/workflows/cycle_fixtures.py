"""Fixtures of the annual-cycle tests: a fresh database and time-skipping server per test, and street data
inserted as the schema owner so each street passes, fails or lacks data exactly as a test needs.

Each test gets its own database and its own Temporal test server: the cycle's workflows outlive a test
(the next year's cycle, the tracking of each street), and the server's clock only moves forward, so a
shared server would carry one test's workflows and years into the next.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy import delete, text, update
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.local import tool_path
from infra.migrate import upgrade
from infra.settings import Settings
from infra.temporal import DATA_CONVERTER
from services.context import AppContext
from services.models import (
    Activity,
    Center,
    CenterStaff,
    Entity,
    InternshipPosition,
    LedgerEntry,
    Operator,
    Street,
    SurveyResponse,
    TenantConfig,
)
from services.shared.uscc import make_uscc
from services.tenancy.seed import seed_tenants, seed_users
from tenants.config import TenantSettings, settings_to_json
from tenants.context import Role
from tests.conftest import PASSWORD, TEST_USERS, create_database
from workflows import timeskip
from workflows.worker import ensure_search_attributes

T = TypeVar("T")
CYCLE_USERS = frozenset({"province", "province-viewer", "jinan-admin", "jinan-case", "qingdao-admin", "zibo-admin"})
"""The users these tests sign in as (each password hash takes half a second)."""
_serials = itertools.count(1)


@pytest.fixture
async def cycle_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of this test's own, with the cycle's search attributes registered."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=tool_path("temporal-test-server"), data_converter=DATA_CONVERTER
    )
    await ensure_search_attributes(env.client)
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
async def cycle_template(server_url: str) -> str:
    """A database migrated and seeded once (tenants, test users): each test copies it, which takes a
    fraction of what migrating and hashing the users' passwords again would."""
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


async def copy_database(template_url: str) -> str:
    """A new database copied from the template's; returns its URL."""
    base, _, query = template_url.partition("?")
    server, template = base.rsplit("/", 1)
    name = f"jiequ_cycle_{uuid.uuid4().hex[:10]}"
    connection = await asyncpg.connect(f"{server}/postgres" + (f"?{query}" if query else ""))
    try:
        await connection.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await connection.close()
    return f"{server}/{name}" + (f"?{query}" if query else "")


@pytest.fixture
async def cycle_context(
    cycle_template: str, settings: Settings, cycle_env: WorkflowEnvironment
) -> AsyncIterator[AppContext]:
    """A database of this test's own, and a context whose Temporal client is the test server's."""
    url = await copy_database(cycle_template)

    async def temporal_connect() -> Client:
        return cycle_env.client

    context = AppContext.create(settings, url, temporal_connect)
    await context.load_directory()
    yield context
    await context.close()


@dataclass(frozen=True)
class Made:
    tenant: str
    id: int
    name: str


class CycleData:
    """Street data as the schema owner: a street meeting every 2024 baseline criterion for a year, and
    the changes that make it fail one or lack data."""

    def __init__(self, context: AppContext, year: int) -> None:
        self.context = context
        self.year = year

    async def configure(self, tenant: str, settings: TenantSettings) -> None:
        async with owner_transaction(self.context.sessions) as session:
            await session.execute(
                update(TenantConfig).where(TenantConfig.tenant_id == tenant).values(settings=settings_to_json(settings))  # type: ignore[arg-type]
            )

    async def street(self, tenant: str, name: str, *, surveys: int = 30, operator: str | None = None) -> Made:
        """A street passing every required criterion for the year (without surveys: satisfaction no data)."""
        year = self.year
        async with owner_transaction(self.context.sessions) as session:
            serial = next(_serials)
            operator_row = Operator(
                tenant_id=tenant,
                name=f"{name}运营有限公司",
                uscc=make_uscc("9", "1", "370102", serial),
                legal_person=True,
                clean_record=True,
                digital_platform_url="https://jiequ.example.cn",
            )
            session.add(operator_row)
            await session.flush()
            street = Street(
                tenant_id=tenant,
                name=name,
                district="370102",
                theme="graduates",
                status="applied",
                operator_id=operator_row.id,
                replicable_practices=1,
            )
            session.add(street)
            await session.flush()
            assert street.id is not None  # the flush assigned it
            street_id = street.id
            session.add(
                Center(
                    tenant_id=tenant,
                    street_id=street_id,
                    fixed_site=True,
                    address="芙蓉街88号",
                    services=["policy_consultation", "mentoring", "training"],
                )
            )
            await session.flush()
            session.add_all(
                CenterStaff(tenant_id=tenant, street_id=street_id, name=f"员工{n}", role="创业指导师", full_time=True)
                for n in range(2)
            )
            entities = [
                Entity(
                    tenant_id=tenant,
                    street_id=street_id,
                    name=f"{name}实体{n}",
                    uscc=make_uscc("9", "1", "370102", 10_000 + serial * 1000 + n),
                    kind="enterprise",
                    entity_class="startup",
                    founder_group="graduate",
                    employees=2,
                    operating=True,
                    joined_on=date(year - 1, 6, 1),
                )
                for n in range(100)
            ]
            session.add_all(entities)
            await session.flush()
            session.add_all(
                LedgerEntry(
                    tenant_id=tenant, street_id=street_id, entity_id=e.id, need="policy", opened_on=date(year - 1, 7, 1)
                )
                for e in entities
                if e.id is not None
            )
            session.add_all(
                Activity(
                    tenant_id=tenant, street_id=street_id, kind="salon", title="创业沙龙", held_on=date(year, 1 + n, 10)
                )
                for n in range(10)
            )
            session.add(
                InternshipPosition(
                    tenant_id=tenant, street_id=street_id, title="创业见习", opened_on=date(year - 1, 9, 1)
                )
            )
            await session.flush()
            if operator is not None:
                await seed_users(
                    session, [(operator, tenant, Role.OPERATOR)], PASSWORD, street_ids={operator: street_id}
                )
        if surveys:
            await self.surveys(Made(tenant, street_id, name), surveys)
        return Made(tenant, street_id, name)

    async def surveys(self, street: Made, count: int, rating: int = 5) -> None:
        async with owner_transaction(self.context.sessions) as session:
            session.add_all(
                SurveyResponse(
                    tenant_id=street.tenant, street_id=street.id, responded_on=date(self.year, 6, 1), rating=rating
                )
                for _ in range(count)
            )

    async def too_few_activities(self, street: Made) -> None:
        """Leave 5 activities in the year: the street fails `activities` (≥ 10, required)."""
        async with owner_transaction(self.context.sessions) as session:
            await session.execute(
                delete(Activity).where(
                    Activity.tenant_id == street.tenant,  # type: ignore[arg-type]
                    Activity.street_id == street.id,  # type: ignore[arg-type]
                    Activity.held_on >= date(self.year, 6, 1),  # type: ignore[arg-type]
                )
            )

    async def status(self, street: Made) -> str:
        return str(
            await self.scalar(
                "SELECT status FROM streets WHERE tenant_id = :t AND id = :s", t=street.tenant, s=street.id
            )
        )

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with owner_transaction(self.context.sessions) as session:
            return (await session.execute(text(sql), params)).scalar_one()

    async def rows(self, sql: str, **params: Any) -> Sequence[Any]:
        async with owner_transaction(self.context.sessions) as session:
            return (await session.execute(text(sql), params)).all()


async def next_year(env: WorkflowEnvironment) -> int:
    """The year after the test server's current one: a cycle started now opens its window on 1 January."""
    return (await env.get_current_time()).year + 1


async def skip_to(env: WorkflowEnvironment, when: Any, extra: timedelta = timedelta(hours=1)) -> None:
    """Advance the test server's clock to `when` (+ `extra`), firing the timers on the way."""
    await timeskip.skip_to(env, when + extra)


async def eventually(probe: Callable[[], Awaitable[T | None]], check: Callable[[T], bool], timeout: float = 60) -> T:
    """Poll `probe` in real time until `check` holds (the clock stays put: only activities run meanwhile)."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while time.monotonic() < deadline:
        last = await probe()
        if last is not None and check(last):
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"timed out waiting; last seen: {last!r}")


HISTORIES = Path(__file__).parent / "histories"
"""Recorded histories of the cycle's workflows, replayed by test_cycle_replay.py (JIEQU_RECORD_HISTORIES=1
makes the tests that produce them write them again)."""


async def record_histories(env: WorkflowEnvironment, names: dict[str, str]) -> None:
    """Write the histories of the workflows `names` maps (file name → workflow id), when asked to."""
    if os.environ.get("JIEQU_RECORD_HISTORIES") != "1":
        return
    HISTORIES.mkdir(exist_ok=True)
    for name, workflow_id in names.items():
        history = await env.client.get_workflow_handle(workflow_id).fetch_history()
        (HISTORIES / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
