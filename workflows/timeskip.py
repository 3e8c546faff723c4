"""Sleeping on Temporal's time-skipping test server without the client's 30-second deadline (for the
workflow tests and the cycle benchmark).

``WorkflowEnvironment.sleep`` sends ``UnlockTimeSkippingWithSleep`` with the client's default deadline of
30 s of real time. While the worker is busy the server's clock waits for it, so on a loaded machine a
long sleep can outlast that deadline: the call then fails, and the server, which still takes its
lock back when the time comes, is left with one lock too many (its clock then runs at wall-clock pace).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio.api.testservice.v1 import SleepRequest
from temporalio.testing import WorkflowEnvironment

DEADLINE = timedelta(minutes=10)


async def sleep(env: WorkflowEnvironment, duration: timedelta) -> None:
    """Advance the test server's clock by ``duration``, firing the timers on the way."""
    request = SleepRequest()
    request.duration.FromTimedelta(duration)
    await env.client.test_service.unlock_time_skipping_with_sleep(request, timeout=DEADLINE)


async def skip_to(env: WorkflowEnvironment, when: datetime, step: timedelta = timedelta(days=14)) -> None:
    """Advance the test server's clock to ``when`` in steps of ``step``, each well within ``DEADLINE``
    however busy the activities the skip sets off keep the worker."""
    while (remaining := when - await env.get_current_time()) > timedelta(0):
        await sleep(env, min(remaining, step))
