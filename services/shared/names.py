"""The names a row that points at a street or an entity carries beside the id (`streetName`, `entityName`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import Select, and_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models

Q = TypeVar("Q", bound=Select[Any])


def with_street_name(query: Q, table: Any, *, outer: bool = False) -> Q:
    """`query` joined to the street that ``table.street_id`` names, selecting its name as well."""
    street = models.Street
    on = and_(col(street.tenant_id) == table.tenant_id, col(street.id) == table.street_id)
    return cast(Q, query.add_columns(col(street.name).label("street_name")).join(street, on, isouter=outer))


def with_entity_name(query: Q, table: Any, *, outer: bool = False) -> Q:
    """`query` joined to the entity that ``table.entity_id`` names, selecting its name as well."""
    entity = models.Entity
    on = and_(col(entity.tenant_id) == table.tenant_id, col(entity.id) == table.entity_id)
    return cast(Q, query.add_columns(col(entity.name).label("entity_name")).join(entity, on, isouter=outer))


async def street_name(session: AsyncSession, tenant: str, street_id: int) -> str:
    """The name of one street of `tenant` (for a single row; lists join instead)."""
    query = select(models.Street.name).where(models.Street.tenant_id == tenant, models.Street.id == street_id)
    name: str = (await session.execute(query)).scalar_one()
    return name


async def entity_name(session: AsyncSession, tenant: str, entity_id: int) -> str:
    """The name of one entity of `tenant` (for a single row; lists join instead)."""
    query = select(models.Entity.name).where(models.Entity.tenant_id == tenant, models.Entity.id == entity_id)
    name: str = (await session.execute(query)).scalar_one()
    return name


async def street_names(session: AsyncSession, tenant: str, street_ids: Sequence[int]) -> dict[int, str]:
    """The names of the streets of `tenant` among `street_ids`, in one query however many there are."""
    if not street_ids:
        return {}
    street = models.Street
    query = select(street.id, street.name).where(street.tenant_id == tenant, col(street.id).in_(list(street_ids)))
    return {street_id: name for street_id, name in (await session.execute(query)).all() if street_id is not None}
