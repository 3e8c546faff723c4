"""Helpers of the annual-cycle tests (their fixtures are in conftest): street data inserted as the schema
owner so each street passes, fails or lacks data exactly as a test needs, and the recorded histories.

Each test gets its own database and its own Temporal test server: the cycle's workflows outlive a test
(the next year's cycle, the tracking of each street), and the server's clock only moves forward.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, text, update
from temporalio.testing import WorkflowEnvironment

from infra.db import owner_transaction
from services.app import create_app
from services.context import AppContext
from services.models import (
    Activity,
    Center,
    CenterStaff,
    InternshipPosition,
    LedgerEntry,
    Street,
    SurveyResponse,
    TenantConfig,
)
from services.shared.uscc import make_uscc
from services.tenancy.seed import seed_users
from tenants.config import TenantSettings, settings_to_json
from tenants.context import Role
from tests.conftest import PASSWORD, Auth, api_client
from tests.streetdata_fixtures import attesting_operator, operating_entity, verified_claims

_serials = itertools.count(1)


class CycleApi:
    """The API over a cycle test's own database, called as any of its users: ``await call(user, method, path,
    json)`` inside ``async with call as http``."""

    def __init__(self, context: AppContext) -> None:
        self.auth = Auth(create_app(context))
        self.http = api_client(self.auth.app)

    async def __aenter__(self) -> httpx.AsyncClient:
        return await self.http.__aenter__()

    async def __aexit__(self, *exc: Any) -> None:
        await self.http.__aexit__(*exc)

    async def __call__(self, user: str, method: str, path: str, json: Any = None) -> httpx.Response:
        return await self.http.request(method, path, json=json, headers=await self.auth.headers(user))


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
            operator_row = attesting_operator(
                tenant, f"{name}运营有限公司", make_uscc("9", "1", "370102", serial), "https://jiequ.example.cn"
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
            session.add_all(verified_claims(street_id, operator_row))
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
                operating_entity(
                    tenant,
                    street_id,
                    f"{name}实体{n}",
                    make_uscc("9", "1", "370102", 10_000 + serial * 1000 + n),
                    date(year - 1, 6, 1),
                    employees=2,
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

    async def passing_and_failing(self, pilot_target: int, passing: str, failing: str) -> tuple[Made, Made]:
        """The province's pilot target set to `pilot_target`, and two Jinan streets named `passing` and `failing`:
        the first passes, the second has too few activities."""
        await self.configure("shandong", TenantSettings(pilot_target=pilot_target))
        good = await self.street("jinan", passing)
        weak = await self.street("jinan", failing)
        await self.too_few_activities(weak)
        return good, weak

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
