"""The ``jiequ`` command line: up, migrate, seed, api, worker.

The CLI is the composition root: it alone reaches every layer, so its commands import the service
and workflow packages where they run them (a command that needs neither, ``migrate``, loads neither);
the types of what they build are imported for the type checker only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from infra.local import DataFolderLock, free_port
from infra.local.postgres import EmbeddedPostgres
from infra.local.temporal_server import TemporalDevServer
from infra.migrate import upgrade
from infra.settings import Settings, get_settings

if TYPE_CHECKING:
    import uvicorn
    from litestar import Litestar
    from temporalio.client import Client

    from services.context import AppContext

log = logging.getLogger("jiequ")


@dataclass
class Stack:
    """The database and Temporal the commands run against, started locally where not configured."""

    settings: Settings
    database_url: str = ""
    temporal_address: str = ""
    temporal_ui: str | None = None
    postgres: EmbeddedPostgres | None = None
    temporal: TemporalDevServer | None = None
    lock: DataFolderLock | None = None
    notes: list[str] = field(default_factory=list)

    async def start(self, *, need_temporal: bool) -> None:
        """Start what is not configured; the servers are started from this (the main) thread, and die with it.

        The data folder belongs to one process at a time: while another runs it, ``up`` is refused and the
        other commands use the PostgreSQL that process runs.
        """
        data = self.settings.data_dir
        data.mkdir(parents=True, exist_ok=True)
        embedded_database = self.settings.database_url is None
        local_temporal = need_temporal and self.settings.temporal_address is None
        if embedded_database or local_temporal:
            self.lock = DataFolderLock(data)
            holder = self.lock.acquire()
            if holder is not None:
                self.lock = None
                if local_temporal:
                    raise SystemExit(
                        f"数据目录 {data} 正由进程 {holder} 使用（jiequ up 已在运行？）"
                        f" / the data folder {data} is in use by process {holder} (is jiequ up running?)"
                    )
                self.postgres = EmbeddedPostgres(data / "postgres")
                self.postgres.attach()  # the other process's server: it stays that process's to stop
                self.database_url = await self.postgres.ensure_database()
                self.postgres = None
        if local_temporal:
            self.temporal = TemporalDevServer(data / "temporal" / "temporal.db")
            self.temporal.start()
        if embedded_database and not self.database_url:
            self.postgres = EmbeddedPostgres(data / "postgres")
            self.postgres.start()
            self.database_url = await self.postgres.ensure_database()
        elif not embedded_database:
            self.database_url = self.settings.database_url or ""
        if self.temporal is not None:
            try:
                await self.temporal.wait_ready()
            except RuntimeError:
                # It exited: most likely another program took its port between our check and its bind.
                self.temporal.stop()
                self.temporal = TemporalDevServer(self.temporal.db_file, port=free_port(), ui_port=free_port())
                self.temporal.start()
                await self.temporal.wait_ready()
            self.temporal_address, self.temporal_ui = self.temporal.address, self.temporal.ui_url
            # The pages link the UI of the server started here, wherever its port ended up.
            self.settings = msgspec.structs.replace(self.settings, temporal_ui=self.temporal.ui_url)
        elif self.settings.temporal_address is not None:
            self.temporal_address = self.settings.temporal_address

    def stop(self) -> None:
        if self.temporal is not None:
            self.temporal.stop()
        if self.postgres is not None:
            self.postgres.stop()
        if self.lock is not None:
            self.lock.release()

    @contextlib.asynccontextmanager
    async def running(self, *, need_temporal: bool = False) -> AsyncIterator[Stack]:
        """The stack started for the block and stopped after it, however the block ends."""
        try:
            await self.start(need_temporal=need_temporal)
            yield self
        finally:
            self.stop()


async def _migrate(stack: Stack) -> None:
    await asyncio.to_thread(upgrade, stack.database_url)


async def _seed(stack: Stack, *, demo: bool, scale: str | None = None) -> dict[str, int]:
    from infra.db import make_engine, make_sessionmaker  # noqa: PLC0415
    from services.seeding import seed  # noqa: PLC0415

    engine = make_engine(stack.database_url, pool_size=2)
    try:
        return await seed(
            make_sessionmaker(engine),
            stack.settings,
            demo=demo,
            scale=scale,
            progress=lambda line: print(line, flush=True),
        )
    finally:
        await engine.dispose()


def _context(stack: Stack) -> AppContext:
    from infra.temporal import connect  # noqa: PLC0415
    from services.context import AppContext  # noqa: PLC0415

    async def temporal_connect() -> Client:
        return await connect(stack.settings, stack.temporal_address)

    return AppContext.create(stack.settings, stack.database_url, temporal_connect)


def api_server(app: Litestar, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for ``app`` that leaves signals to us, so shutdown runs in a known order, and that takes what
    the process made to start out of the garbage collector's sight once the app has started."""
    import uvicorn  # noqa: PLC0415

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            # The modules, mappers, templates and tenant directory live as long as the process: frozen, a full
            # collection no longer walks them, which held requests for tens of milliseconds (a route that reads
            # nothing: p99 at 32 connections 155-171 ms before, 42-57 ms after).
            gc.collect()
            gc.freeze()

    return Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))


