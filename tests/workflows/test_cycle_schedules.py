"""The yearly re-evaluation schedule: what it starts (on the time-skipping server, which has no schedules)
and the schedules themselves (on the dev server, created once however often the worker starts)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import Client, ScheduleActionStartWorkflow, WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from infra.local.temporal_server import TemporalDevServer
from infra.temporal import DATA_CONVERTER
from services.context import AppContext
from tenants.calendar import year_start
from tests.polling import eventually
from tests.workflows.clock import skip_to
from tests.workflows.cycle_fixtures import CycleData, record_histories
from workflows import client as cycles
from workflows.cycle.schemas import (
    SCHEDULED_REEVALUATION,
    ScheduledReevaluationInput,
    reevaluation_id,
    reevaluation_schedule_id,
)
from workflows.worker import build_worker, ensure_schedules, ensure_search_attributes


async def test_the_scheduled_run_reevaluates_the_closed_year_once(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext
) -> None:
    env, context = temporal_env, cycle_context
    year = (await env.get_current_time()).year
    data = CycleData(context, year)
    street = await data.street("jinan", "经四路创业街区")
    await data.rows("UPDATE streets SET status = 'designated' WHERE id = :s RETURNING id", s=street.id)
    # What the schedule does on 5 January at 02:00 China time: a run whose id carries its timestamp.
    await skip_to(env, year_start(year + 1), extra=timedelta(days=4, hours=2))

    async with build_worker(env.client, context):
        for attempt in ("2027-01-04T18:00:00Z", "again"):
            # Not execute_workflow: waiting on a result lets the test server skip years ahead.
            handle = await env.client.start_workflow(
                SCHEDULED_REEVALUATION,
                ScheduledReevaluationInput(tenant="jinan"),
                id=f"{reevaluation_schedule_id('jinan')}-{attempt}",
                task_queue=context.settings.task_queue,
                result_type=str,
            )
            review = await eventually(
                lambda: cycles.reevaluation_view(env.client, "jinan", year), lambda v: v.phase == "closed"
            )
            assert review.retained == (street.id,)
            # (Nor handle.result(): the same.) The second run finds the re-evaluation done and starts none.
            await eventually(handle.describe, lambda d: d.status == WorkflowExecutionStatus.COMPLETED)
    assert await data.status(street) == "designated"
    assert await data.scalar("SELECT count(*) FROM assessments WHERE kind = 'annual'") == 1
    await record_histories(
        env,
        {
            "scheduled_reevaluation": f"{reevaluation_schedule_id('jinan')}-2027-01-04T18:00:00Z",
            "reevaluation_passing": reevaluation_id("jinan", year),
        },
    )


@pytest.fixture
async def dev_server(tmp_path: Path) -> AsyncIterator[Client]:
    """Temporal's dev server (schedules need the real server; the test server has none)."""
    server = TemporalDevServer(tmp_path / "temporal.db")
    server.start()
    try:
        await server.wait_ready()
        yield await Client.connect(server.address, data_converter=DATA_CONVERTER)
    finally:
        server.stop()


async def test_schedules_are_created_once(dev_server: Client, context: AppContext) -> None:
    await ensure_search_attributes(dev_server)  # registered on the command line: nothing to add
    await ensure_schedules(dev_server, context)
    await ensure_schedules(dev_server, context)  # a second worker start changes nothing
    ids = sorted([schedule.id async for schedule in await dev_server.list_schedules()])
    cities = sorted(c.slug for c in context.directory.all() if c.parent is not None)
    assert ids == sorted(["housekeeping", *(reevaluation_schedule_id(city) for city in cities)])
    described = await dev_server.get_schedule_handle(reevaluation_schedule_id("jinan")).describe()
    spec = described.schedule.spec
    assert spec.time_zone_name == "Asia/Shanghai"
    (calendar,) = spec.calendars
    assert [(r.start, r.end) for r in calendar.month] == [(1, 1)]
    assert [(r.start, r.end) for r in calendar.day_of_month] == [(5, 5)]
    assert [(r.start, r.end) for r in calendar.hour] == [(2, 2)]
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == SCHEDULED_REEVALUATION
