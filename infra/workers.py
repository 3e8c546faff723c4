"""Child processes that die with their parent, and a pool of worker processes with a time limit per job.

Work a caller supplies that may run for an unbounded time (compiling a proposed ruleset in the native
rules engine, which holds the GIL while it works) runs in a worker process: the event loop only waits on
a pipe, and a worker that overruns its job's time limit is killed and replaced.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL, parent: int | None = None) -> None:
    """Ask Linux to send ``sig`` to this process when its parent dies (even by ``kill -9``).

    The kernel delivers it when the *thread* that started this process exits, so start children from a
    thread that lives as long as the parent (the main thread). ``parent`` is the pid this process was
    started by: if it is already gone (it died before this call), the signal is sent at once.
    Elsewhere than Linux this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)


def dying_with_parent(sig: int, user: str | None = None) -> Callable[[], None]:
    """A ``preexec_fn`` for ``subprocess.Popen``: the child runs as ``user`` (if given) and dies with us.

    The user is switched here, before the death signal is set, because Linux clears that signal when a
    process changes its user.
    """
    parent = os.getpid()
    ids: tuple[int, int, list[int]] | None = None
    if user is not None:
        import pwd  # noqa: PLC0415 - POSIX only

        entry = pwd.getpwnam(user)
        ids = (entry.pw_uid, entry.pw_gid, os.getgrouplist(user, entry.pw_gid))

    def preexec() -> None:
        if ids is not None:
            uid, gid, groups = ids
            os.setgroups(groups)
            os.setgid(gid)
            os.setuid(uid)
        die_with_parent(sig, parent)

    return preexec


class WorkerTimeoutError(TimeoutError):
    """A job did not finish within its time limit; its worker was stopped and replaced."""


class WorkerError(RuntimeError):
    """A job raised in its worker, or its worker died; ``reason`` says which and how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _serve(connection: Connection, parent: int) -> None:
    """A worker's loop: run each job it is sent, answer ("ok", result) or ("error", text)."""
    die_with_parent(signal.SIGKILL, parent)
    while True:
        try:
            job = connection.recv_bytes()
        except (EOFError, OSError):
            return  # the pool closed its end
        try:
            function, args = pickle.loads(job)  # noqa: S301 - sent by the pool that started this process
            answer: tuple[str, Any] = ("ok", function(*args))
        except Exception as exc:
            answer = ("error", f"{type(exc).__name__}: {exc}")
        connection.send(answer)


class _Worker:
    def __init__(self, context: Any) -> None:
        self.connection, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child, os.getpid()), daemon=True, name="jiequ-worker"
        )
        self.process.start()
        child.close()
        self.jobs = 0

    def kill(self) -> None:
        """Kill the process at once (it may be stuck in native code that no gentler signal interrupts).

        A thread blocked reading its pipe then sees the end of the stream.
        """
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)

    def exchange(self, function: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
        """Send a job and wait for its answer (blocking: run in a thread)."""
        self.connection.send((function, args))
        answer: tuple[str, Any] = self.connection.recv()
        return answer


class WorkerPool:
    """A few worker processes (spawned, not forked) that run module-level functions with a time limit.

    Workers start on first use, from the event loop's thread (the thread whose exit kills them), and are
    replaced after ``max_jobs`` jobs so that whatever a job leaves behind in a worker stays bounded. A
    worker whose job overran, raised, died or was cancelled is killed and replaced. A job waits for a free
    worker within the same time limit.
    """

    def __init__(self, workers: int = 1, time_limit: float = 30.0, max_jobs: int = 50) -> None:
        self.size = workers
        self.time_limit = time_limit
        self.max_jobs = max_jobs
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[_Worker] = set()
        # Blocking pipe reads and writes wait here, never on the event loop (nor in the default executor).
        self._io = ThreadPoolExecutor(max_workers=2 * workers, thread_name_prefix="jiequ-worker-io")
        self._closed = False

    def _start_worker(self) -> _Worker:
        worker = _Worker(self._context)
        self._all.add(worker)
        return worker

    def _queue(self) -> asyncio.Queue[_Worker]:
        if self._idle is None:
            self._idle = asyncio.Queue()
            for _ in range(self.size):
                self._idle.put_nowait(self._start_worker())
        return self._idle

    def pids(self) -> list[int]:
        """The process ids of the workers started and not yet retired."""
        return [w.process.pid for w in self._all if w.process.pid is not None]

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker; WorkerTimeoutError past the time limit, WorkerError if it raised or died.

        ``function`` and its arguments are pickled: a module-level function and plain data.
        """
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + self.time_limit
        queue = self._queue()
        try:
            worker = await asyncio.wait_for(queue.get(), self.time_limit)
        except TimeoutError:
            raise WorkerTimeoutError(f"no worker became free within {self.time_limit:g} s") from None
        exchange = loop.run_in_executor(self._io, worker.exchange, function, args)
        keep = False
        try:
            remaining = max(deadline - time.monotonic(), 0.001)
            try:
                status, value = await asyncio.wait_for(asyncio.shield(exchange), remaining)
            except TimeoutError:
                log.warning("a worker job overran its %g s limit; the worker is replaced", self.time_limit)
                raise WorkerTimeoutError(f"the job did not finish within {self.time_limit:g} s") from None
            except (EOFError, OSError) as exc:
                raise WorkerError(f"the worker process ended unexpectedly ({exc!r})") from exc
            if status != "ok":
                raise WorkerError(str(value))
            worker.jobs += 1
            keep = worker.jobs < self.max_jobs
            return value  # type: ignore[no-any-return]  # the function's own result, unpickled
        finally:
            if not keep:
                self._all.discard(worker)
                await loop.run_in_executor(self._io, worker.kill)
                with contextlib.suppress(Exception):
                    await exchange  # ends once the worker is gone: its pipe breaks
                worker.connection.close()
            if not self._closed:
                queue.put_nowait(worker if keep else self._start_worker())

    def close(self) -> None:
        """Stop every worker (a job still running is killed)."""
        self._closed = True
        for worker in list(self._all):
            worker.kill()
            worker.connection.close()
        self._all.clear()
        self._io.shutdown(wait=False, cancel_futures=True)