def _api_server(context: AppContext, host: str, port: int) -> uvicorn.Server:
    from services.app import create_app  # noqa: PLC0415

    return api_server(create_app(context), host, port)


async def _run_worker(context: AppContext, stop: asyncio.Event) -> None:
    from workflows.worker import build_worker, ensure_schedules, ensure_search_attributes  # noqa: PLC0415

    client = await context.temporal()
    await context.load_directory()  # the cycle's activities and schedules are per tenant
    await ensure_search_attributes(client)
    await ensure_schedules(client, context)
    worker = build_worker(client, context)
    async with worker:
        await stop.wait()


def _stop_on_signals() -> asyncio.Event:
    """An event that SIGINT or SIGTERM sets: the long-running commands stop when it is set."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _until_stopped(stop: asyncio.Event, *tasks: asyncio.Task[Any]) -> None:
    """Wait for a signal, or for a task to end early (its error is raised after the others stop)."""
    waiter = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    stop.set()
    for task in done:
        if task is not waiter and task.exception() is not None:
            log.error("stopping: %s", task.exception())


def _banner(stack: Stack, host: str, port: int, seconds: float) -> str:
    base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
    lines = [
        "",
        f"  街区 Jiequ 已启动 / is up ({seconds:.1f} s)",
        f"  网页 Pages      {base}/   (从这里登录 / sign in here)",
        f"  API            {base}/api",
        f"  接口文档 Docs   {base}/schema/swagger",
        f"  OpenAPI        {base}/schema/openapi.json",
        f"  健康 Health     {base}/health",
    ]
    if stack.temporal_ui:
        lines.append(f"  Temporal UI    {stack.temporal_ui}")
    if stack.temporal_address:
        # What a second `jiequ worker` or `jiequ api` on this machine is given as TEMPORAL_ADDRESS.
        lines.append(f"  Temporal       {stack.temporal_address}")
    lines += [
        f"  数据 Data       {stack.settings.data_dir}" if stack.postgres else f"  数据库 Database {stack.database_url}",
        "",
        f"  演示账号 Demo logins (password {stack.settings.demo_password}):",
        "    province          山东省 province_admin",
        "    shandong-czt      山东省 department_viewer (财政; also -fgw 发展改革, -scj 市场监管)",
        "    jinan-admin       济南市 city_admin      (every city: <city>-admin, <city>-case)",
        "    jinan-case        济南市 caseworker",
        "    jinan-op-1        济南市 operator        (one per demo street: <city>-op-<n>)",
        "",
        "  Ctrl-C 停止 / stops everything",
        "",
    ]
    return "\n".join(lines)


def _import_app() -> None:
    """Import the API's and the worker's modules (about a second of Python): run beside the servers' start."""
    import services.app  # noqa: F401, PLC0415
    import workflows.worker  # noqa: F401, PLC0415


async def cmd_up(host: str, port: int) -> None:
    started = time.monotonic()
    stack = Stack(get_settings())
    stop = _stop_on_signals()
    imported = asyncio.create_task(asyncio.to_thread(_import_app))
    async with stack.running(need_temporal=True):
        await _migrate(stack)
        await _seed(stack, demo=True)
        await imported
        context = _context(stack)
        server = _api_server(context, host, port)
        api = asyncio.create_task(server.serve())
        worker = asyncio.create_task(_run_worker(context, stop))
        await _wait_healthy(port)
        print(_banner(stack, host, port, time.monotonic() - started), flush=True)
        await _until_stopped(stop, api, worker)
        # Order matters: the API stops taking requests, the worker drains, then the servers stop.
        server.should_exit = True
        await asyncio.gather(api, worker, return_exceptions=True)
        await context.close()


