"""Activity timeouts, and the heartbeat that lets Temporal retry a long activity whose worker died.

Without a heartbeat, Temporal learns that a worker died only when the attempt's start-to-close timeout
passes; the cycle's once waited 10 minutes. So: a short activity (a read, a few writes, a signal) gets a
short start-to-close timeout, and a long one (a city's assessments, a status change of many streets, a
province's refresh) heartbeats while it works and has a heartbeat timeout of well under a minute, after
which another worker retries it. Every activity is idempotent, so the retry writes nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Final, ParamSpec, TypeVar

from temporalio import activity

SHORT_TIMEOUT: Final = timedelta(minutes=1)
"""Start-to-close of a short activity: a dead worker's attempt is retried after this."""
LONG_TIMEOUT: Final = timedelta(hours=1)
"""Start-to-close of a long activity: the bound on one attempt that heartbeats all along."""
HEARTBEAT_TIMEOUT: Final = timedelta(seconds=30)
"""A long activity silent this long is retried elsewhere: its worker is taken for dead."""
HEARTBEAT_EVERY: Final = timedelta(seconds=5)
"""Well within the timeout, even on a loaded event loop (the SDK throttles what it sends to the server)."""

P = ParamSpec("P")
R = TypeVar("R")


@contextlib.asynccontextmanager
async def beating(every: timedelta = HEARTBEAT_EVERY) -> AsyncIterator[None]:
    """Heartbeat every `every` while the body runs, from a task of the activity's own event loop.

    The beat stops with the process, which is what tells Temporal that the worker died; a body that is
    merely slow keeps beating, bounded by the activity's start-to-close timeout. The first beat comes
    after `every`, not at the start: the server's heartbeat timeout runs from the attempt's start, and an
    activity done sooner (most are) costs the server no heartbeat to record.
    """

    async def beat() -> None:
        while True:
            await asyncio.sleep(every.total_seconds())
            activity.heartbeat()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def heartbeating(method: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run an activity (apply under ``@activity.defn``) inside :func:`beating`."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        async with beating():
            return await method(*args, **kwargs)

    return run
