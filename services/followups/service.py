"""The follow-up sweep of one street in one SQL statement, the streets it covers, and the task list.

An entity is due a visit ``cadence[class]`` days after its last visit (or, never visited, after it
joined the street); once that day has passed the visit is overdue and a task is opened. A visit
recorded afterwards moves the due day, so the next sweep no longer finds the task's (entity, due day)
overdue and closes it: closing happens here rather than in the ledger's visit route, so the ledger
needs no knowledge of tasks and a visit entered late or corrected is still seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.followups.schemas import FollowupTask, SweepOutcome, TaskStatus
from services.notifications import messages
from services.notifications.service import notify_audience
from services.shared.names import with_entity_name, with_street_name
from services.shared.paging import Page, fetch_page
from tenants.config import FollowupCadence
from tenants.ids import TenantId

TRACKED_STATUSES: Final = ("pilot", "designated", "rectification")
"""Streets whose entities are followed up: pilots and designated streets, also while in rectification
(整改), which stay designated until revoked (the same set the cycle tracks reports for)."""

# One pass over the street: last visit per entity (index ledger_visits(tenant_id, entity_id, visited_on)),
# the overdue set, then two data-modifying CTEs that open new tasks and close those no longer overdue.
# Both see the same snapshot and touch disjoint rows (new keys vs. open tasks not in the overdue set).
# An unclassified entity gets the startup cadence, the closest watch; one with neither a visit nor a
# join date has no clock to measure from and is skipped.
_SWEEP = text(
    """
WITH cadence(class, days) AS (
  VALUES ('startup', CAST(:startup AS integer)), ('growth', CAST(:growth AS integer)),
         ('brand', CAST(:brand AS integer))
),
due AS (
  SELECT e.id AS entity_id, coalesce(max(v.visited_on), e.joined_on) + c.days AS due_on
  FROM entities e
  JOIN cadence c ON c.class = coalesce(e.class, 'startup')
  LEFT JOIN ledger_visits v
    ON v.tenant_id = e.tenant_id AND v.entity_id = e.id AND v.visited_on <= :as_of
  WHERE e.tenant_id = :tenant AND e.street_id = :street AND (e.left_on IS NULL OR e.left_on > :as_of)
  GROUP BY e.id, e.joined_on, c.days
),
overdue AS (
  SELECT entity_id, due_on FROM due WHERE due_on < :as_of
),
opened AS (
  INSERT INTO followup_tasks (tenant_id, entity_id, street_id, due_on, status, dedupe_key)
  SELECT :tenant, entity_id, :street, due_on, 'open',
         'followup:' || entity_id || ':' || to_char(due_on, 'YYYY-MM-DD')
  FROM overdue
  ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
  RETURNING entity_id
),
closed AS (
  UPDATE followup_tasks t SET status = 'done', closed_at = now()
  WHERE t.tenant_id = :tenant AND t.street_id = :street AND t.status = 'open'
    AND NOT EXISTS (SELECT 1 FROM overdue o WHERE o.entity_id = t.entity_id AND o.due_on = t.due_on)
  RETURNING t.id
)
SELECT (SELECT count(*) FROM opened) AS opened,
       (SELECT count(*) FROM closed) AS closed,
       (SELECT count(*) FROM overdue) AS overdue,
       (SELECT min(entity_id) FROM opened) AS first_entity
"""
)


async def tracked_streets(session: AsyncSession, tenant: TenantId) -> list[int]:
    """The ids of ``tenant``'s streets that owe reports and follow-ups (:data:`TRACKED_STATUSES`)."""
    street = models.Street
    query = (
        select(street.id)
        .where(street.tenant_id == tenant, col(street.status).in_(TRACKED_STATUSES))
        .order_by(col(street.id))
    )
    return [int(i) for i in (await session.execute(query)).scalars() if i is not None]


async def sweep_street(
    session: AsyncSession, tenant: TenantId, street_id: int, as_of: dt.date, cadence: FollowupCadence
) -> SweepOutcome:
    """Open and close ``street_id``'s follow-up tasks as of ``as_of``.

    Idempotent: tasks are keyed ``followup:{entity}:{due_on}``, so running it again (a retried activity)
    opens nothing new. The caseworkers hear of new tasks once per sweep of the city (:func:`notify_overdue`).
    """
    street = await session.get(models.Street, (tenant, street_id))
    if street is None:
        return SweepOutcome(opened=0, closed=0, open=0)
    row = (
        await session.execute(
            _SWEEP,
            {
                "tenant": tenant,
                "street": street_id,
                "as_of": as_of,
                "startup": cadence.startup,
                "growth": cadence.growth,
                "brand": cadence.brand,
            },
        )
    ).one()
    return SweepOutcome(opened=int(row.opened), closed=int(row.closed), open=int(row.overdue))


async def notify_overdue(
    session: AsyncSession, tenant: TenantId, as_of: dt.date, opened: Sequence[tuple[int, int]], open_tasks: int
) -> int:
    """Tell the city's caseworkers of a sweep's new overdue visits: one digest per sweep, not one per street.

    ``opened`` is (street id, tasks opened) for the streets that opened any. Keyed
    ``followup-digest:{tenant}:{as_of}``: a retried activity writes nothing twice.
    """
    counts = {street_id: count for street_id, count in opened if count}
    if not counts:
        return 0
    street = models.Street
    query = select(street.id, street.name).where(street.tenant_id == tenant, col(street.id).in_(list(counts)))
    names = dict((await session.execute(query)).tuples().all())
    streets = sorted(((name, counts[street_id]) for street_id, name in names.items()), key=lambda p: (-p[1], p[0]))
    single = next(iter(counts)) if len(counts) == 1 else None
    digest = messages.followups_overdue(streets, open_tasks, single)
    return await notify_audience(session, tenant, "caseworkers", digest, messages.followup_key(tenant, as_of))


async def list_tasks(
    session: AsyncSession,
    tenant: TenantId,
    *,
    status: TaskStatus | None,
    street_id: int | None,
    limit: int,
    offset: int,
) -> Page[FollowupTask]:
    """``tenant``'s follow-up tasks, the longest overdue first."""
    task = models.FollowupTask
    query = with_street_name(with_entity_name(select(task), task), task).where(task.tenant_id == tenant)
    if status is not None:
        query = query.where(task.status == status)
    if street_id is not None:
        query = query.where(task.street_id == street_id)
    page = await fetch_page(session, query.order_by(col(task.due_on), col(task.id)), limit=limit, offset=offset)
    return page.map(
        lambda found: FollowupTask(
            id=found[0].id or 0,
            entity_id=found[0].entity_id,
            entity_name=found[1],
            street_id=found[0].street_id,
            street_name=found[2],
            due_on=found[0].due_on,
            status=found[0].status,
            opened_at=found[0].opened_at,
            closed_at=found[0].closed_at,
        )
    )
