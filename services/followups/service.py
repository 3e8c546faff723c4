"""The follow-up sweep of a batch of streets in one SQL statement, the streets it covers, and the task list.

An entity is due a visit ``cadence[class]`` days after its last visit (or, never visited, after it
joined the street); once that day has passed the visit is overdue and a task is opened. A visit
recorded afterwards moves the due day, which makes the task's (entity, due day) no longer overdue:
recording the visit closes the task in the same transaction (:func:`close_visited`, so the task list
is right at once), and the sweep closes whatever is still open but no longer overdue (a visit imported
or corrected outside the ledger's route). A caseworker may also close a task with a reason
(:func:`close_task`); the sweep never reopens it, as its (entity, due day) key already exists. A task
still open a second cadence after its due day is escalated to the city admins, once
(:func:`escalate_overdue`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Final

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services import models
from services.audit.service import record
from services.errors import ConflictError, NotFoundError
from services.followups.schemas import FollowupTask, SweepOutcome, TaskStatus
from services.models.base import utcnow
from services.notifications import messages
from services.notifications.service import send, send_each
from services.shared.checks import FieldProblem
from services.shared.filters import where_given
from services.shared.names import entity_name, street_name, with_entity_name, with_street_name
from services.shared.paging import Page, fetch_page
from services.shared.shapes import shape_of
from services.shared.writes import save_recorded
from services.text import Text
from tenants.config import FollowupCadence
from tenants.context import Actor
from tenants.ids import TenantId
from workflows.tracking.schemas import TRACKED_STATUSES

# Streets whose entities are followed up are the ones whose reports are tracked (TRACKED_STATUSES): pilots
# and designated streets, also while in rectification (整改), which stay designated until revoked.

_CADENCE = """cadence(class, days) AS (
  VALUES ('startup', CAST(:startup AS integer)), ('growth', CAST(:growth AS integer)),
         ('brand', CAST(:brand AS integer))
)"""
"""The city's cadence by class as a CTE; an unclassified entity gets the startup cadence, the closest watch."""


def _due(entities: str) -> str:
    """The CTEs ``cadence`` and ``due``: the next visit day as of ``:as_of`` of the entities that ``entities``
    (a condition on ``e``) selects among those present. An entity with neither a visit nor a join date has
    no clock to measure from and is left out. The sweep and the visit route read dueness from this one text."""
    return f"""{_CADENCE},
due AS (
  SELECT e.id AS entity_id, e.street_id, coalesce(max(v.visited_on), e.joined_on) + c.days AS due_on
  FROM entities e
  JOIN cadence c ON c.class = coalesce(e.class, 'startup')
  LEFT JOIN ledger_visits v
    ON v.tenant_id = e.tenant_id AND v.entity_id = e.id AND v.visited_on <= :as_of
  WHERE e.tenant_id = :tenant AND {entities} AND (e.left_on IS NULL OR e.left_on > :as_of)
  GROUP BY e.id, e.street_id, e.joined_on, c.days
)"""  # noqa: S608 - `entities` is one of this module's own conditions, never input


def _cadence(cadence: FollowupCadence) -> dict[str, int]:
    return {"startup": cadence.startup, "growth": cadence.growth, "brand": cadence.brand}


# One pass over a batch of streets: last visit per entity (index ledger_visits(tenant_id, entity_id,
# visited_on)), the overdue set, then two data-modifying CTEs that open new tasks and close those no longer
# overdue. Both see the same snapshot and touch disjoint rows (new keys vs. open tasks not in the overdue
# set). A task stays open only while its own street's entity is overdue on its due day, as when each street
# was swept alone; the overdue set is probed through a hash (NOT IN), whatever the planner guesses of its size.
# The tasks open afterwards are those open before, less those closed, plus those opened: a task a caseworker
# closed with a reason is not open, and nothing probes the tasks table row by row.
_SWEEP = text(
    f"""
WITH {_due("e.street_id = ANY(:streets)")},
overdue AS (
  SELECT entity_id, street_id, due_on,
         'followup:' || entity_id || ':' || to_char(due_on, 'YYYY-MM-DD') AS dedupe_key
  FROM due WHERE due_on < :as_of
),
opened AS (
  INSERT INTO followup_tasks (tenant_id, entity_id, street_id, due_on, status, dedupe_key)
  SELECT :tenant, entity_id, street_id, due_on, 'open', dedupe_key
  FROM overdue
  ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
  RETURNING street_id
),
closed AS (
  UPDATE followup_tasks t SET status = 'done', closed_at = now()
  WHERE t.tenant_id = :tenant AND t.street_id = ANY(:streets) AND t.status = 'open'
    AND (t.entity_id, t.due_on, t.street_id) NOT IN (SELECT entity_id, due_on, street_id FROM overdue)
  RETURNING t.street_id
),
open_before AS (
  SELECT street_id FROM followup_tasks
  WHERE tenant_id = :tenant AND street_id = ANY(:streets) AND status = 'open'
)
SELECT street_id, sum(opened) AS opened, sum(closed) AS closed, sum(open) AS open
FROM (
  SELECT street_id, 1 AS opened, 0 AS closed, 1 AS open FROM opened
  UNION ALL SELECT street_id, 0, 1, -1 FROM closed
  UNION ALL SELECT street_id, 0, 0, 1 FROM open_before
) AS done
GROUP BY street_id
"""  # noqa: S608 - the interpolated text is the module's own, never input
)

