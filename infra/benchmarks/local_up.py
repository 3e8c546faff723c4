"""``jiequ up`` as a child process of a benchmark: started on a data folder, awaited until healthy, stopped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

from infra.local import interrupt


@contextlib.asynccontextmanager
async def jiequ_up(data: Path, port: int, log: Path, *, poll: float = 0.5) -> AsyncIterator[float]:
    """Run ``jiequ up`` on ``port`` with ``data`` as its data folder (embedded PostgreSQL and Temporal's dev
    server, whatever ``DATABASE_URL`` and ``TEMPORAL_ADDRESS`` say); yields the seconds from its start until
    ``/health`` answered 200, polled every ``poll`` seconds. Stopped with SIGINT, as a person stops it."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")}
    env["JIEQU_DATA_DIR"] = str(data)
    started = time.monotonic()
    process = subprocess.Popen(  # noqa: S603, ASYNC220 - our own CLI, stopped below
        [sys.executable, "-m", "infra.cli", "up", "--port", str(port)],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = started + 300
            while time.monotonic() < deadline:
                if process.poll() is not None:
                    raise SystemExit(f"jiequ up exited; see {log}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get("/health", timeout=5)).status_code == 200:
                        break
                await asyncio.sleep(poll)
            else:
                raise SystemExit("jiequ up did not become healthy within 300 s")
        yield time.monotonic() - started
    finally:
        interrupt(process)
