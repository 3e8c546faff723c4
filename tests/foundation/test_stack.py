"""`jiequ up` on a free port: healthy with its own PostgreSQL and Temporal; a second run adds no demo twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from infra.local import free_port

STARTUP_LIMIT = 180.0


async def _start_and_wait(data_dir: Path, port: int) -> tuple[subprocess.Popen[bytes], dict[str, str], str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")}
    env["JIEQU_DATA_DIR"] = str(data_dir)
    log = data_dir.parent / f"up-{port}.log"
    process = subprocess.Popen(  # noqa: ASYNC220 - a long-running child we poll below
        [sys.executable, "-m", "infra.cli", "up", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + STARTUP_LIMIT
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"jiequ up exited early:\n{log.read_text()[-3000:]}")
            try:
                response = await client.get(f"http://127.0.0.1:{port}/health")
                if response.status_code == 200:
                    await asyncio.sleep(0.5)  # the banner follows the first healthy answer
                    return process, response.json(), log.read_text()
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    process.kill()
    pytest.fail(f"jiequ up did not become healthy:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        raise


async def _count(data_dir: Path, table: str) -> int:
    """Count rows as the owner through the stopped stack's data folder (started just for this)."""
    from infra.local import EmbeddedPostgres  # noqa: PLC0415

    server = EmbeddedPostgres(data_dir / "postgres")
    server.start()  # from this thread, which outlives the server (it dies with the thread that started it)
    try:
        connection = await asyncpg.connect(server.url())
        try:
            return int(await connection.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608 - fixed names
        finally:
            await connection.close()
    finally:
        server.stop()


@pytest.mark.slow
async def test_up_is_healthy_prints_urls_and_a_second_up_duplicates_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    process, health, output = await _start_and_wait(data_dir, port)
    try:
        assert health == {"status": "ok", "database": "ok", "temporal": "ok"}
        assert f"http://127.0.0.1:{port}/api" in output
        assert "demo-pass-2024" in output
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            login = await client.post("/api/auth/login", json={"username": "province", "password": "demo-pass-2024"})
            assert login.status_code == 201
    finally:
        _stop(process)
    assert process.returncode is not None
    users, streets = await _count(data_dir, "users"), await _count(data_dir, "streets")

    process, health, _ = await _start_and_wait(data_dir, free_port())
    try:
        assert health["status"] == "ok"
    finally:
        _stop(process)
    assert await _count(data_dir, "users") == users
    assert await _count(data_dir, "streets") == streets
