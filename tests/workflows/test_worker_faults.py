"""A worker killed mid-activity: another worker retries the activity within the heartbeat timeout, and the
cycle goes on (before, a dead worker's attempt waited for a 10-minute start-to-close timeout)."""

from __future__ import annotations

import asyncio
import sys
from datetime import datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.context import AppContext
from tenants.calendar import day_end, year_start
from tests.conftest import repo_root
from tests.polling import eventually
from tests.workflows.clock import next_year, skip_to
from tests.workflows.cycle_fixtures import CycleData
from workflows import client as cycles
from workflows.cycle.activities import CycleActivities
from workflows.cycle.payloads import AssessInput
from workflows.cycle.schemas import Application, Candidate
from workflows.heartbeats import HEARTBEAT_TIMEOUT
from workflows.worker import WORKFLOWS, activities


class Recording(CycleActivities):
    """The real assessment, noting when each attempt was scheduled (server time) and which attempt it was."""

    def __init__(self, context: AppContext, client: Client) -> None:
        super().__init__(context, client)
        self.attempts: list[tuple[int, datetime]] = []

    @activity.defn(name="cycle_assess")
    async def assess(self, params: AssessInput) -> tuple[Candidate, ...]:
        info = activity.info()
        self.attempts.append((info.attempt, info.current_attempt_scheduled_time))
        return await super().assess(params)


async def said(process: asyncio.subprocess.Process, word: bytes) -> list[bytes]:
    """The next line starting with `word` that the worker process prints (its SDK logs to the same stream)."""
    assert process.stdout is not None
    while line := await process.stdout.readline():
        if line.startswith(word):
            return line.split()
    raise AssertionError(f"the worker process ended before it said {word!r}")


async def test_a_killed_worker_s_activity_is_retried_within_the_heartbeat_timeout(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext
) -> None:
    env, context = temporal_env, cycle_context
    queue = context.settings.task_queue
    year = await next_year(env)
    data = CycleData(context, year)
    street = await data.street("jinan", "芙蓉街创业街区")
    # The first worker runs in a process of its own, and its screening assessment never finishes.
    hanging = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.workflows.hanging_worker",
        env.client.service_client.config.target_host,
        queue,
        context.database_url,
        cwd=repo_root(),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(said(hanging, b"ready"), timeout=120)
        assert await cycles.start_cycle(env.client, "jinan", year, queue)
        opened = await eventually(
            lambda: cycles.cycle_view(env.client, "jinan", year), lambda v: v.application_window is not None
        )
        assert opened.application_window is not None
        await skip_to(env, year_start(year))
        await cycles.apply(env.client, "jinan", year, Application(street_id=street.id, applied_by="jinan-admin"))
        # Exactly to the close: the test server's clock does not skip past a running activity.
        await skip_to(env, day_end(opened.application_window[1]), extra=timedelta(0))
        assert await asyncio.wait_for(said(hanging, b"started"), timeout=120) == [b"started", b"1", b"screening"]

        hanging.kill()  # SIGKILL: no completion, no goodbye; its heartbeats stop
        await hanging.wait()
        killed_at = await env.get_current_time()
        recording = Recording(context, env.client)
        chosen: list[Any] = [a for a in activities(context, env.client) if getattr(a, "__name__", "") != "assess"]
        async with Worker(env.client, task_queue=queue, workflows=WORKFLOWS, activities=[*chosen, recording.assess]):
            view = await eventually(
                lambda: cycles.cycle_view(env.client, "jinan", year), lambda v: v.phase == "recommendation", timeout=120
            )
        assert [c.street_id for c in view.screening] == [street.id]
        assert len(recording.attempts) == 1
        attempt, scheduled = recording.attempts[0]
        assert attempt == 2
        # Retried once the heartbeat timeout passed (plus the first retry interval of a second).
        assert scheduled - killed_at <= HEARTBEAT_TIMEOUT + timedelta(seconds=5)
    finally:
        if hanging.returncode is None:
            hanging.kill()
            await hanging.wait()
