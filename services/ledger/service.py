"""Ledger entries of a city's entities and their follow-up visits."""

from __future__ import annotations

from typing import Any, NamedTuple

import msgspec
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.errors import ConflictError, NotFoundError
from services.followups.service import close_visited
from services.ledger.schemas import (
    InternsTaken,
    LedgerEntry,
    LedgerEntryCreate,
    LedgerEntryUpdate,
    LedgerOutcome,
    LedgerOutcomeCreate,
    LedgerStatus,
    LedgerVisit,
    LedgerVisitCreate,
)
from services.models.base import utcnow
from services.shared.checks import FieldProblem, found, future_date, raise_first
from services.shared.filters import where_given
from services.shared.names import Q, entity_name, street_name, with_entity_name, with_street_name
from services.shared.paging import Page, fetch_page
from services.shared.shapes import shape_of, street_row
from services.shared.writes import assign_given, save_recorded
from services.tenancy.service import get_settings
from services.text import Text
from tenants.calendar import today
from tenants.context import Actor
from tenants.ids import TenantId


class _Names(NamedTuple):
    """The names of the street and the entity a ledger row points at."""

    street: str
    entity: str

    @classmethod
    async def of(cls, session: AsyncSession, tenant: TenantId, street_id: int, entity_id: int) -> _Names:
        return cls(await street_name(session, tenant, street_id), await entity_name(session, tenant, entity_id))


def _entry_out(row: models.LedgerEntry, names: _Names) -> LedgerEntry:
    return shape_of(LedgerEntry, row, entity_name=names.entity, street_name=names.street)


def _visit_out(row: models.LedgerVisit, names: _Names) -> LedgerVisit:
    return shape_of(LedgerVisit, row, entity_name=names.entity, street_name=names.street)


def _named(query: Q, table: Any) -> Q:
    """`query` with the names of the street and the entity of each row, joined in the same statement."""
    return with_entity_name(with_street_name(query, table), table)


async def list_entries(
    session: AsyncSession,
    tenant: TenantId,
    *,
    status: LedgerStatus | None,
    entity_id: int | None,
    street_id: int | None,
    limit: int,
    offset: int,
) -> Page[LedgerEntry]:
    entry = models.LedgerEntry
    query = _named(select(entry), entry).where(entry.tenant_id == tenant)
    query = where_given(query, (entry.status, status), (entry.entity_id, entity_id), (entry.street_id, street_id))
    page = await fetch_page(session, query.order_by(col(entry.id)), limit=limit, offset=offset)
    return page.map(lambda row: _entry_out(row[0], _Names(row[1], row[2])))


async def entry_of(session: AsyncSession, tenant: TenantId, entry_id: int, *, lock: bool = False) -> models.LedgerEntry:
    row = await session.get(models.LedgerEntry, (tenant, entry_id), with_for_update=lock)
    if row is None:
        raise NotFoundError(f"台账记录 {entry_id} 不存在 / ledger entry {entry_id} not found")
    return row


async def get_entry(session: AsyncSession, tenant: TenantId, entry_id: int) -> LedgerEntry:
    row = await entry_of(session, tenant, entry_id)
    return _entry_out(row, await _Names.of(session, tenant, row.street_id, row.entity_id))


_DUPLICATE = Text(
    "该实体已有未解决的同类需求台账记录 {entry}（实体 {entity}，需求 {need}），请在该记录上继续跟进",
    "entity {entity} already has an unresolved ledger entry {entry} for the need {need}; follow it up there",
)


async def _refuse_duplicate(
    session: AsyncSession, tenant: TenantId, entity_id: int, need: str, *, besides: int | None = None
) -> None:
    """409 when the entity already has an entry of ``need`` that is not resolved (other than ``besides``).

    One need is one line of the ledger until it is resolved: a second would split its actions and visits.
    The caller holds the entity's row lock, so two requests cannot both find none and both add one.
    """
    entry = models.LedgerEntry
    query = select(entry.id).where(
        entry.tenant_id == tenant, entry.entity_id == entity_id, entry.need == need, entry.status != "resolved"
    )
    if besides is not None:
        query = query.where(entry.id != besides)
    existing = (await session.execute(query.order_by(col(entry.id)).limit(1))).scalar_one_or_none()
    if existing is not None:
        raise ConflictError(_DUPLICATE.format(entry=existing, entity=entity_id, need=need), extra={"entryId": existing})


async def _locked_entity(session: AsyncSession, tenant: TenantId, entity_id: int) -> models.Entity | None:
    # FOR NO KEY UPDATE: serialises ledger writes of one entity without blocking rows that reference it.
    return await session.get(models.Entity, (tenant, entity_id), with_for_update={"key_share": True})


async def create_entry(session: AsyncSession, actor: Actor, tenant: TenantId, data: LedgerEntryCreate) -> LedgerEntry:
    """A new need on the ledger; a need of the entity not yet resolved is refused (409 naming its entry)."""
    raise_first(found(future_date("openedOn", data.opened_on)))
    entity = await _locked_entity(session, tenant, data.entity_id)
    if entity is None:
        raise FieldProblem(
            "entityId",
            f"本市没有编号为 {data.entity_id} 的创业实体",
            f"entityId {data.entity_id} is not an entity of this city",
        ).error()
    if data.status != "resolved":
        await _refuse_duplicate(session, tenant, data.entity_id, data.need)
    row = models.LedgerEntry(
        **street_row(
            tenant,
            entity.street_id,
            data,
            caseworker=data.caseworker or actor.username,
            opened_on=data.opened_on or today(),
        )
    )
    names = _Names(await street_name(session, tenant, entity.street_id), entity.name)
    return await save_recorded(
        session, actor, tenant, "ledger.create", row, lambda r: _entry_out(r, names), object_type="ledger_entry"
    )


