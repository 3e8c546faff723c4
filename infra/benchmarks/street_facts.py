"""Benchmark: the facts of every street of the national data set, computed as the API does — per city, in
that city's row-level-security transaction — printing streets per second and peak memory.

    .venv/bin/python -m infra.benchmarks.street_facts \\
        --database-url postgresql://postgres@127.0.0.1:5432/jiequ_bench --seed

``--seed`` first migrates the (existing, empty or partly loaded) database and loads the national data set
(``jiequ seed --scale national``), timing the load.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time
import tracemalloc

from infra.db import make_engine, make_sessionmaker, tenant_transaction
from infra.migrate import upgrade
from infra.settings import Settings
from services.context import AppContext
from services.facts.service import compute_facts
from services.seeding import seed
from tenants import calendar


def _peak_rss_mib() -> float:
    """The process's peak resident memory so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def load(database_url: str) -> None:
    started = time.perf_counter()
    await asyncio.to_thread(upgrade, database_url)
    engine = make_engine(database_url, pool_size=2)
    try:
        created = await seed(make_sessionmaker(engine), Settings(), demo=False, scale="national", progress=print)
    finally:
        await engine.dispose()
    print(f"load: {sum(created.values()):,} rows in {time.perf_counter() - started:.0f} s (migrations included)")


async def bench(database_url: str, year: int, concurrency: int) -> None:
    """Two passes over every city: one timed, one under tracemalloc (which slows Python) for the memory."""
    context = AppContext.create(Settings(), database_url)
    try:
        await context.load_directory()
        cities = [t.slug for t in context.directory.all() if not t.is_province]
        gate = asyncio.Semaphore(concurrency)
        timings: list[tuple[float, str, int]] = []

        async def city_facts(slug: str) -> int:
            actor = context.directory.system_actor(slug)
            async with gate, tenant_transaction(context.sessions, actor.read_ids, actor.write_ids) as session:
                started = time.perf_counter()
                count = len(await compute_facts(session, actor.tenant, year))
                timings.append((time.perf_counter() - started, slug, count))
                return count

        started = time.perf_counter()
        streets = sum(await asyncio.gather(*(city_facts(slug) for slug in cities)))
        elapsed = time.perf_counter() - started
        seconds, slug, count = max(timings)
        tracemalloc.start()
        await asyncio.gather(*(city_facts(slug) for slug in cities))
        _, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"facts {year}: {streets:,} streets of {len(cities)} cities in {elapsed:.1f} s = "
            f"{streets / elapsed:,.0f} streets/s (concurrency {concurrency}); slowest city {slug}: "
            f"{count} streets in {seconds * 1000:.0f} ms; peak memory: {traced / 2**20:.1f} MiB allocated "
            f"while computing, {_peak_rss_mib():.0f} MiB process RSS"
        )
    finally:
        await context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="postgresql://user@host:port/db (the schema owner)")
    parser.add_argument("--year", type=int, default=calendar.today().year - 1, help="default: last year")
    parser.add_argument("--concurrency", type=int, default=1, help="cities computed at once")
    parser.add_argument("--seed", action="store_true", help="migrate and load the national data set first")
    args = parser.parse_args()
    if args.seed:
        asyncio.run(load(args.database_url))
    asyncio.run(bench(args.database_url, args.year, args.concurrency))


if __name__ == "__main__":
    main()
