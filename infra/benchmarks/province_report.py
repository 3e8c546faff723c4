"""Benchmark of the province report and its exports through the request's path (jiequ_app under RLS)."""

# Usage, on the national data set of `jiequ seed --scale national` (it writes the report's summary):
#
#     DATABASE_URL=postgresql://postgres@127.0.0.1:5432/jiequ_national \
#         .venv/bin/python -m infra.benchmarks.province_report [--year 2025] [--runs 30] [--churn 0.02] [--explain]
#
# Each request opens a transaction as the API does (infra.db.tenant_transaction: SET ROLE jiequ_app,
# app.tenant_ids = the province and its cities), computes the report and encodes it as JSON. Per
# province, smallest to largest: "cold", the first request after the year's summary is emptied (every
# street recomputed, as on the first request of a day in a running year unless something warmed it);
# "warm" p50/p95 with the summary current; "churn" p50/p95 when, before each request, --churn of the
# province's streets changed (their versions bumped as a write's trigger would). Then the largest
# province's XLSX and CSV exports, report included. --explain prints the plan of the per-street
# aggregate for the whole largest province. The figures measured are in services/province_report/summary.py.

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import make_engine, make_sessionmaker, owner_transaction, tenant_transaction
from services.province_report import service, summary
from services.province_report.exports import ExportFormat
from tenants.calendar import today
from tenants.context import Actor, Role
from tenants.registry import TenantInfo
from tenants.resolver import TenantDirectory

_SIZES = text("""
SELECT t.parent AS province, count(*) AS streets,
       (SELECT count(*) FROM entities e JOIN tenants c ON c.slug = e.tenant_id WHERE c.parent = t.parent) AS entities
FROM tenants t JOIN streets s ON s.tenant_id = t.slug
WHERE t.parent IS NOT NULL
GROUP BY t.parent
""")
_FORGET = text("DELETE FROM report_street_years WHERE year = :year AND tenant_id = ANY(:cities)")
_STREET_IDS = text("SELECT id FROM streets WHERE tenant_id = :city")
_CHANGE = text("""
INSERT INTO report_changes AS c (tenant_id, street_id, version)
SELECT :city, unnest(CAST(:ids AS bigint[])), 1
ON CONFLICT (tenant_id, street_id) DO UPDATE SET version = c.version + 1
""")


async def _directory(sessions: async_sessionmaker[AsyncSession]) -> TenantDirectory:
    async with owner_transaction(sessions) as session:
        rows = (await session.execute(text("SELECT slug, code, name_zh, name_en, parent FROM tenants"))).all()
    return TenantDirectory(
        TenantInfo(slug=r.slug, code=r.code, name_zh=r.name_zh, name_en=r.name_en, parent=r.parent) for r in rows
    )


async def _owner(sessions: async_sessionmaker[AsyncSession], query: Any, params: dict[str, Any]) -> list[Any]:
    """Maintenance statements as the schema owner (emptying the summary, simulating writes)."""
    async with owner_transaction(sessions) as session:
        result = await session.execute(query, params)
        return list(result.all()) if result.returns_rows else []  # type: ignore[attr-defined]  # a CursorResult


async def _timed(runs: int, work: Callable[[], Awaitable[Any]], before: Callable[[], Awaitable[Any]]) -> list[float]:
    """Milliseconds of each of `runs` calls of `work`, each after an untimed `before`."""
    times = []
    for _ in range(runs):
        await before()
        started = time.perf_counter()
        await work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p(times: list[float], q: int) -> float:
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


async def _nothing() -> None:
    return None


async def _explain(sessions: async_sessionmaker[AsyncSession], actor: Actor, year: int) -> None:
    """The plan of the per-street aggregate over every street of the province, under its RLS context."""
    cities = [t for t in actor.read_ids if t != actor.tenant]
    async with tenant_transaction(sessions, actor.read_ids, actor.write_ids) as session:
        settings = await summary.city_settings(session, cities)
        streets = await session.execute(
            text("SELECT tenant_id, id FROM streets WHERE tenant_id = ANY(:c)"), {"c": cities}
        )
        keys = [(row[0], row[1]) for row in streets.all()]
        params = summary.tally_params(cities, year, keys, until=service.count_until(year), settings=settings)
        plan = await session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {summary.TALLIES.text}"), params)
        print("\n".join(row[0] for row in plan))


async def bench(database_url: str, year: int, runs: int, churn: float, explain: bool) -> None:
    engine = make_engine(database_url, pool_size=2)
    sessions = make_sessionmaker(engine)
    rng = random.Random(6)  # noqa: S311 - which streets change, reproducibly; nothing secret
    try:
        directory = await _directory(sessions)
        sizes = sorted(await _owner(sessions, _SIZES, {}), key=lambda r: (r.entities, r.streets))
        print(f"{len(sizes)} provinces; year {year}; {runs} runs warm and with {churn:.0%} of streets changed")
        print(
            f"{'province':<14}{'cities':>7}{'streets':>8}{'entities':>9}{'cold ms':>9}"
            f"{'warm p50':>10}{'p95':>7}{'churn p50':>11}{'p95':>7}",
            flush=True,
        )
        for row in sizes:
            actor = directory.actor(username="bench", tenant=row.province, role=Role.PROVINCE_ADMIN)
            cities = [t for t in actor.read_ids if t != actor.tenant]
            streets = {city: [r[0] for r in await _owner(sessions, _STREET_IDS, {"city": city})] for city in cities}
            every = [(city, street) for city, ids in streets.items() for street in ids]

            async def report(actor: Actor = actor) -> bytes:
                async with tenant_transaction(sessions, actor.read_ids, actor.write_ids) as session:
                    result = await service.province_report(session, actor, directory, actor.tenant, year)
                return msgspec.json.encode(result)

            async def change(every: Sequence[tuple[str, int]] = every) -> None:
                for city, street in rng.sample(every, max(1, round(len(every) * churn))):
                    await _owner(sessions, _CHANGE, {"city": city, "ids": [street]})

            await _owner(sessions, _FORGET, {"year": year, "cities": cities})
            [cold] = await _timed(1, report, _nothing)
            warm = await _timed(runs, report, _nothing)
            churned = await _timed(runs, report, change)
            print(
                f"{row.province:<14}{len(cities):>7}{row.streets:>8}{row.entities:>9}{cold:>9.0f}"
                f"{_p(warm, 50):>10.1f}{_p(warm, 95):>7.1f}{_p(churned, 50):>11.1f}{_p(churned, 95):>7.1f}",
                flush=True,
            )
        largest = directory.actor(username="bench", tenant=sizes[-1].province, role=Role.PROVINCE_ADMIN)
        formats: tuple[ExportFormat, ...] = ("xlsx", "csv")
        for fmt in formats:

            async def export(fmt: ExportFormat = fmt) -> int:
                async with tenant_transaction(sessions, largest.read_ids, largest.write_ids) as session:
                    rendered = await service.province_export(session, largest, directory, largest.tenant, year, fmt)
                return len(rendered.content)

            times = await _timed(max(5, runs // 3), export, _nothing)
            print(f"{fmt} of {largest.tenant} (report included): p50 {_p(times, 50):.0f} ms, max {max(times):.0f} ms")
        if explain:
            await _explain(sessions, largest, year)
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--year", type=int, default=today().year - 1)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--churn", type=float, default=0.02)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("set DATABASE_URL or pass --database-url")
    # SQLModel warns on every text() query run with session.execute; the output is the figures.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="sqlmodel")
    asyncio.run(bench(args.database_url, args.year, args.runs, args.churn, args.explain))


if __name__ == "__main__":
    main()
