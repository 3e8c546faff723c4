"""Benchmark (not a test): the API's read endpoints against a bare handler that returns the same rows.

    .venv/bin/python -m infra.benchmarks.request_path [--seconds 10] [--connections 32]

Needs ``wrk`` (Debian: ``apt-get install wrk``). The script starts an embedded PostgreSQL in a temporary
folder (or takes ``--database-url``), migrates it and loads the demo data, then runs the servers side by
side, one process each: ``jiequ api`` (authentication, the guard, the request's transaction under
row-level security, the domain service, msgspec) and a bare Litestar app in this module that answers each
path with one asyncpg query returning the same rows as JSON (no authentication, no RLS, no ORM). For
each endpoint wrk runs ``--seconds`` against the app, then against the bare query inside a tenant transaction
as the app runs its statements (``rls``: BEGIN, the role and tenants set for the transaction, the query,
COMMIT; the floor that row-level security sets), then against the bare query alone (2 threads,
``--connections``), and the script prints requests per second, the ratios app/bare and rls/bare and the p99
latency of app and bare. First it measures the app's own floor on a third server, the app itself with two more
routes under a tenant path that read nothing: one as every endpoint runs (authentication, the guard, the tenant
checked against the caller, the request's transaction with its tenant settings through SQLAlchemy's session, an
answer of one field), whose requests per second no endpoint can pass, whatever its query (the column
``floor/bare`` says what that leaves against each bare query); and one with the same authentication whose
transaction runs on a raw asyncpg pool instead, what the floor would be with no SQLAlchemy at all.
Goal (issue 16): every ratio ≥ 0.5 with the app's p99 ≤ 50 ms at 32 connections on 2 cores. It measures; it
asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import asyncpg
import httpx
from litestar import Litestar, Response, get
from litestar.handlers import HTTPRouteHandler

from infra.db import APP_ROLE
from infra.local import free_port, interrupt

CITY: Final = "jinan"
ADMIN: Final = "jinan-admin"
PASSWORD: Final = "demo-pass-2024"  # noqa: S105 - the documented demo password
GOAL_RATIO: Final = 0.5
GOAL_P99_MS: Final = 50.0

# Each bare query answers with the JSON of the rows the endpoint returns, in one round trip.
_STREETS_SQL: Final = """
SELECT coalesce(json_agg(s ORDER BY s.id), '[]')::text FROM (
  SELECT st.*, to_json(o) AS operator,
         (SELECT json_build_object('center', c, 'staff',
                 (SELECT coalesce(json_agg(m ORDER BY m.id), '[]') FROM center_staff m
                   WHERE m.tenant_id = st.tenant_id AND m.street_id = st.id))
            FROM centers c WHERE c.tenant_id = st.tenant_id AND c.street_id = st.id) AS center
    FROM streets st LEFT JOIN operators o ON o.tenant_id = st.tenant_id AND o.id = st.operator_id
   WHERE st.tenant_id = $1 {where} ORDER BY st.id LIMIT 50) s
"""
BARE_QUERIES: Final = {
    "streets": _STREETS_SQL.format(where=""),
    "street": _STREETS_SQL.format(where="AND st.id = $2"),
    "entities": "SELECT coalesce(json_agg(e ORDER BY e.id), '[]')::text FROM (SELECT * FROM entities"
    " WHERE tenant_id = $1 AND street_id = $2 ORDER BY id LIMIT 50) e",
    "ledger": "SELECT coalesce(json_agg(l ORDER BY l.id), '[]')::text FROM (SELECT l.*, e.name AS entity_name"
    " FROM ledger_entries l JOIN entities e ON e.tenant_id = l.tenant_id AND e.id = l.entity_id"
    " WHERE l.tenant_id = $1 ORDER BY l.id LIMIT 50) l",
    "notifications": "SELECT coalesce(json_agg(n ORDER BY n.id DESC), '[]')::text FROM (SELECT * FROM notifications"
    " WHERE tenant_id = $1 AND username = 'jinan-admin' ORDER BY id DESC LIMIT 50) n",
    "fields": "SELECT coalesce(json_agg(f ORDER BY f.key), '[]')::text FROM custom_fields f WHERE f.tenant_id = $1",
}


_SET_CONTEXT: Final = (
    "SELECT set_config('role', $1, true), set_config('app.tenant_ids', $2, true),"
    " set_config('app.write_tenant_ids', $3, true)"
)
"""The app's tenant settings (``infra.db.set_tenant_context``), in asyncpg's placeholders."""


class BarePool:
    """The bare apps' database: one asyncpg pool, opened as the app starts and closed as it stops; each request
    is one statement whose single value is the answer's JSON, made by PostgreSQL."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        self.pool = await asyncpg.create_pool(self.database_url, min_size=10, max_size=10)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def answer(self, sql: str, *args: object, status_code: int = 200) -> Response[bytes]:
        assert self.pool is not None
        body = await self.pool.fetchval(sql, *args)
        return Response(body.encode(), media_type="application/json", status_code=status_code)

    async def answer_in_tenant(self, tenant: str, sql: str, *args: object) -> Response[bytes]:
        """`answer`, in a transaction under row-level security as the app's are: BEGIN, the role and the tenants
        set for the transaction only (the app's own statement), the query, COMMIT."""
        assert self.pool is not None
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(_SET_CONTEXT, APP_ROLE, tenant, tenant)
            body = await connection.fetchval(sql, *args)
        return Response(body.encode(), media_type="application/json")

    def app(self, handlers: list[HTTPRouteHandler]) -> Litestar:
        return Litestar(handlers, on_startup=[self.open], on_shutdown=[self.close], openapi_config=None)


