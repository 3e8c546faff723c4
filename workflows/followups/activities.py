"""Follow-up activities: the tracked streets of a city, a batch of streets' sweeps (one street's for checking
it alone), and the caseworkers' digest of a sweep."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

import msgspec
from temporalio import activity

from services.context import AppContext
from services.followups.schemas import SweepOutcome
from services.followups.service import escalate_overdue, notify_overdue, sweep_streets, tracked_streets
from services.tenancy.service import get_settings
from tenants.config import FollowupCadence
from workflows.followups.schemas import SweepTotals
from workflows.tenancy import system_transaction

STREETS_PER_TRANSACTION: Final = 50
"""Streets swept in one transaction and one statement: a retried attempt resumes after the last such group."""


class TrackedStreetsInput(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str


class SweepInput(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    street_id: int
    as_of: date


class SweepStreetsInput(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    street_ids: tuple[int, ...]
    as_of: date


class SweepBatchResult(msgspec.Struct, frozen=True, kw_only=True):
    totals: SweepTotals
    open: int
    """Tasks open in these streets after the sweep."""
    webhook: bool
    """Whether the tenant has a webhook (for the sweep's summary)."""
    opened_by_street: tuple[tuple[int, int], ...] = ()
    """(street id, tasks opened) of the streets that opened any, for the caseworkers' digest."""


class NotifyOverdueInput(msgspec.Struct, frozen=True, kw_only=True):
    tenant: str
    as_of: date
    opened_by_street: tuple[tuple[int, int], ...]
    open: int
    """Tasks open in the city after the sweep."""


class FollowupActivities:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    @activity.defn(name="tracked_streets")
    async def tracked_streets(self, params: TrackedStreetsInput) -> tuple[int, ...]:
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            return tuple(await tracked_streets(session, tenant))

    async def sweep_followups(self, params: SweepInput) -> SweepOutcome:
        """One street: open tasks for overdue visits, close those visited, escalate those a second cadence late.

        Not an activity (the workflow sweeps batches with :meth:`sweep_streets`): one street's sweep as
        each street of a batch gets it, for checking one street alone.
        """
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            cadence = (await get_settings(session, tenant)).followup_days
        return (await self._sweep(params.tenant, (params.street_id,), params.as_of, cadence))[params.street_id]

    @activity.defn(name="sweep_streets")
    async def sweep_streets(self, params: SweepStreetsInput) -> SweepBatchResult:
        """Sweep the streets :data:`STREETS_PER_TRANSACTION` at a time, each group in its own transaction,
        heartbeating after each group.

        A retried attempt resumes after the last street its predecessor reported done (and a street
        swept twice writes nothing twice anyway): progress is durable without a workflow event per street.
        The counts of a resumed attempt cover the streets it swept itself.
        """
        details = activity.info().heartbeat_details
        done = int(details[0]) if details else 0
        # The streets that opened tasks ride along in the heartbeat, so a resumed attempt still names them.
        opened: list[tuple[int, int]] = [(int(s), int(n)) for s, n in details[1]] if len(details) > 1 else []
        total = SweepTotals()
        open_tasks = 0
        # The cadence is read once a sweep: a city that changes it sees the change at the next sweep.
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            settings = await get_settings(session, tenant)
        for start in range(done, len(params.street_ids), STREETS_PER_TRANSACTION):
            group = params.street_ids[start : start + STREETS_PER_TRANSACTION]
            outcomes = await self._sweep(params.tenant, group, params.as_of, settings.followup_days)
            for street_id, outcome in outcomes.items():
                total = total.plus(SweepTotals(streets=1, opened=outcome.opened, closed=outcome.closed))
                open_tasks += outcome.open
                if outcome.opened:
                    opened.append((street_id, outcome.opened))
            activity.heartbeat(start + len(group), opened)
        return SweepBatchResult(
            totals=total, open=open_tasks, webhook=settings.webhook_url is not None, opened_by_street=tuple(opened)
        )

    @activity.defn(name="notify_overdue_followups")
    async def notify_overdue(self, params: NotifyOverdueInput) -> int:
        """The caseworkers' one digest of a sweep's new overdue visits; the users notified."""
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            return await notify_overdue(session, tenant, params.as_of, params.opened_by_street, params.open)

    async def _sweep(
        self, slug: str, street_ids: Sequence[int], as_of: date, cadence: FollowupCadence
    ) -> dict[int, SweepOutcome]:
        # Escalation follows the sweep in its transaction, so a task the sweep just closed is not escalated.
        async with system_transaction(self.context, slug) as (session, tenant):
            outcomes = await sweep_streets(session, tenant, street_ids, as_of, cadence)
            escalated = await escalate_overdue(session, tenant, street_ids, as_of, cadence)
        return {
            street_id: msgspec.structs.replace(outcome, escalated=escalated.get(street_id, 0))
            for street_id, outcome in outcomes.items()
        }
