"""The cycle benchmark's setting: a fresh database, the province's generated streets, and the memory peaks."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

import asyncpg
import msgspec
import psutil
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from infra.db import make_engine, make_sessionmaker, owner_transaction
from infra.local.postgres import EmbeddedPostgres
from infra.migrate import upgrade
from services.demo.generator import CityStreets
from services.demo.loading import Rows, bulk_load, start_load
from services.demo.names import demo_rng
from services.demo.places import CITIES
from services.demo.plans import EXEMPLARY, FAILING, Period, ShandongNaming, StreetPlan
from services.tenancy.seed import demo_users, seed_tenants, seed_users

FAILING_SHARE = 0.15
"""Streets generated with one baseline criterion missed (services.demo.plans.FAILING), the rest exemplary."""


@dataclass
class Peaks:
    """Peak memory (bytes) of this process (RSS), the test server (RSS) and PostgreSQL (PSS of the postmaster
    and its backends, so the shared buffers count once), sampled in the background."""

    server: psutil.Process | None
    postmaster: psutil.Process | None
    worker_rss: int = 0
    server_rss: int = 0
    database_pss: int = 0

    def sample(self) -> None:
        self.worker_rss = max(self.worker_rss, psutil.Process().memory_info().rss)
        with contextlib.suppress(psutil.Error):
            if self.server is not None:
                self.server_rss = max(self.server_rss, self.server.memory_info().rss)
        if self.postmaster is not None:
            total = 0
            with contextlib.suppress(psutil.Error):
                for process in (self.postmaster, *self.postmaster.children(recursive=True)):
                    with contextlib.suppress(psutil.Error):
                        total += process.memory_full_info().pss
            self.database_pss = max(self.database_pss, total)

    async def run(self) -> None:
        while True:
            self.sample()
            await asyncio.sleep(1)

    def __str__(self) -> str:
        mib = 1024 * 1024
        return (
            f"peak: worker {self.worker_rss / mib:.0f} MiB RSS, test server {self.server_rss / mib:.0f} MiB RSS, "
            f"PostgreSQL {self.database_pss / mib:.0f} MiB PSS"
        )


def child_process(name: str) -> psutil.Process | None:
    """The first descendant of this process whose executable name contains `name` (the test server)."""
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if name in child.name():
                return child
    return None


def postmaster(folder: Path) -> psutil.Process | None:
    """The embedded PostgreSQL's postmaster (pg_ctl detaches it, so it is found by its data folder)."""
    for process in psutil.process_iter(["cmdline"]):
        with contextlib.suppress(psutil.Error, TypeError):
            if str(folder) in " ".join(process.info["cmdline"] or ()):
                return process
    return None


COMPRESSED_YEAR: Final = {"autovacuum_naptime": "1s"}
"""A time-skipped year writes a year of follow-up tasks, notifications and assessments in a minute or two of real
time, while autovacuum looks for tables to analyze once a minute: the planner would plan a whole year's sweeps
for tables it still thinks empty (a sweep then scans the city's tasks for each overdue visit, 50 times slower). In
a real year autovacuum keeps pace many times over; checking every second keeps pace with the compressed one. A
server given by DATABASE_URL keeps its own settings: set ``autovacuum_naptime`` there alike."""


@contextlib.asynccontextmanager
async def database() -> AsyncIterator[tuple[str, psutil.Process | None]]:
    """A fresh migrated database: on DATABASE_URL's server, or an embedded PostgreSQL in a temporary folder."""
    given = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="jiequ-bench-") as folder:
        server = None if given else EmbeddedPostgres(Path(folder) / "pg", settings=COMPRESSED_YEAR)
        if server is not None:
            server.start()
        try:
            name = f"jiequ_bench_{int(time.time())}"
            if server is not None:
                url = await server.ensure_database(name)
            else:
                connection = await asyncpg.connect(given)
                try:
                    await connection.execute(f'CREATE DATABASE "{name}"')
                finally:
                    await connection.close()
                base, _, query = (given or "").partition("?")
                url = f"{base.rsplit('/', 1)[0]}/{name}" + (f"?{query}" if query else "")
            await asyncio.to_thread(upgrade, url)
            yield url, postmaster(Path(folder) / "pg") if server is not None else None
        finally:
            if server is not None:
                server.stop()


def load_in_own_process(url: str, year: int, cities: int, streets: int, entities: int, applying: int) -> int:
    """`load`, in a process of its own (spawned): generating a million rows must not count as the worker's memory."""

    async def run() -> int:
        engine = make_engine(url, pool_size=1)
        try:
            return await load(make_sessionmaker(engine), year, cities, streets, entities, applying)
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def load(
    sessions: async_sessionmaker[AsyncSession], year: int, cities: int, streets: int, entities: int, applying: int
) -> int:
    """The province's streets with a year of data; `applying` per city in status applied, the rest designated."""
    profiles = itertools.cycle([msgspec.structs.replace(p, entities=(entities, entities)) for p in FAILING])
    exemplary = msgspec.structs.replace(EXEMPLARY, entities=(entities, entities))
    spans = (Period(date(year, 1, 1), date(year, 12, 31), 12),)
    async with owner_transaction(sessions) as session:
        await seed_tenants(session)
    async with owner_transaction(sessions) as session:
        await seed_users(session, demo_users(), "bench-pass-2024")  # the city admins receive the notices
    async with owner_transaction(sessions) as session:
        connection, ids = await start_load(session)
        rows = Rows()
        for city in CITIES[:cities]:
            rng = demo_rng(2024, city.slug, "bench")
            naming = ShandongNaming(city)
            chosen = [next(profiles) if rng.random() < FAILING_SHARE else exemplary for _ in range(streets)]
            statuses = ["applied"] * min(applying, streets) + ["designated"] * max(streets - applying, 0)
            generator = CityStreets(rows, ids, rng, naming, spans)
            # Numbered names: the demo's name generator has fewer distinct names per theme than a city here.
            for n, (profile, status) in enumerate(zip(chosen, statuses, strict=True), start=1):
                generator.add(
                    StreetPlan(
                        name=f"{city.name_zh}第{n}创业街区",
                        district=rng.choice(naming.districts),
                        theme=rng.choice(profile.themes),
                        status=status,
                        profile=profile,
                        operator_user=f"{city.slug}-bench-{n}",
                    )
                )
        async with bulk_load(connection):
            await rows.copy(connection)
        await ids.release(connection)
    return sum(rows.counts().values())
