"""The time-skipping server's clock in the workflow tests: the year a test works in, and skipping ahead."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio.testing import WorkflowEnvironment

from workflows import timeskip


async def next_year(env: WorkflowEnvironment) -> int:
    """The year after the server's current one: a cycle started now opens its window on 1 January, and
    every deadline of that year lies ahead of the clock."""
    return (await env.get_current_time()).year + 1


async def skip_to(env: WorkflowEnvironment, when: datetime, extra: timedelta = timedelta(hours=1)) -> None:
    """Advance the server's clock to `when` (+ `extra`), firing the timers on the way."""
    await timeskip.skip_to(env, when + extra)