def bare_app(database_url: str) -> Litestar:
    """The reference: Litestar and one asyncpg pool, one query a request, the JSON made by PostgreSQL. Under
    ``/bare`` the query runs alone; under ``/rls`` in a tenant transaction as the app's (the floor that row-level
    security with per-transaction tenant settings sets, with nothing of the app's own)."""
    bare = BarePool(database_url)

    @get("/bare/me", sync_to_thread=False)
    def me() -> dict[str, str]:
        return {"username": ADMIN, "tenant": CITY, "role": "city_admin"}

    def routes(prefix: str, rows: Callable[..., Awaitable[Response[bytes]]]) -> list[HTTPRouteHandler]:
        @get(f"/{prefix}/{{tenant:str}}/streets", name=f"{prefix}-streets")
        async def streets(tenant: str) -> Response[bytes]:
            return await rows(tenant, "streets", tenant)

        @get(f"/{prefix}/{{tenant:str}}/streets/{{street:int}}", name=f"{prefix}-street")
        async def street(tenant: str, street: int) -> Response[bytes]:
            return await rows(tenant, "street", tenant, street)

        @get(f"/{prefix}/{{tenant:str}}/streets/{{street:int}}/entities", name=f"{prefix}-entities")
        async def entities(tenant: str, street: int) -> Response[bytes]:
            return await rows(tenant, "entities", tenant, street)

        @get(f"/{prefix}/{{tenant:str}}/{{name:str}}", name=f"{prefix}-rows")
        async def tenant_rows(tenant: str, name: str) -> Response[bytes]:
            return await rows(tenant, name, tenant)

        return [streets, street, entities, tenant_rows]

    async def alone(_: str, name: str, *args: object) -> Response[bytes]:
        return await bare.answer(BARE_QUERIES[name], *args)

    async def in_tenant(tenant: str, name: str, *args: object) -> Response[bytes]:
        return await bare.answer_in_tenant(tenant, BARE_QUERIES[name], *args)

    return bare.app([me, *routes("bare", alone), *routes("rls", in_tenant)])


FLOOR_PATHS: Final = {
    "the app's floor": f"/floor/tenants/{CITY}",
    "its floor on raw asyncpg": f"/floor/raw/tenants/{CITY}",
}


def floor_app(database_url: str) -> Litestar:
    """The app as ``jiequ api`` serves it, with two more routes under a tenant path that read nothing: one opens the
    request's transaction as every endpoint does (the ``at`` scope, SQLAlchemy's session); its requests per second
    are the most that any endpoint can serve, whatever its query. The other, after the same authentication, runs
    BEGIN, the tenant settings, a constant and COMMIT on a raw asyncpg pool instead: what the transaction would cost
    with no SQLAlchemy at all."""
    from infra.settings import get_settings  # noqa: PLC0415
    from services.app import create_app  # noqa: PLC0415
    from services.context import AppContext  # noqa: PLC0415
    from services.deps import At, Caller  # noqa: PLC0415

    raw = BarePool(database_url)

    @get("/floor/tenants/{tenant:str}", signature_namespace={"At": At})
    async def scope_only(at: At) -> dict[str, str]:
        return {"tenant": at.tenant_id}

    @get("/floor/raw/tenants/{tenant:str}", signature_namespace={"Caller": Caller})
    async def raw_transaction(actor: Caller, tenant: str) -> Response[bytes]:
        return await raw.answer_in_tenant(actor.tenant, "SELECT json_build_object('tenant', $1::text)::text", tenant)

    app = create_app(AppContext.create(get_settings(), database_url), [scope_only, raw_transaction])
    app.on_startup.append(raw.open)
    app.on_shutdown.append(raw.close)
    return app


