"""The one way tests wait for something that happens elsewhere (a workflow, a process, a thread): poll."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

T = TypeVar("T")


# One signature per kind of probe: against their union, an async probe left `T` unsolved.
@overload
async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    check: Callable[[T], bool] = bool,
    timeout: float = 60,
    interval: float = 0.1,
    what: str = "",
) -> T: ...


@overload
async def eventually(
    probe: Callable[[], T | None],
    check: Callable[[T], bool] = bool,
    timeout: float = 60,
    interval: float = 0.1,
    what: str = "",
) -> T: ...


async def eventually(
    probe: Callable[[], Awaitable[T | None] | T | None],
    check: Callable[[T], bool] = bool,
    timeout: float = 60,
    interval: float = 0.1,
    what: str = "",
) -> T:
    """Call `probe` in real time until `check` holds for what it returns, and return that; after `timeout`
    seconds fail, naming `what` was awaited and the last value seen. `probe` may be plain or async.

    On the time-skipping server the clock stays put meanwhile: only activities and queries run.
    """
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        seen = probe()
        last = await seen if inspect.isawaitable(seen) else seen
        if last is not None and check(last):
            return last
        if time.monotonic() >= deadline:
            awaited = f" for {what}" if what else ""
            raise AssertionError(f"timed out after {timeout} s waiting{awaited}; last seen: {last!r}")
        await asyncio.sleep(interval)