# The entity's open tasks that are no longer overdue once its new visit counts: the same condition
# as the sweep's ``closed``, for one entity.
_CLOSE_VISITED = text(
    f"""
WITH {_due("e.id = :entity")}
UPDATE followup_tasks t SET status = 'done', closed_at = now(), closed_by = :actor, visit_id = :visit
WHERE t.tenant_id = :tenant AND t.entity_id = :entity AND t.status = 'open'
  AND NOT EXISTS (SELECT 1 FROM due d WHERE d.due_on = t.due_on AND d.due_on < :as_of)
RETURNING t.id
"""  # noqa: S608 - the interpolated text is the module's own, never input
)

ESCALATE_AFTER: Final = 2
"""Cadences past its due day after which an open task is escalated: by then a second visit is overdue too."""

# Marks each open task of a batch of streets past the second cadence escalated, once, and returns what the
# message names.
_ESCALATE = text(
    f"""
WITH {_CADENCE}
UPDATE followup_tasks t SET escalated_at = now()
FROM entities e JOIN cadence c ON c.class = coalesce(e.class, 'startup')
WHERE t.tenant_id = :tenant AND t.street_id = ANY(:streets) AND t.status = 'open' AND t.escalated_at IS NULL
  AND e.tenant_id = t.tenant_id AND e.id = t.entity_id
  AND t.due_on + {ESCALATE_AFTER} * c.days < :as_of
RETURNING t.id, t.street_id, t.entity_id, t.due_on, c.days, e.name,
  (SELECT s.name FROM streets s WHERE s.tenant_id = t.tenant_id AND s.id = t.street_id) AS street_name
"""  # noqa: S608 - the interpolated text is the module's own, never input
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


async def sweep_streets(
    session: AsyncSession, tenant: TenantId, street_ids: Sequence[int], as_of: dt.date, cadence: FollowupCadence
) -> dict[int, SweepOutcome]:
    """Open and close the follow-up tasks of the streets ``street_ids`` as of ``as_of``, in one statement;
    each street's outcome, all zero for a street with nothing to do.

    Idempotent: tasks are keyed ``followup:{entity}:{due_on}``, so running it again (a retried activity)
    opens nothing new. A street that is gone (or another city's) has no entities and no tasks here: all zero.
    The caseworkers hear of new tasks once per sweep of the city (:func:`notify_overdue`).
    """
    params = {"tenant": tenant, "streets": list(street_ids), "as_of": as_of, **_cadence(cadence)}
    found = {
        int(row.street_id): SweepOutcome(opened=int(row.opened), closed=int(row.closed), open=int(row.open))
        for row in (await session.execute(_SWEEP, params))
    }
    return {street_id: found.get(street_id, SweepOutcome(opened=0, closed=0, open=0)) for street_id in street_ids}


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
    names = dict((await session.execute(query)).all())
    streets = sorted(((name, counts[street_id]) for street_id, name in names.items()), key=lambda p: (-p[1], p[0]))
    single = next(iter(counts)) if len(counts) == 1 else None
    digest = messages.followups_overdue(streets, open_tasks, single)
    return (await send(session, tenant, ("caseworkers",), digest, messages.followup_key(tenant, as_of))).created


async def escalate_overdue(
    session: AsyncSession, tenant: TenantId, street_ids: Sequence[int], as_of: dt.date, cadence: FollowupCadence
) -> dict[int, int]:
    """Escalate to the city admins each open task of the streets ``street_ids`` that is more than
    :data:`ESCALATE_AFTER` cadences (of its entity's class) past its due day as of ``as_of``; the tasks
    escalated by street (the streets that escalated any).

    Once per task: the task is marked escalated in the same transaction as its notification, and the
    notification is keyed ``followup-escalation:{task}``, so a later sweep or a retried activity adds nothing.
    """
    params = {"tenant": tenant, "streets": list(street_ids), "as_of": as_of, **_cadence(cadence)}
    escalated = (await session.execute(_ESCALATE, params)).all()
    if not escalated:
        return {}
    order = {street_id: index for index, street_id in enumerate(street_ids)}
    notices = [
        (
            messages.followup_escalation(
                row.street_id,
                row.street_name or str(row.street_id),
                row.entity_id,
                row.name,
                row.due_on,
                row.days,
                (as_of - row.due_on).days,
            ),
            messages.followup_escalation_key(row.id),
        )
        for row in sorted(escalated, key=lambda r: (order[r.street_id], r.due_on, r.id))
    ]
    await send_each(session, tenant, ("city_admins",), notices)
    return dict(Counter(int(row.street_id) for row in escalated))


async def close_visited(
    session: AsyncSession,
    actor: Actor,
    tenant: TenantId,
    entity_id: int,
    visit_id: int,
    as_of: dt.date,
    cadence: FollowupCadence,
) -> list[int]:
    """Close the entity's open tasks that the visit ``visit_id`` (already flushed) satisfies; their ids.

    A task is satisfied when, with the visit counted, its (entity, due day) is no longer overdue as of
    ``as_of`` (the sweep's own test); a visit dated before the entity's last one changes nothing. Each
    closed task is audited with the visit that closed it.
    """
    params = {
        "tenant": tenant,
        "entity": entity_id,
        "as_of": as_of,
        "actor": actor.username,
        "visit": visit_id,
        **_cadence(cadence),
    }
    closed = sorted(int(i) for i in (await session.execute(_CLOSE_VISITED, params)).scalars())
    for task_id in closed:
        await record(
            session,
            actor,
            tenant,
            "followup.close",
            "followup_task",
            task_id,
            before={"status": "open"},
            after={"status": "done", "visit_id": visit_id},
        )
    return closed


_NO_TASK = Text("走访任务 {task} 不存在或无权访问", "follow-up task {task} does not exist or is not yours to see")
_CLOSED = Text("走访任务 {task} 已于 {at} 关闭，无需再次关闭", "follow-up task {task} was already closed at {at}")


async def close_task(session: AsyncSession, actor: Actor, tenant: TenantId, task_id: int, reason: str) -> FollowupTask:
    """Close an open task with the caller's reason (e.g. the entity cannot be reached), audited.

    The sweep does not reopen it; the entity's next visit starts its cadence again.
    """
    reason = reason.strip()
    if not reason:
        raise FieldProblem("reason", "关闭原因不能为空", "reason must not be blank").error()
    row = await session.get(models.FollowupTask, (tenant, task_id), with_for_update=True)
    if row is None:
        raise NotFoundError(_NO_TASK.format(task=task_id))
    if row.status != "open":
        at = row.closed_at.isoformat() if row.closed_at else "-"
        raise ConflictError(_CLOSED.format(task=task_id, at=at), extra={"taskId": task_id, "status": row.status})
    names = (await entity_name(session, tenant, row.entity_id), await street_name(session, tenant, row.street_id))
    before = _task_out(row, *names)
    row.status, row.closed_at, row.closed_by, row.closed_reason = "done", utcnow(), actor.username, reason
    return await save_recorded(
        session,
        actor,
        tenant,
        "followup.close",
        row,
        lambda r: _task_out(r, *names),
        object_type="followup_task",
        before=before,
    )


def _task_out(row: models.FollowupTask, entity: str, street: str) -> FollowupTask:
    return shape_of(FollowupTask, row, entity_name=entity, street_name=street)


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
    query = where_given(query, (task.status, status), (task.street_id, street_id))
    page = await fetch_page(session, query.order_by(col(task.due_on), col(task.id)), limit=limit, offset=offset)
    return page.map(lambda found: _task_out(found[0], found[1], found[2]))
