"""`jiequ up` as a child process on a free port, for the tests that need the whole product."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from infra.local import free_port

STARTUP_LIMIT = 180.0
DEMO_PASSWORD = "demo-pass-2024"


@contextmanager
def running_stack(data_dir: Path) -> Iterator[str]:
    """Start ``jiequ up`` over ``data_dir`` (embedded PostgreSQL, Temporal's dev server, demo data) and
    yield its base URL once healthy; Ctrl-C stops it when the block ends."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")}
    env["JIEQU_DATA_DIR"] = str(data_dir)
    env["JIEQU_DEMO_PASSWORD"] = DEMO_PASSWORD
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir.parent / f"up-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", "up", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jiequ up exited early:\n{log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jiequ up did not become healthy:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
