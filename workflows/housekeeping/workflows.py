"""The daily housekeeping workflow, started by a Temporal Schedule."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.housekeeping.activities import HousekeepingActivities, PurgeInput


@workflow.defn(name="Housekeeping")
class HousekeepingWorkflow:
    @workflow.run
    async def run(self, params: PurgeInput) -> int:
        return await workflow.execute_activity_method(
            HousekeepingActivities.purge_login_throttle, params, start_to_close_timeout=timedelta(minutes=5)
        )
