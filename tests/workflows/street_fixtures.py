"""Streets, entities, users, reports, visits and tenant settings for the tracking, follow-up and
notification tests, written as the schema owner (the tests exercise the workflows, not the API); starting
a street's tracking and waiting for a month's state."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import msgspec
from sqlalchemy import text
from sqlmodel import col, select
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from infra.db import owner_transaction
from services import models
from services.context import AppContext
from services.tenancy.seed import seed_users
from tenants.config import settings_from_json, settings_to_json
from tenants.context import Role
from tests.conftest import PASSWORD
from tests.polling import eventually
from tests.streetdata_fixtures import new_uscc
from workflows.tracking.schemas import StreetYearInput, StreetYearResult, StreetYearStatus, street_year_id
from workflows.tracking.workflows import StreetYearWorkflow


async def make_street(context: AppContext, tenant: str, *, status: str = "designated") -> int:
    async with owner_transaction(context.sessions) as session:
        street = models.Street(
            tenant_id=tenant, name=f"测试街区{uuid.uuid4().hex[:8]}", district="370000", theme="other", status=status
        )
        session.add(street)
        await session.flush()
        assert street.id is not None
        return street.id


async def make_entity(
    context: AppContext, tenant: str, street_id: int, *, entity_class: str = "startup", joined_on: dt.date
) -> int:
    async with owner_transaction(context.sessions) as session:
        entity = models.Entity(
            tenant_id=tenant,
            street_id=street_id,
            name=f"测试实体{uuid.uuid4().hex[:8]}",
            uscc=new_uscc(),
            kind="enterprise",
            entity_class=entity_class,
            joined_on=joined_on,
        )
        session.add(entity)
        await session.flush()
        assert entity.id is not None
        return entity.id


async def make_operator(context: AppContext, tenant: str, street_id: int) -> str:
    """A new operator user of ``street_id``; returns its username."""
    username = f"{tenant}-op-{uuid.uuid4().hex[:6]}"
    async with owner_transaction(context.sessions) as session:
        await seed_users(session, [(username, tenant, Role.OPERATOR)], PASSWORD, street_ids={username: street_id})
    return username


async def submit_report(context: AppContext, tenant: str, street_id: int, month: dt.date) -> None:
    """A monthly report in the database, as if submitted through the API while the workflow did not hear."""
    async with owner_transaction(context.sessions) as session:
        session.add(
            models.MonthlyReport(tenant_id=tenant, street_id=street_id, month=month, jobs_driven=3, submitted_by="test")
        )


async def record_visit(context: AppContext, tenant: str, street_id: int, entity_id: int, on: dt.date) -> None:
    async with owner_transaction(context.sessions) as session:
        entry = models.LedgerEntry(
            tenant_id=tenant, street_id=street_id, entity_id=entity_id, need="other", opened_on=on
        )
        session.add(entry)
        await session.flush()
        assert entry.id is not None
        session.add(
            models.LedgerVisit(
                tenant_id=tenant,
                entry_id=entry.id,
                entity_id=entity_id,
                street_id=street_id,
                visited_on=on,
                caseworker=f"{tenant}-case",
            )
        )


async def notifications(context: AppContext, tenant: str, **where: Any) -> list[models.Notification]:
    """The tenant's notifications matching ``where`` (column = value), oldest first."""
    async with owner_transaction(context.sessions) as session:
        query = select(models.Notification).where(models.Notification.tenant_id == tenant)
        for column, value in where.items():
            query = query.where(getattr(models.Notification, column) == value)
        return list((await session.execute(query.order_by(models.Notification.id))).scalars())  # type: ignore[arg-type]


async def street_names(context: AppContext, tenant: str, street_ids: Sequence[int]) -> list[tuple[int, str]]:
    async with owner_transaction(context.sessions) as session:
        street = models.Street
        query = select(street.id, street.name).where(street.tenant_id == tenant, col(street.id).in_(street_ids))
        return [(int(row.id), row.name) for row in await session.execute(query)]


async def tasks(context: AppContext, tenant: str, entity_id: int) -> list[models.FollowupTask]:
    async with owner_transaction(context.sessions) as session:
        query = select(models.FollowupTask).where(
            models.FollowupTask.tenant_id == tenant, models.FollowupTask.entity_id == entity_id
        )
        return list((await session.execute(query.order_by(models.FollowupTask.due_on))).scalars())  # type: ignore[arg-type]


@asynccontextmanager
async def tenant_settings(context: AppContext, tenant: str, **changes: Any) -> AsyncIterator[None]:
    """``tenant``'s settings with ``changes`` (snake_case fields) for the block, restored afterwards."""
    async with owner_transaction(context.sessions) as session:
        before = (
            await session.execute(text("SELECT settings FROM tenant_configs WHERE tenant_id = :t"), {"t": tenant})
        ).scalar_one()
        changed = settings_to_json(msgspec.structs.replace(settings_from_json(before), **changes))
        await session.execute(
            text("UPDATE tenant_configs SET settings = CAST(:s AS jsonb) WHERE tenant_id = :t"),
            {"s": _json(changed), "t": tenant},
        )
    try:
        yield
    finally:
        async with owner_transaction(context.sessions) as session:
            await session.execute(
                text("UPDATE tenant_configs SET settings = CAST(:s AS jsonb) WHERE tenant_id = :t"),
                {"s": _json(before), "t": tenant},
            )


def _json(value: Any) -> str:
    return msgspec.json.encode(value).decode()


async def start_tracking(
    env: WorkflowEnvironment, context: AppContext, tenant: str, street_id: int, year: int, start_month: int
) -> WorkflowHandle[StreetYearWorkflow, StreetYearResult]:
    """The street's tracking for the year from `start_month`, on the project's task queue."""
    return await env.client.start_workflow(
        StreetYearWorkflow.run,
        StreetYearInput(tenant=tenant, street_id=street_id, year=year, start_month=start_month),
        id=street_year_id(tenant, street_id, year),
        task_queue=context.settings.task_queue,
    )


async def until(handle: WorkflowHandle[StreetYearWorkflow, StreetYearResult], month: int, state: str) -> None:
    """Query the tracking's status (in real time: nothing skips time here) until ``month`` is in ``state``."""

    def reached(status: StreetYearStatus) -> bool:
        return any(item.month.endswith(f"-{month:02d}") and item.state == state for item in status.items)

    await eventually(
        lambda: handle.query(StreetYearWorkflow.status), reached, timeout=30, what=f"month {month} to be {state}"
    )
