"""Reads the caseworker's pages need that services/ledger and services/followups do not offer yet, each to move
into its domain's service.py: the ledger by entity name with the entity's class as a filter, the visits of one
entity, the entities due a visit soon, and what a page of tasks shows beside each task.

Each runs in the request's transaction under row-level security, scopes by tenant as the services do, and reads a
whole page in one statement (never a statement per row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import msgspec
from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.entities.schemas import Entity
from services.entities.service import entity_out
from services.errors import NotFoundError
from services.ledger.schemas import LedgerEntry, LedgerVisit
from services.shared.filters import where_given
from services.shared.names import with_entity_name, with_street_name
from services.shared.paging import Page, fetch_page
from tenants.config import FollowupCadence
from tenants.ids import TenantId
from workflows.tracking.schemas import TRACKED_STATUSES


def days_of(cadence: FollowupCadence, entity_class: str | None) -> int:
    """Days between visits for an entity of ``entity_class`` (an unclassified one is watched as a startup)."""
    return {"growth": cadence.growth, "brand": cadence.brand}.get(entity_class or "", cadence.startup)


def _entry(row: models.LedgerEntry, street: str, entity: str) -> LedgerEntry:
    assert row.id is not None  # rows come from the database
    return LedgerEntry(
        id=row.id,
        entity_id=row.entity_id,
        entity_name=entity,
        street_id=row.street_id,
        street_name=street,
        need=row.need,  # type: ignore[arg-type]  # the API's schema checked it on the way in
        action=row.action,
        status=row.status,  # type: ignore[arg-type]
        caseworker=row.caseworker,
        opened_on=row.opened_on,
    )


class LedgerLine(msgspec.Struct, frozen=True, kw_only=True):
    """A ledger entry as the list shows it: the entry and its entity's class."""

    entry: LedgerEntry
    entity_class: str | None


async def ledger_page(
    session: AsyncSession,
    tenant: TenantId,
    *,
    street_id: int | None,
    need: str | None,
    status: str | None,
    entity_class: str | None,
    limit: int,
    offset: int,
) -> Page[LedgerLine]:
    """The city's ledger by entity name (then need, then entry), filtered, one page with its total."""
    entry, entity = models.LedgerEntry, models.Entity
    query = with_entity_name(with_street_name(select(entry), entry), entry).add_columns(col(entity.entity_class))
    query = query.where(col(entry.tenant_id) == tenant)
    query = where_given(
        query,
        (entry.street_id, street_id),
        (entry.need, need),
        (entry.status, status),
        (entity.entity_class, entity_class),
    )
    query = query.order_by(col(entity.name), col(entry.entity_id), col(entry.opened_on).desc(), col(entry.id))
    page = await fetch_page(session, query, limit=limit, offset=offset)
    return page.map(lambda row: LedgerLine(entry=_entry(row[0], row[1], row[2]), entity_class=row[3]))


async def entity_in_city(session: AsyncSession, tenant: TenantId, entity_id: int) -> tuple[Entity, str]:
    """An entity of ``tenant`` whatever its street, with its street's name (404 for any other city's)."""
    entity = models.Entity
    query = with_street_name(select(entity), entity).where(entity.tenant_id == tenant, entity.id == entity_id)
    found = (await session.execute(query)).one_or_none()
    if found is None:
        raise NotFoundError(f"创业实体 {entity_id} 不存在 / entity {entity_id} not found")
    return entity_out(found[0]), str(found[1])


async def entity_visits(session: AsyncSession, tenant: TenantId, entity_id: int) -> list[LedgerVisit]:
    """Every visit of the entity, on whichever of its entries, the newest first."""
    visit = models.LedgerVisit
    query = (
        with_entity_name(with_street_name(select(visit), visit), visit)
        .where(visit.tenant_id == tenant, visit.entity_id == entity_id)
        .order_by(col(visit.visited_on).desc(), col(visit.id).desc())
    )
    return [
        LedgerVisit(
            id=row.id or 0,
            entry_id=row.entry_id,
            entity_id=row.entity_id,
            entity_name=entity,
            street_id=row.street_id,
            street_name=street,
            visited_on=row.visited_on,
            notes=row.notes,
            caseworker=row.caseworker,
        )
        for row, street, entity in (await session.execute(query)).all()
    ]


class EntityFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What a task's line shows of its entity: its class and the entry a visit from the list is recorded on."""

    entity_class: str | None
    entry_id: int | None


async def entity_facts(session: AsyncSession, tenant: TenantId, entity_ids: Iterable[int]) -> dict[int, EntityFacts]:
    """For each entity, its class and the entry a visit is recorded on: its newest entry not yet resolved, else
    its newest; none when the entity has no need on the ledger yet. One statement for the whole list."""
    ids = sorted(set(entity_ids))
    if not ids:
        return {}
    rows = await session.execute(_FACTS, {"tenant": tenant, "ids": ids})
    return {int(r.id): EntityFacts(entity_class=r.class_, entry_id=r.entry_id) for r in rows}


_FACTS = text(
    """
SELECT e.id, e.class AS class_, (
  SELECT l.id FROM ledger_entries l
  WHERE l.tenant_id = e.tenant_id AND l.entity_id = e.id
  ORDER BY (l.status = 'resolved'), l.opened_on DESC, l.id DESC LIMIT 1
) AS entry_id
FROM entities e
WHERE e.tenant_id = :tenant AND e.id = ANY(:ids)
"""
)


class DueVisit(msgspec.Struct, frozen=True, kw_only=True):
    """An entity due a visit soon (or overdue and not yet on the task list): when, and what it is."""

    entity_id: int
    entity_name: str
    street_id: int
    street_name: str
    entity_class: str | None
    due_on: dt.date
    entry_id: int | None


# The next visit day of each present entity of the city's tracked streets, as services/followups computes it
# (its last visit, or its joining day, plus its class's cadence), kept when it falls before :until and no task
# already stands for it (open, or closed with a reason).
_DUE_SOON = text(
    """
WITH cadence(class, days) AS (
  VALUES ('startup', CAST(:startup AS integer)), ('growth', CAST(:growth AS integer)),
         ('brand', CAST(:brand AS integer))
),
due AS (
  SELECT e.id AS entity_id, e.name, e.class, e.street_id, s.name AS street_name,
         coalesce(max(v.visited_on), e.joined_on) + c.days AS due_on
  FROM entities e
  JOIN streets s ON s.tenant_id = e.tenant_id AND s.id = e.street_id AND s.status = ANY(:tracked)
  JOIN cadence c ON c.class = coalesce(e.class, 'startup')
  LEFT JOIN ledger_visits v ON v.tenant_id = e.tenant_id AND v.entity_id = e.id AND v.visited_on <= :as_of
  WHERE e.tenant_id = :tenant AND (e.left_on IS NULL OR e.left_on > :as_of)
  GROUP BY e.id, e.name, e.class, e.street_id, s.name, e.joined_on, c.days
)
SELECT d.*, (
  SELECT l.id FROM ledger_entries l
  WHERE l.tenant_id = :tenant AND l.entity_id = d.entity_id
  ORDER BY (l.status = 'resolved'), l.opened_on DESC, l.id DESC LIMIT 1
) AS entry_id
FROM due d
WHERE d.due_on < :until
  AND NOT EXISTS (
    SELECT 1 FROM followup_tasks t WHERE t.tenant_id = :tenant AND t.entity_id = d.entity_id AND t.due_on = d.due_on
  )
ORDER BY d.due_on, d.name, d.entity_id
LIMIT :limit
"""
)


async def due_soon(
    session: AsyncSession, tenant: TenantId, as_of: dt.date, until: dt.date, cadence: FollowupCadence, *, limit: int
) -> list[DueVisit]:
    """The entities whose next visit falls before ``until`` and that no task stands for, the soonest first."""
    params = {
        "tenant": tenant,
        "as_of": as_of,
        "until": until,
        "tracked": list(TRACKED_STATUSES),
        "limit": limit,
        "startup": cadence.startup,
        "growth": cadence.growth,
        "brand": cadence.brand,
    }
    return [
        DueVisit(
            entity_id=int(r.entity_id),
            entity_name=r.name,
            street_id=int(r.street_id),
            street_name=r.street_name,
            entity_class=r._mapping["class"],
            due_on=r.due_on,
            entry_id=r.entry_id,
        )
        for r in (await session.execute(_DUE_SOON, params)).all()
    ]