async def update_entry(
    session: AsyncSession, actor: Actor, tenant: TenantId, entry_id: int, data: LedgerEntryUpdate
) -> LedgerEntry:
    row = await entry_of(session, tenant, entry_id, lock=True)
    if row.status == "resolved" and data.status not in (msgspec.UNSET, "resolved"):
        # Reopening a resolved need must not make a second open entry of it.
        await _locked_entity(session, tenant, row.entity_id)
        await _refuse_duplicate(session, tenant, row.entity_id, row.need, besides=entry_id)
    names = await _Names.of(session, tenant, row.street_id, row.entity_id)
    before = _entry_out(row, names)
    assign_given(row, data, "status", "action", "caseworker")
    row.updated_at = utcnow()
    return await save_recorded(
        session,
        actor,
        tenant,
        "ledger.update",
        row,
        lambda r: _entry_out(r, names),
        object_type="ledger_entry",
        before=before,
    )


async def list_visits(
    session: AsyncSession, tenant: TenantId, entry_id: int, *, limit: int, offset: int
) -> Page[LedgerVisit]:
    await entry_of(session, tenant, entry_id)
    visit = models.LedgerVisit
    query = (
        _named(select(visit), visit)
        .where(visit.tenant_id == tenant, visit.entry_id == entry_id)
        .order_by(col(visit.visited_on), col(visit.id))
    )
    page = await fetch_page(session, query, limit=limit, offset=offset)
    return page.map(lambda row: _visit_out(row[0], _Names(row[1], row[2])))


async def create_visit(
    session: AsyncSession, actor: Actor, tenant: TenantId, entry_id: int, data: LedgerVisitCreate
) -> LedgerVisit:
    """A follow-up visit made (not planned): its date cannot be in the future.

    The entity's follow-up task that the visit satisfies is closed in the same transaction, so the
    caseworkers' task list no longer shows it.
    """
    entry = await entry_of(session, tenant, entry_id)
    raise_first(found(future_date("visitedOn", data.visited_on)))
    row = models.LedgerVisit(
        **street_row(
            tenant, entry.street_id, data, entry_id=entry_id, entity_id=entry.entity_id, caseworker=actor.username
        )
    )
    names = await _Names.of(session, tenant, entry.street_id, entry.entity_id)
    visit = await save_recorded(
        session, actor, tenant, "ledger.visit", row, lambda r: _visit_out(r, names), object_type="ledger_visit"
    )
    cadence = (await get_settings(session, tenant)).followup_days
    await close_visited(session, actor, tenant, entry.entity_id, visit.id, today(), cadence)
    return visit


# ------------------------------------------------------------------------------------- outcomes (帮扶成效)


def _outcome_out(row: models.LedgerOutcome, names: _Names) -> LedgerOutcome:
    return shape_of(LedgerOutcome, row, entity_name=names.entity, street_name=names.street)


async def list_outcomes(
    session: AsyncSession,
    tenant: TenantId,
    *,
    entry_id: int | None = None,
    entity_id: int | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Page[LedgerOutcome]:
    """The outcomes of one entry (404 when it is not the city's) or of one entity, the latest achieved first."""
    if entry_id is not None:
        await entry_of(session, tenant, entry_id)
    outcome = models.LedgerOutcome
    query = _named(select(outcome), outcome).where(outcome.tenant_id == tenant)
    query = where_given(query, (outcome.entry_id, entry_id), (outcome.entity_id, entity_id))
    ordered = query.order_by(col(outcome.achieved_on).desc(), col(outcome.id).desc())
    page = await fetch_page(session, ordered, limit=limit, offset=offset)
    return page.map(lambda row: _outcome_out(row[0], _Names(row[1], row[2])))


_NO_INTERNS = FieldProblem(
    "graduates",
    "见习招用人数不能为 0：请填写招用的高校毕业生或其他青年人数",
    "interns taken on cannot be none: give the graduates or the other young people taken on",
)


async def create_outcome(
    session: AsyncSession, actor: Actor, tenant: TenantId, entry_id: int, data: LedgerOutcomeCreate
) -> LedgerOutcome:
    """Record what the entry's action achieved; the day cannot be in the future, interns taken on not zero."""
    entry = await entry_of(session, tenant, entry_id)
    raise_first(
        found(
            future_date("achievedOn", data.achieved_on),
            _NO_INTERNS if isinstance(data, InternsTaken) and data.graduates + data.other_youth == 0 else None,
        )
    )
    row = models.LedgerOutcome(
        **street_row(
            tenant,
            entry.street_id,
            data,
            kind=type(data).__struct_config__.tag,
            entry_id=entry_id,
            entity_id=entry.entity_id,
            recorded_by=actor.username,
        )
    )
    names = await _Names.of(session, tenant, entry.street_id, entry.entity_id)
    return await save_recorded(
        session, actor, tenant, "ledger.outcome", row, lambda r: _outcome_out(r, names), object_type="ledger_outcome"
    )
