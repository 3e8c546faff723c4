"""Benchmark (not a test): the server time of the province dashboard's pages, p50 and p95.

Usage, on the demo data in a throw-away embedded PostgreSQL (migrated and seeded by the script itself):

    .venv/bin/python -m infra.benchmarks.dashboard [--runs 30] [--year 2025]

or on an existing database, e.g. the national data set of ``jiequ seed --scale national`` (the province
defaults to the one with the most streets there):

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/jiequ_national \\
        .venv/bin/python -m infra.benchmarks.dashboard [--province guangdong] [--runs 30]

The app runs in this process and is called over ASGI (no network, no browser), signed in as a province
admin (``dashboard-bench-<province>``, created with the demo password when missing), so each time is the
server's: authentication, the guard, the transaction under row-level security, the report, the rendering.
Per page: the first request ("cold": every street's summary of the year recomputed, as on the first
request of a day), then ``--runs`` warm requests. Pages: the dashboard, the drill-down to the province's
largest city, and the XLSX download. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import text

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.local.postgres import EmbeddedPostgres
from infra.migrate import upgrade
from infra.settings import Settings, load_settings
from services.app import create_app
from services.context import AppContext
from services.seeding import seed
from services.tenancy.seed import seed_users
from tenants.calendar import today
from tenants.context import Role

_LARGEST = text("""
SELECT t.parent AS province, count(*) AS streets FROM tenants t JOIN streets s ON s.tenant_id = t.slug
WHERE t.parent IS NOT NULL GROUP BY t.parent ORDER BY count(*) DESC, t.parent LIMIT 1
""")
_LARGEST_CITY = text("""
SELECT t.slug FROM tenants t LEFT JOIN streets s ON s.tenant_id = t.slug WHERE t.parent = :province
GROUP BY t.slug ORDER BY count(s.id) DESC, t.slug LIMIT 1
""")
_SIZE = text("""
SELECT count(DISTINCT s.id) AS streets, count(e.id) AS entities
FROM tenants t JOIN streets s ON s.tenant_id = t.slug
LEFT JOIN entities e ON e.tenant_id = s.tenant_id AND e.street_id = s.id
WHERE t.parent = :province
""")
_FORGET = text("DELETE FROM report_street_years WHERE year = :year")


@asynccontextmanager
async def demo_database(folder: Path, settings: Settings) -> AsyncIterator[str]:
    """An embedded PostgreSQL in `folder` with a database migrated to head and seeded with the demo data."""
    server = EmbeddedPostgres(folder / "pg")
    server.start()
    try:
        name = f"jiequ_bench_{uuid.uuid4().hex[:8]}"
        connection = await asyncpg.connect(server.url("postgres"))
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()
        url = server.url(name)
        await asyncio.to_thread(upgrade, url)
        engine = make_engine(url, pool_size=2)
        try:
            print("seeding the demo data…", flush=True)
            await seed(make_sessionmaker(engine), settings, demo=True)
        finally:
            await engine.dispose()
        yield url
    finally:
        server.stop()


def _p(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1] if len(times) > 1 else times[0]


async def bench(database_url: str, settings: Settings, province: str | None, year: int, runs: int) -> None:
    engine = make_engine(database_url, pool_size=2)
    sessions = make_sessionmaker(engine)
    try:
        async with owner_transaction(sessions) as session:
            if province is None:
                province = str((await session.execute(_LARGEST)).one().province)
            city = str((await session.execute(_LARGEST_CITY, {"province": province})).scalar_one())
            size = (await session.execute(_SIZE, {"province": province})).one()
            username = f"dashboard-bench-{province}"
            await seed_users(session, [(username, province, Role.PROVINCE_ADMIN)], settings.demo_password)
            await session.execute(_FORGET, {"year": year})  # the first request computes every street
    finally:
        await engine.dispose()

    context = AppContext.create(settings, database_url)
    await context.load_directory()
    try:
        transport = httpx.ASGITransport(app=create_app(context))  # type: ignore[arg-type]  # ASGI types differ
        async with httpx.AsyncClient(transport=transport, base_url="http://bench.local") as client:
            credentials = {"username": username, "password": settings.demo_password}
            login = await client.post("/api/auth/login", json=credentials)
            login.raise_for_status()
            client.headers["Authorization"] = f"Bearer {login.json()['accessToken']}"
            base = f"/province/{province}/dashboard"
            pages = {
                "dashboard": f"{base}?year={year}",
                f"city {city}": f"{base}/cities/{city}?year={year}",
                "xlsx": f"{base}/{year}/report.xlsx",
            }
            print(
                f"province {province} ({size.streets} streets, {size.entities} entities), year {year}, "
                f"{runs} warm runs per page (server time in ms)"
            )
            print(f"{'page':<20}{'status':>7}{'bytes':>10}{'cold':>9}{'p50':>9}{'p95':>9}{'max':>9}", flush=True)
            for name, path in pages.items():
                times: list[float] = []
                for _ in range(runs + 1):
                    started = time.perf_counter()
                    response = await client.get(path)
                    times.append((time.perf_counter() - started) * 1000)
                cold, warm = times[0], times[1:]
                print(
                    f"{name:<20}{response.status_code:>7}{len(response.content):>10}{cold:>9.1f}"
                    f"{_p(warm, 50):>9.1f}{_p(warm, 95):>9.1f}{max(warm):>9.1f}",
                    flush=True,
                )
    finally:
        await context.close()


async def main_async(args: argparse.Namespace) -> None:
    if args.database_url:
        await bench(args.database_url, load_settings(), args.province, args.year, args.runs)
        return
    with tempfile.TemporaryDirectory(prefix="jiequ-dashboard-bench-") as folder:
        settings = load_settings({**os.environ, "JIEQU_DATA_DIR": str(Path(folder) / "data")})
        async with demo_database(Path(folder), settings) as url:
            await bench(url, settings, args.province, args.year, args.runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="default: demo data")
    parser.add_argument("--province", default=None, help="default: the province with the most streets")
    parser.add_argument("--year", type=int, default=today().year)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    # SQLModel warns on every text() query run with session.execute; the output is the figures.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="sqlmodel")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
