"""Follow-up activities: the tracked streets of a city, one street's sweep, and a batch of streets' sweeps."""

from __future__ import annotations

from datetime import date

import msgspec
from temporalio import activity

from services.context import AppContext
from services.followups.schemas import SweepOutcome
from services.followups.service import sweep_street, tracked_streets
from services.tenancy.service import get_settings
from workflows.followups.schemas import SweepTotals
from workflows.tenancy import system_transaction


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


class FollowupActivities:
    def __init__(self, context: AppContext) -> None:
        self.context = context

    @activity.defn(name="tracked_streets")
    async def tracked_streets(self, params: TrackedStreetsInput) -> tuple[int, ...]:
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            return tuple(await tracked_streets(session, tenant))

    @activity.defn(name="sweep_followups")
    async def sweep_followups(self, params: SweepInput) -> SweepOutcome:
        """One street: open tasks for overdue visits, close those visited, notify the caseworkers of new ones."""
        return await self._sweep(params.tenant, params.street_id, params.as_of)

    @activity.defn(name="sweep_streets")
    async def sweep_streets(self, params: SweepStreetsInput) -> SweepBatchResult:
        """Sweep the streets in turn, each in its own transaction, heartbeating after each one.

        A retried attempt resumes after the last street its predecessor reported done (and a street
        swept twice writes nothing twice anyway): progress is durable without a workflow event per street.
        The counts of a resumed attempt cover the streets it swept itself.
        """
        details = activity.info().heartbeat_details
        done = int(details[0]) if details else 0
        total = SweepTotals()
        open_tasks = 0
        for index in range(done, len(params.street_ids)):
            outcome = await self._sweep(params.tenant, params.street_ids[index], params.as_of)
            total = total.plus(
                SweepTotals(streets=1, opened=outcome.opened, closed=outcome.closed, notified=outcome.notified)
            )
            open_tasks += outcome.open
            activity.heartbeat(index + 1)
        async with system_transaction(self.context, params.tenant) as (session, tenant):
            settings = await get_settings(session, tenant)
        return SweepBatchResult(totals=total, open=open_tasks, webhook=settings.webhook_url is not None)

    async def _sweep(self, slug: str, street_id: int, as_of: date) -> SweepOutcome:
        # The cadence is read at each sweep: a city that changes it sees the change at the next sweep.
        async with system_transaction(self.context, slug) as (session, tenant):
            cadence = (await get_settings(session, tenant)).followup_days
            return await sweep_street(session, tenant, street_id, as_of, cadence)
