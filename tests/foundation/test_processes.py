"""No process outlives its parent: `kill -9` of `jiequ up` takes its servers and workers along, a leftover
server from an earlier run is found and stopped, and two Temporal dev servers never share a state file."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import httpx
import psutil
import pytest

from infra.local import DataFolderLock, free_port
from infra.local.postgres import EmbeddedPostgres
from infra.local.temporal_server import StateFileInUseError, TemporalDevServer
from tests.polling import eventually
from tests.stack import start_stack, stop_stack

GONE_WITHIN = 30.0


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those still running (a zombie, dead but not yet reaped by whoever adopted it, is gone)."""
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            continue
    return alive


async def _wait_gone(processes: list[psutil.Process], within: float = GONE_WITHIN) -> list[psutil.Process]:
    """Those still running once all are gone or `within` seconds have passed."""
    try:
        return await eventually(lambda: _alive(processes), lambda alive: not alive, timeout=within, interval=0.2)
    except AssertionError:
        return _alive(processes)


def _names(processes: list[psutil.Process]) -> list[str]:
    names = []
    for process in processes:
        try:
            names.append(f"{process.pid} {' '.join(process.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            continue
    return names


@pytest.mark.slow
async def test_kill_9_of_up_takes_every_child_and_a_second_up_starts_cleanly(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    process, _, _, _ = await start_stack(data_dir, port)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            login = await client.post("/api/auth/login", json={"username": "jinan-admin", "password": "demo-pass-2024"})
            token = login.json()["accessToken"]
            # A simulation starts a rules worker process: it must go as well.
            simulated = await client.post(
                "/api/tenants/jinan/rules/simulate",
                json={"year": 2025},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            assert simulated.status_code == 200, simulated.text
        children = psutil.Process(process.pid).children(recursive=True)
        commands = " ".join(" ".join(c.cmdline()) for c in children)
        assert "postgres" in commands
        assert "temporal" in commands
        assert "multiprocessing" in commands  # the rules worker

        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)

        left = await _wait_gone(children)
        assert not left, f"left running after kill -9: {_names(left)}"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)

    process, _, health, _ = await start_stack(data_dir)
    try:
        assert health["status"] == "ok"
        children = psutil.Process(process.pid).children(recursive=True)
    finally:
        stop_stack(process)
    assert not await _wait_gone(children)


def test_a_data_folder_has_one_owner_at_a_time(tmp_path: Path) -> None:
    first, second = DataFolderLock(tmp_path), DataFolderLock(tmp_path)

    assert first.acquire() is None
    assert second.acquire() == os.getpid()
    first.release()
    assert second.acquire() is None
    second.release()


async def test_two_temporal_servers_never_share_a_state_file_and_a_leftover_is_stopped(tmp_path: Path) -> None:
    state = tmp_path / "temporal" / "temporal.db"
    first = TemporalDevServer(state, port=free_port(), ui_port=free_port())
    first.start()
    second = TemporalDevServer(state, port=free_port(), ui_port=free_port())
    try:
        await first.wait_ready()
        leftover = psutil.Process(int(first.lock_file.read_text()))

        with pytest.raises(StateFileInUseError):
            second.start(stop_leftover=False)

        # As `up` does once it owns the data folder: the server still on the file is a leftover.
        second.start()
        await second.wait_ready()
        assert not await _wait_gone([leftover], within=1)
        assert int(second.lock_file.read_text()) != leftover.pid
    finally:
        second.stop()
        first.stop()


async def test_a_temporal_server_that_finds_a_port_taken_starts_again_on_another(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        server = TemporalDevServer(tmp_path / "temporal.db", http_port=port)
        server.start()
        try:
            await server.wait_ready()
            assert server.http_port != port
            assert "address already in use" in server.log_file.read_text(encoding="utf-8")
        finally:
            server.stop()


def test_a_leftover_postgres_is_stopped_and_its_socket_folder_is_private(tmp_path: Path) -> None:
    first = EmbeddedPostgres(tmp_path / "postgres")
    first.start()
    second = EmbeddedPostgres(tmp_path / "postgres")
    try:
        pid = int((tmp_path / "postgres" / "postmaster.pid").read_text().split()[0])
        assert (first.socket_dir.stat().st_mode & 0o777) == 0o700

        second.start()

        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        assert int((tmp_path / "postgres" / "postmaster.pid").read_text().split()[0]) != pid
    finally:
        second.stop()
        first.stop()
