"""The Temporal worker on the project's task queue, and the schedules it keeps."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleRange,
    ScheduleSpec,
)
from temporalio.worker import Worker

from infra.settings import Settings
from workflows.housekeeping.activities import HousekeepingActivities, PurgeInput
from workflows.housekeeping.workflows import HousekeepingWorkflow

WORKFLOWS: list[type] = [HousekeepingWorkflow]


def activities(sessions: async_sessionmaker[AsyncSession]) -> Sequence[Callable[..., Any]]:
    housekeeping = HousekeepingActivities(sessions)
    return [housekeeping.purge_login_throttle]


def build_worker(client: Client, settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=activities(sessions),
    )


async def ensure_schedules(client: Client, settings: Settings) -> None:
    """Create the standing schedules once; an existing one is left as it is."""
    with contextlib.suppress(ScheduleAlreadyRunningError):
        await client.create_schedule(
            "housekeeping",
            Schedule(
                action=ScheduleActionStartWorkflow(
                    HousekeepingWorkflow.run, PurgeInput(), id="housekeeping", task_queue=settings.task_queue
                ),
                spec=ScheduleSpec(
                    calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(3)])], time_zone_name="Asia/Shanghai"
                ),
            ),
        )