async def _wait_healthy(port: int, timeout: float = 60.0) -> None:
    import httpx  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise TimeoutError("the API did not become healthy in time")


async def cmd_migrate() -> None:
    async with Stack(get_settings()).running() as stack:
        await _migrate(stack)
        print("migrated / 迁移完成")


async def cmd_seed(demo: bool, scale: str | None) -> None:
    async with Stack(get_settings()).running() as stack:
        await _migrate(stack)
        created = await _seed(stack, demo=demo, scale=scale)
        print(f"seeded / 已写入: {created}")


async def _verify_audit(stack: Stack, tenant: str | None) -> int:
    """Print each tenant's chain, the first broken link where there is one; how many chains are broken."""
    from infra.db import make_engine, make_sessionmaker, owner_transaction  # noqa: PLC0415
    from services.audit.chain import verify  # noqa: PLC0415

    engine = make_engine(stack.database_url, pool_size=1)
    try:
        async with owner_transaction(make_sessionmaker(engine)) as session:
            reports = await verify(session, tenant)
    finally:
        await engine.dispose()
    for report in reports:
        if report.broken is None:
            print(f"{report.tenant}: {report.rows} 行，链完整 / {report.rows} rows, chain intact")
        else:
            print(f"{report.tenant}: 链断裂 / chain broken — {report.broken.describe(report.tenant)}")
    if tenant is not None and not reports:
        print(f"{tenant}: 没有审计记录 / no audit rows")
    return sum(report.broken is not None for report in reports)


async def cmd_audit_verify(tenant: str | None) -> None:
    async with Stack(get_settings()).running() as stack:
        broken = await _verify_audit(stack, tenant)
    if broken:
        raise SystemExit(1)


async def cmd_api(host: str, port: int) -> None:
    stack = Stack(get_settings())
    stop = _stop_on_signals()
    async with stack.running():
        context = _context(stack)
        server = _api_server(context, host, port)
        api = asyncio.create_task(server.serve())
        await _until_stopped(stop, api)
        server.should_exit = True
        await asyncio.gather(api, return_exceptions=True)
        await context.close()


async def cmd_worker() -> None:
    stack = Stack(get_settings())
    stop = _stop_on_signals()
    async with stack.running():
        context = _context(stack)
        worker = asyncio.create_task(_run_worker(context, stop))
        await _until_stopped(stop, worker)
        await asyncio.gather(worker, return_exceptions=True)
        await context.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="jiequ", description="街区 Jiequ — 山东省创业街区 / entrepreneurship streets")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="the whole product on this machine, with demo data")
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    commands.add_parser("migrate", help="apply the database migrations")
    seed = commands.add_parser("seed", help="seed tenants; --demo adds demo users and streets")
    seed.add_argument("--demo", action="store_true")
    seed.add_argument("--scale", choices=["national"], default=None)
    api = commands.add_parser("api", help="serve the HTTP API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    commands.add_parser("worker", help="run the Temporal worker")
    audit = commands.add_parser("audit", help="the audit trail: verify its hash chains")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser("verify", help="recompute every chain; exit 1 when one is broken")
    verify.add_argument("--tenant", default=None, help="one tenant's chain (its slug)")
    args = parser.parse_args(argv)
    level = os.environ.get("JIEQU_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    runners: dict[str, Callable[[], Coroutine[Any, Any, None]]] = {
        "up": lambda: cmd_up(args.host, args.port),
        "migrate": cmd_migrate,
        "seed": lambda: cmd_seed(args.demo, args.scale),
        "api": lambda: cmd_api(args.host, args.port),
        "worker": cmd_worker,
        "audit": lambda: cmd_audit_verify(args.tenant),
    }
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(runners[args.command]())
    _exit_past_temporal_threads()


def _exit_past_temporal_threads() -> None:
    """End the process once the command has shut down cleanly, skipping the interpreter's teardown.

    Temporal's Rust core keeps native threads that may call back into Python while the interpreter
    finalizes, which aborts the process ("PyGILState_Release … must be current", temporalio/sdk-python#300).
    Everything the command owns is closed by now; only the output is left to flush.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
