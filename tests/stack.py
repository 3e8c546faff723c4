"""`jiequ up` as a child process on a free port, for the tests that need the whole product."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from infra.local import free_port, interrupt
from tests.polling import eventually

STARTUP_LIMIT = 180.0
DEMO_PASSWORD = "demo-pass-2024"


class Stack(NamedTuple):
    process: subprocess.Popen[bytes]
    url: str
    health: dict[str, Any]
    """The first healthy answer of ``/health``."""
    output: str
    """What ``jiequ up`` printed until then (its banner)."""


async def start_stack(data_dir: Path, port: int | None = None, demo_password: str | None = None) -> Stack:
    """Start ``jiequ up`` over ``data_dir`` (embedded PostgreSQL, Temporal's dev server, demo data) and
    return once it answers healthy; it is killed if it exits or is not healthy within STARTUP_LIMIT."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")}
    env["JIEQU_DATA_DIR"] = str(data_dir)
    if demo_password is not None:
        env["JIEQU_DEMO_PASSWORD"] = demo_password
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir.parent / f"up-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: ASYNC220 - a long-running child, polled below
            [sys.executable, "-m", "infra.cli", "up", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )

    async with httpx.AsyncClient() as client:

        async def healthy() -> dict[str, Any] | None:
            if process.poll() is not None:
                raise AssertionError(f"jiequ up exited early:\n{log.read_text()[-3000:]}")
            try:
                response = await client.get(f"{url}/health", timeout=5)
            except httpx.HTTPError:
                return None
            if response.status_code != 200:
                return None
            answer: dict[str, Any] = response.json()
            return answer

        try:
            health = await eventually(healthy, timeout=STARTUP_LIMIT, interval=0.5, what="jiequ up to be healthy")
        except AssertionError:
            if process.poll() is None:
                process.kill()
                process.wait(10)
                raise AssertionError(f"jiequ up did not become healthy:\n{log.read_text()[-3000:]}") from None
            raise
    await asyncio.sleep(0.5)  # the banner follows the first healthy answer
    return Stack(process, url, health, log.read_text())


def stop_stack(process: subprocess.Popen[bytes]) -> None:
    """Ctrl-C, as a person would stop it; killed (and the test failed) if it has not stopped within a minute."""
    if not interrupt(process):
        raise TimeoutError("jiequ up did not stop within a minute of Ctrl-C")


@asynccontextmanager
async def running_stack(data_dir: Path) -> AsyncIterator[str]:
    """``jiequ up`` over ``data_dir`` with the demo password DEMO_PASSWORD, for the block; yields its base URL."""
    stack = await start_stack(data_dir, demo_password=DEMO_PASSWORD)
    try:
        yield stack.url
    finally:
        stop_stack(stack.process)