@dataclass(frozen=True)
class Run:
    rps: float
    p99_ms: float
    errors: int


_UNITS: Final = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, headers: dict[str, str], seconds: int, connections: int, script: Path | None = None) -> Run:
    """``wrk`` against ``url`` with 2 threads; ``script``, when given, is a Lua file that makes each request."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if rps is None or p99 is None:
        raise RuntimeError(f"wrk printed no figures:\n{out}")
    return Run(float(rps[1]), float(p99[1]) * _UNITS[p99[2]], int(errors[1]) if errors else 0)


@contextlib.contextmanager
def server(args: list[str], env: dict[str, str], log: Path) -> Iterator[None]:
    with log.open("wb") as output:
        process = subprocess.Popen(args, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        yield
    finally:
        interrupt(process, 30)


async def wait_ready(client: httpx.AsyncClient, path: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(path)).status_code < 500:
                return
        await asyncio.sleep(0.3)
    raise SystemExit(f"{client.base_url}{path} did not answer within 120 s")


@contextlib.asynccontextmanager
async def demo_database(given: str | None, folder: Path) -> AsyncIterator[str]:
    """A migrated database with the demo data: ``given``, or an embedded PostgreSQL in ``folder``."""
    from infra.db import make_engine, make_sessionmaker  # noqa: PLC0415
    from infra.local.postgres import EmbeddedPostgres  # noqa: PLC0415
    from infra.migrate import upgrade  # noqa: PLC0415
    from infra.settings import load_settings  # noqa: PLC0415
    from services.seeding import seed  # noqa: PLC0415

    embedded = None
    if given is None:
        embedded = EmbeddedPostgres(folder / "postgres")
        embedded.start()
        url = await embedded.ensure_database()
    else:
        url = given
    try:
        print("migrating and loading the demo data…", flush=True)
        await asyncio.to_thread(upgrade, url)
        engine = make_engine(url, pool_size=2)
        try:
            await seed(make_sessionmaker(engine), load_settings({"JIEQU_DATA_DIR": str(folder)}), demo=True)
        finally:
            await engine.dispose()
        yield url
    finally:
        if embedded is not None:
            embedded.stop()


async def _compare(url: str, folder: Path, args: argparse.Namespace) -> None:
    app_port, bare_port, floor_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEMPORAL_ADDRESS"}
    env.update(DATABASE_URL=url, JIEQU_DATA_DIR=str(folder / "data"), JIEQU_DEMO_PASSWORD=PASSWORD)
    env["TEMPORAL_ADDRESS"] = "127.0.0.1:9"  # the read endpoints measured here never reach Temporal
    app_command = [sys.executable, "-m", "infra.cli", "api", "--port", str(app_port)]
    bare_command = [sys.executable, "-m", "infra.benchmarks.request_path", "--serve-bare", str(bare_port)]
    floor_command = [sys.executable, "-m", "infra.benchmarks.request_path", "--serve-floor", str(floor_port)]
    with (
        server(app_command, env, folder / "api.log"),
        server(bare_command, env, folder / "bare.log"),
        server(floor_command, env, folder / "floor.log"),
    ):
        app_url, bare_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
        floor_url = f"http://127.0.0.1:{floor_port}"
        async with (
            httpx.AsyncClient(base_url=app_url) as app,
            httpx.AsyncClient(base_url=bare_url) as bare,
            httpx.AsyncClient(base_url=floor_url) as floor_server,
        ):
            await wait_ready(app, "/api/labels")
            await wait_ready(bare, "/bare/me")
            await wait_ready(floor_server, "/api/labels")
            login = await app.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD})
            auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            listed = (await app.get(f"/api/tenants/{CITY}/streets", headers=auth)).json()
            street = listed[0]["id"]
        pairs = [
            ("/api/me (no database)", "/api/me", "/bare/me"),
            ("streets", f"/api/tenants/{CITY}/streets?limit=50", f"/bare/{CITY}/streets"),
            ("a street", f"/api/tenants/{CITY}/streets/{street}", f"/bare/{CITY}/streets/{street}"),
            (
                "a street's entities",
                f"/api/tenants/{CITY}/streets/{street}/entities?limit=50",
                f"/bare/{CITY}/streets/{street}/entities",
            ),
            ("ledger", f"/api/tenants/{CITY}/ledger?limit=50", f"/bare/{CITY}/ledger"),
            ("notifications", "/api/notifications?limit=50", f"/bare/{CITY}/notifications"),
            ("custom fields", f"/api/tenants/{CITY}/fields", f"/bare/{CITY}/fields"),
        ]
        floors = {}
        print("\nroutes under a tenant path that read nothing, through the app's session and on raw asyncpg:")
        for name, path in FLOOR_PATHS.items():
            wrk(floor_url + path, auth, args.seconds, args.connections)  # warms its pool and caches, unmeasured
            floors[name] = wrk(floor_url + path, auth, args.seconds, args.connections)
            print(f"  {name:<26} {floors[name].rps:6.0f} rps, p99 {floors[name].p99_ms:.1f} ms")
        app_floor = floors["the app's floor"]
        print(
            f"\nwrk -t2 -c{args.connections} -d{args.seconds}s, app, then the bare query in a tenant transaction (rls),"
            f" then the bare query alone, per endpoint; {os.cpu_count()} cores"
        )
        print(
            f"{'endpoint':<22} {'app rps':>8} {'rls rps':>8} {'bare rps':>9} {'ratio':>6} {'rls/bare':>8}"
            f" {'floor/bare':>10} {'app p99':>8} {'bare p99':>9}  goal"
        )
        for name, app_path, bare_path in pairs:
            ours = wrk(app_url + app_path, auth, args.seconds, args.connections)
            rls_path = bare_path.replace("/bare/", "/rls/", 1) if bare_path != "/bare/me" else None
            rls = wrk(bare_url + rls_path, {}, args.seconds, args.connections) if rls_path else None
            reference = wrk(bare_url + bare_path, {}, args.seconds, args.connections)
            ratio = ours.rps / reference.rps if reference.rps else 0.0
            rls_rps = f"{rls.rps:8.0f}" if rls else f"{'–':>8}"
            rls_ratio = f"{rls.rps / reference.rps:8.2f}" if rls and reference.rps else f"{'–':>8}"
            floor_ratio = f"{app_floor.rps / reference.rps:10.2f}" if rls_path and reference.rps else f"{'–':>10}"
            met = "ok" if ratio >= GOAL_RATIO and ours.p99_ms <= GOAL_P99_MS else "NOT MET"
            failed = f"  ({ours.errors} non-2xx)" if ours.errors else ""
            print(
                f"{name:<22} {ours.rps:8.0f} {rls_rps} {reference.rps:9.0f} {ratio:6.2f} {rls_ratio}"
                f" {floor_ratio} {ours.p99_ms:7.1f}ms {reference.p99_ms:8.1f}ms  {met}{failed}"
            )
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


Compare = Callable[[str, Path, argparse.Namespace], Awaitable[None]]
"""A benchmark's own part: given the demo database's URL, a scratch folder and the command line, it runs the
two servers side by side and prints the figures."""


async def _serve_floor(port: int) -> None:
    """:func:`floor_app`, served as ``jiequ api`` serves the app, until SIGINT."""
    from infra.cli import api_server  # noqa: PLC0415

    server = api_server(floor_app(os.environ["DATABASE_URL"]), "127.0.0.1", port)
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, server.handle_exit, signal.SIGINT, None)
    await server.serve()


def command(description: str | None, bare: Callable[[str], Litestar], compare: Compare, *, each: str) -> None:
    """The command line of a benchmark of the API beside a bare app: ``--seconds`` of wrk per ``each`` and
    server, ``--connections``, ``--database-url``; ``--serve-bare PORT`` and ``--serve-floor PORT`` are how the
    benchmark starts ``bare`` and :func:`floor_app` in processes of their own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=10, help=f"seconds of wrk per {each} and server")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", help="a PostgreSQL database to migrate, seed and use")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--serve-floor", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        import uvicorn  # noqa: PLC0415

        uvicorn.run(bare(os.environ["DATABASE_URL"]), host="127.0.0.1", port=args.serve_bare, log_level="warning")
        return
    if args.serve_floor:
        asyncio.run(_serve_floor(args.serve_floor))
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    asyncio.run(_run(compare, args))


async def _run(compare: Compare, args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="jiequ-bench-"))
    try:
        async with demo_database(args.database_url, folder) as url:
            await compare(url, folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    command(__doc__.splitlines()[0] if __doc__ else None, bare_app, _compare, each="endpoint")


if __name__ == "__main__":
    main()
