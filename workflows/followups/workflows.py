"""``FollowupSweepWorkflow`` (``followups:{tenant}:{year}``): a city's weekly follow-up sweep for a year.

Why this shape scales to a million entities: the unit of work is a street, not an entity. Each street
is swept by one SQL statement (services/followups/service.py) that computes every entity's due day
from its last visit, opens tasks for the overdue and closes those since visited, using the indexes on
(tenant, street) and (tenant, entity, visited_on); a street of a thousand entities is a few
milliseconds. Streets are swept in batches, one activity per batch that heartbeats after each street,
so a week's sweep adds a handful of events to the history whatever the number of entities, and a
crashed batch resumes where it stopped. There is no workflow, timer or signal per entity, so Temporal
holds a few objects per city instead of a million. Continue-as-new after ``sweeps_per_run`` sweeps
keeps each run's history bounded for the whole year; the totals are carried in the input.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    import msgspec

    from services.notifications import messages
    from tenants.calendar import china_today, year_start
    from workflows.cycle.schemas import PHASE, TENANT, YEAR
    from workflows.followups.activities import (
        FollowupActivities,
        NotifyOverdueInput,
        SweepBatchResult,
        SweepStreetsInput,
        TrackedStreetsInput,
    )
    from workflows.followups.schemas import FOLLOWUP_SWEEP, FollowupSweepInput, SweepTotals
    from workflows.heartbeats import HEARTBEAT_TIMEOUT, LONG_TIMEOUT, SHORT_TIMEOUT
    from workflows.notifications.activities import WebhookInput
    from workflows.notifications.steps import send_webhook

STREETS_PER_ACTIVITY = 200
"""Streets swept by one activity: large enough that history grows slowly, small enough to retry cheaply."""
PARALLEL_ACTIVITIES = 4
"""Batches in flight at once: the sweep is light on the database, but many cities sweep in the same week."""


@workflow.defn(name=FOLLOWUP_SWEEP)
class FollowupSweepWorkflow:
    @workflow.run
    async def run(self, params: FollowupSweepInput) -> SweepTotals:
        workflow.upsert_search_attributes(
            [TENANT.value_set(params.tenant), YEAR.value_set(params.year), PHASE.value_set("followups")]
        )
        start, end = year_start(params.year), year_start(params.year + 1)
        if workflow.now() < start:
            await workflow.sleep(start - workflow.now())
        totals, sweeps = params.totals, 0
        while workflow.now() < end:
            if sweeps == params.sweeps_per_run:
                # Ends this run (it raises) and starts the next with the totals so far.
                workflow.continue_as_new(msgspec.structs.replace(params, totals=totals))
            totals = totals.plus(await self._sweep(params))
            sweeps += 1
            await workflow.sleep(min(timedelta(days=params.interval_days), end - workflow.now()))
        workflow.upsert_search_attributes([PHASE.value_set("closed")])
        return totals

    async def _sweep(self, params: FollowupSweepInput) -> SweepTotals:
        as_of = china_today(workflow.now())
        streets = await workflow.execute_activity_method(
            FollowupActivities.tracked_streets,
            TrackedStreetsInput(tenant=params.tenant),
            start_to_close_timeout=SHORT_TIMEOUT,
        )
        batches = [streets[i : i + STREETS_PER_ACTIVITY] for i in range(0, len(streets), STREETS_PER_ACTIVITY)]
        results: list[SweepBatchResult] = []
        for i in range(0, len(batches), PARALLEL_ACTIVITIES):
            results += await asyncio.gather(
                *(
                    workflow.execute_activity_method(
                        FollowupActivities.sweep_streets,
                        SweepStreetsInput(tenant=params.tenant, street_ids=batch, as_of=as_of),
                        start_to_close_timeout=LONG_TIMEOUT,
                        heartbeat_timeout=HEARTBEAT_TIMEOUT,
                    )
                    for batch in batches[i : i + PARALLEL_ACTIVITIES]
                )
            )
        week = SweepTotals(sweeps=1)
        for result in results:
            week = week.plus(result.totals)
        open_tasks = sum(result.open for result in results)
        if week.opened:
            notified = await workflow.execute_activity_method(
                FollowupActivities.notify_overdue,
                NotifyOverdueInput(
                    tenant=params.tenant,
                    as_of=as_of,
                    opened_by_street=tuple(pair for result in results for pair in result.opened_by_street),
                    open=open_tasks,
                ),
                start_to_close_timeout=SHORT_TIMEOUT,
            )
            week = week.plus(SweepTotals(notified=notified))
        if week.opened and any(result.webhook for result in results):
            title, body = messages.followups_summary(week.opened, open_tasks, week.streets, as_of)
            await send_webhook(
                WebhookInput(
                    tenant=params.tenant,
                    dedupe_key=messages.followups_summary_key(params.tenant, as_of),
                    title=title,
                    body=body,
                )
            )
        return week
