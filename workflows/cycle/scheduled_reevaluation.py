"""``ScheduledReevaluationWorkflow`` is what a city's yearly schedule starts: it starts the re-evaluation of the
year that just closed under its deterministic id (a schedule can only give static ids and arguments).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tenants.calendar import china_today
    from workflows.cycle.schemas import (
        REEVALUATION,
        SCHEDULED_REEVALUATION,
        ReevaluationInput,
        ScheduledReevaluationInput,
        reevaluation_id,
    )
    from workflows.cycle.steps import all_done, start_child


@workflow.defn(name=SCHEDULED_REEVALUATION)
class ScheduledReevaluationWorkflow:
    """Started by a city's yearly schedule: re-evaluates the year that closed, unless its cycle already did."""

    @workflow.run
    async def run(self, params: ScheduledReevaluationInput) -> str:
        year = china_today(workflow.now()).year - 1
        workflow_id = reevaluation_id(params.tenant, year)
        child = await start_child(REEVALUATION, ReevaluationInput(tenant=params.tenant, year=year), workflow_id)
        if child is not None:
            await all_done([child])
        return workflow_id
