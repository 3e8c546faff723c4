"""Activities of a street: list, record one, or import many (all rows or none)."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.activities.schemas import ACTIVITY_COLUMNS, Activity, ActivityCreate
from services.shared.checks import FieldProblem, found, future_date, raise_first
from services.shared.imports import ImportResult, StreetImport
from services.shared.paging import Page
from services.shared.shapes import shape_of, street_row
from services.shared.writes import save_recorded
from services.streets.service import street_of, street_rows_by_day
from tenants.context import Actor
from tenants.ids import TenantId

ACTIVITY_TABLE: Table = models.Activity.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped


def activity_problems(data: ActivityCreate) -> list[FieldProblem]:
    # Only activities already held count towards the year's figure (POLICY 二(三)).
    return found(future_date("heldOn", data.held_on))


def _out(row: models.Activity) -> Activity:
    return shape_of(Activity, row)


async def list_activities(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    *,
    year: int | None,
    limit: int,
    offset: int,
) -> Page[Activity]:
    rows = await street_rows_by_day(
        session,
        actor,
        tenant,
        street_id,
        models.Activity,
        models.Activity.held_on,
        year=year,
        limit=limit,
        offset=offset,
    )
    return rows.map(_out)


async def create_activity(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, data: ActivityCreate
) -> Activity:
    await street_of(session, tenant, street_id, actor)
    raise_first(activity_problems(data))
    row = models.Activity(**street_row(tenant, street_id, data))
    return await save_recorded(session, actor, tenant, "activity.create", row, _out, object_type="activity")


async def import_activities(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, filename: str, data: bytes
) -> ImportResult:
    """Every row of the file or none, like the entities import."""
    await street_of(session, tenant, street_id, actor)
    return await _IMPORT.run(session, actor, tenant, street_id, filename, data)


_IMPORT = StreetImport(
    ACTIVITY_COLUMNS, ActivityCreate, activity_problems, ACTIVITY_TABLE, street_row, "activity.import"
)
