"""Entities of a street: list, register, change, and import a whole register in one statement per chunk."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from sqlalchemy import Table
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.entities.schemas import ENTITY_COLUMNS, Entity, EntityClass, EntityCreate, EntityUpdate
from services.errors import ConflictError, NotFoundError
from services.shared.checks import FieldProblem, checked_uscc, found, future_date, raise_first
from services.shared.filters import where_given
from services.shared.imports import ImportResult, ParsedRows, StreetImport
from services.shared.paging import Page, fetch_page
from services.shared.shapes import shape_of, street_row
from services.shared.writes import assign_given, save_recorded
from services.streets.service import street_of
from tenants.context import Actor
from tenants.ids import TenantId

ENTITY_TABLE: Table = models.Entity.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped


def entity_out(row: models.Entity) -> Entity:
    return shape_of(Entity, row)


def entity_problems(data: EntityCreate) -> list[FieldProblem]:
    """What a request or an import row breaks beyond its types (the USCC is checked where it is read)."""
    return found(
        future_date("foundedOn", data.founded_on),
        future_date("joinedOn", data.joined_on),
        future_date("leftOn", data.left_on),
        _left_before_joined(data.joined_on, data.left_on),
        _left_before_founded(data.founded_on, data.left_on),
    )


def _left_before_joined(joined_on: dt.date | None, left_on: dt.date | None) -> FieldProblem | None:
    if joined_on is None or left_on is None or left_on >= joined_on:
        return None
    return FieldProblem(
        "leftOn", f"退出日期 {left_on} 早于入驻日期 {joined_on}", f"leftOn {left_on} is before joinedOn {joined_on}"
    )


def _left_before_founded(founded_on: dt.date | None, left_on: dt.date | None) -> FieldProblem | None:
    if founded_on is None or left_on is None or left_on >= founded_on:
        return None
    return FieldProblem(
        "leftOn", f"退出日期 {left_on} 早于成立日期 {founded_on}", f"leftOn {left_on} is before foundedOn {founded_on}"
    )


async def list_entities(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    street_id: int,
    *,
    entity_class: EntityClass | None = None,
    operating: bool | None = None,
    limit: int,
    offset: int,
) -> Page[Entity]:
    await street_of(session, tenant, street_id, actor)
    query = select(models.Entity).where(models.Entity.tenant_id == tenant, models.Entity.street_id == street_id)
    query = where_given(query, (models.Entity.entity_class, entity_class), (models.Entity.operating, operating))
    page = await fetch_page(session, query.order_by(col(models.Entity.id)), limit=limit, offset=offset)
    return page.map(lambda row: entity_out(row[0]))


async def entity_of(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, entity_id: int, *, lock: bool = False
) -> models.Entity:
    """The entity `entity_id` of the street as `actor` may see it (404 otherwise)."""
    await street_of(session, tenant, street_id, actor)
    query = select(models.Entity).where(
        models.Entity.tenant_id == tenant, models.Entity.street_id == street_id, models.Entity.id == entity_id
    )
    if lock:
        query = query.with_for_update()
    row: models.Entity | None = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"创业实体 {entity_id} 不存在 / entity {entity_id} not found")
    return row


async def get_entity(session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, entity_id: int) -> Entity:
    return entity_out(await entity_of(session, actor, tenant, street_id, entity_id))


async def create_entity(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, data: EntityCreate
) -> Entity:
    await street_of(session, tenant, street_id, actor)
    data = msgspec.structs.replace(data, uscc=checked_uscc("uscc", data.uscc))
    raise_first(entity_problems(data))
    if await _registered(session, tenant, [data.uscc]):
        raise ConflictError(
            f"统一社会信用代码 {data.uscc} 已在本市登记 / USCC {data.uscc} is already registered in this city"
        )
    row = models.Entity(**street_row(tenant, street_id, data))
    return await save_recorded(session, actor, tenant, "entity.create", row, entity_out, object_type="entity")


async def update_entity(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, entity_id: int, data: EntityUpdate
) -> Entity:
    row = await entity_of(session, actor, tenant, street_id, entity_id, lock=True)
    before = entity_out(row)
    if not isinstance(data.left_on, msgspec.UnsetType):
        raise_first(
            found(
                future_date("leftOn", data.left_on),
                _left_before_joined(row.joined_on, data.left_on),
                _left_before_founded(row.founded_on, data.left_on),
            )
        )
        row.left_on = data.left_on
    assign_given(row, data, "operating", "entity_class", "employees")
    return await save_recorded(
        session, actor, tenant, "entity.update", row, entity_out, object_type="entity", before=before
    )


async def import_entities(
    session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, filename: str, data: bytes
) -> ImportResult:
    """Every row of the file or none: cell, rule and duplicate-USCC errors are reported by row."""
    await street_of(session, tenant, street_id, actor)
    return await _IMPORT.run(session, actor, tenant, street_id, filename, data)


async def _vet_uscc(session: AsyncSession, tenant: TenantId, parsed: ParsedRows[EntityCreate]) -> None:
    """A USCC that repeats an earlier row of the file, or is already registered in the city, is a row error."""
    first_row: dict[str, int] = {}
    for number, item in parsed.items:
        if item.uscc in first_row:
            parsed.error(
                number,
                "uscc",
                f"统一社会信用代码 {item.uscc} 与第 {first_row[item.uscc]} 行重复",
                f"USCC {item.uscc} repeats row {first_row[item.uscc]}",
            )
        else:
            first_row[item.uscc] = number
    for uscc in await _registered(session, tenant, list(first_row)):
        parsed.error(
            first_row[uscc],
            "uscc",
            f"统一社会信用代码 {uscc} 已在本市登记",
            f"USCC {uscc} is already registered in this city",
        )


async def _registered(session: AsyncSession, tenant: TenantId, codes: list[str]) -> set[str]:
    """Those of `codes` already registered in the city (a USCC is unique per city, not per street)."""
    if not codes:
        return set()
    query = select(models.Entity.uscc).where(models.Entity.tenant_id == tenant, col(models.Entity.uscc).in_(codes))
    return set((await session.execute(query)).scalars())


def _columns(tenant: TenantId, street_id: int, data: EntityCreate) -> dict[str, Any]:
    """The row's values keyed by table column, for a Core insert (``class`` is the attribute ``entity_class``)."""
    values = street_row(tenant, street_id, data)
    values["class"] = values.pop("entity_class")
    return values


_IMPORT = StreetImport(
    ENTITY_COLUMNS, EntityCreate, entity_problems, ENTITY_TABLE, _columns, "entity.import", vet=_vet_uscc
)
