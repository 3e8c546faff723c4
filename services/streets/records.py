"""A street's dated records (its activities, its centre's services): listed newest first, recorded one by one
under the same rules as a file's rows, or imported from a file with every row or none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Generic, TypeVar

import msgspec
from sqlalchemy import Table, extract
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.shared.checks import FieldProblem, raise_first
from services.shared.imports import ImportResult, StreetImport
from services.shared.paging import Page, fetch_page
from services.shared.shapes import shape_of, street_row
from services.shared.tabular.reading import Column
from services.shared.writes import save_recorded
from services.streets.service import street_of
from tenants.context import Actor
from tenants.ids import TenantId

Row = TypeVar("Row", models.Activity, models.CenterService)
Out = TypeVar("Out", bound=msgspec.Struct)
Create = TypeVar("Create", bound=msgspec.Struct)


@dataclass(frozen=True)
class StreetRecords(Generic[Row, Out, Create]):
    """One kind of a street's dated records: its table's `model` and date column `day`, the API shape `out` (made
    of a row field for field, :func:`shape_of`), the create body `Create` with its rules `problems`, the file's
    `columns`, and the audit names: `action` (its ``.create`` and ``.import``) and `object_type`."""

    model: type[Row]
    day: Any
    out: type[Out]
    into: type[Create]
    problems: Callable[[Create], list[FieldProblem]]
    columns: tuple[Column, ...]
    action: str
    object_type: str

    def _shape(self, row: Row) -> Out:
        return shape_of(self.out, row)

    @cached_property
    def _import(self) -> StreetImport[Create]:
        table: Table = self.model.__table__  # type: ignore[attr-defined]  # SQLModel declares it untyped
        return StreetImport(self.columns, self.into, self.problems, table, street_row, f"{self.action}.import")

    async def list(
        self,
        session: AsyncSession,
        actor: Actor,
        tenant: TenantId,
        street_id: int,
        *,
        year: int | None,
        limit: int,
        offset: int,
    ) -> Page[Out]:
        """A page of the street's records, newest first, of `year` only when given; the street as `actor` may
        see it (:func:`street_of`)."""
        await street_of(session, tenant, street_id, actor)
        model = self.model
        query = select(model).where(col(model.tenant_id) == tenant, col(model.street_id) == street_id)
        if year is not None:
            query = query.where(extract("year", col(self.day)) == year)
        query = query.order_by(col(self.day).desc(), col(model.id))
        page = await fetch_page(session, query, limit=limit, offset=offset)
        return page.map(lambda found: self._shape(found[0]))

    async def create(self, session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, data: Create) -> Out:
        """Record one, held to the rules of a file's row, and audit it."""
        await street_of(session, tenant, street_id, actor)
        raise_first(self.problems(data))
        row = self.model(**street_row(tenant, street_id, data))
        create = f"{self.action}.create"
        return await save_recorded(session, actor, tenant, create, row, self._shape, object_type=self.object_type)

    async def import_file(
        self, session: AsyncSession, actor: Actor, tenant: TenantId, street_id: int, filename: str, data: bytes
    ) -> ImportResult:
        """Every row of the file or none, with the same row report as the entities import."""
        await street_of(session, tenant, street_id, actor)
        return await self._import.run(session, actor, tenant, street_id, filename, data)
