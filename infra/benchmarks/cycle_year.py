"""Benchmark: one time-skipped year of the annual cycle for a province (default 16 cities × 60 streets × 100
entities) on Temporal's test server, with the real worker, activities and PostgreSQL.

    python -m infra.benchmarks.cycle_year [--cities 16] [--streets 60] [--entities 100] [--applying 10]

Each city has `streets` streets with a year of generated data (services.demo.generator): `applying` of them
apply for the year's selection, the others are already designated. The year: the cities' cycles start,
the applicants apply (Updates), are screened and recommended (Updates), the province designates its
target plus one with an override; every designated street is tracked monthly and the cities are swept
for follow-ups weekly; at year end every designated street is re-evaluated, the failing ones are put in
rectification and re-assessed 90 days later; the next year's cycles start. Printed: the wall time of each
stage, the peak memory (RSS) of this process (the worker, its activities and the driver), of the test
server and of PostgreSQL, and what the year wrote. Not a test: run it by hand (a reduced size for a quick
look). DATABASE_URL uses that server instead of an embedded one.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import dataclasses
import functools
import multiprocessing
import os
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, TypeVar

from sqlalchemy import text
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributeKey
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from infra.benchmarks.cycle_setup import Peaks, child_process, database, load_in_own_process
from infra.db import owner_transaction
from infra.local import tool_path
from infra.settings import load_settings
from infra.temporal import DATA_CONVERTER
from services.context import AppContext
from tenants.calendar import day_end, year_start
from workflows import client as cycles
from workflows import timeskip
from workflows.cycle.schemas import (
    PHASE,
    Application,
    CycleView,
    Designation,
    Recommendation,
    cycle_id,
    reevaluation_id,
    selection_id,
)
from workflows.worker import build_worker, ensure_search_attributes

T = TypeVar("T")
PROVINCE = "shandong"
SKIP_STEP = timedelta(days=1)
"""A busy day (a month's reports checked for every street) keeps each step's sleep long in real time."""
WORKFLOW_CACHE = 5000
Skip = Callable[[WorkflowEnvironment, datetime, timedelta], Awaitable[None]]
"""How the driver advances the test server's clock to a time, in steps of a duration (workflows.timeskip.skip_to)."""


_BUSY: Final = frozenset({RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.CANCELLED, RPCStatusCode.UNAVAILABLE})
"""What a query of a busy worker's workflow may answer before the workflow gets its turn."""


async def until(probe: Callable[[], Awaitable[T | None]], done: Callable[[T], bool], timeout: float = 1800) -> T:
    """Poll `probe` in real time (the test server's clock stays put) until `done` holds."""
    started = time.monotonic()
    deadline, said = started + timeout, started
    while time.monotonic() < deadline:
        try:
            value = await probe()
        except RPCError as exc:
            # A query waits for the worker; on a busy step it may time out: that is "not yet", not a failure.
            if exc.status not in _BUSY:
                raise
            value = None
        if value is not None and done(value):
            return value
        if time.monotonic() - said > 60:  # a slow stage says what it waits for
            said = time.monotonic()
            print(f"    still waiting after {said - started:.0f} s: {_short(probe)} = {_short(value)}", flush=True)
        await asyncio.sleep(1)  # each query is a task for the worker: polling must not add to the load measured
    raise TimeoutError("the benchmark's year did not get there in time")


def _short(value: object, width: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


async def all_cycles(client: Client, cities: Sequence[str], year: int, done: Callable[[CycleView], bool]) -> None:
    for city in cities:
        await until(functools.partial(cycles.cycle_view, client, city, year), done)


async def all_reevaluations(client: Client, cities: Sequence[str], year: int, phases: set[str]) -> None:
    """Wait until each city's re-evaluation is in one of `phases`, read from its JiequPhase search attribute."""
    await all_in_phase(client, [reevaluation_id(city, year) for city in cities], PHASE, phases)


async def all_in_phase(
    client: Client, workflow_ids: Sequence[str], key: SearchAttributeKey[str], phases: set[str]
) -> None:
    """Wait until each workflow's search attribute `key` is one of `phases`: a describe, not a query, which would
    be one more task for the busy worker."""
    for workflow_id in workflow_ids:
        handle = client.get_workflow_handle(workflow_id)

        async def phase(handle: WorkflowHandle[Any, Any] = handle) -> str | None:
            try:
                return (await handle.describe()).typed_search_attributes.get(key)
            except RPCError:
                return None  # not started yet

        await until(phase, lambda value: value in phases)


@contextlib.contextmanager
def stage(name: str, times: dict[str, float], peaks: Peaks) -> Iterator[None]:
    """Time a stage of the year and print it with the memory peaks so far (a run cut short still says them)."""
    started = time.monotonic()
    yield
    times[name] = time.monotonic() - started
    print(f"  {name:<38} {times[name]:7.1f} s   {peaks}", flush=True)


async def year_of_cycle(
    env: WorkflowEnvironment, context: AppContext, year: int, applying: int, peaks: Peaks, skip: Skip = timeskip.skip_to
) -> dict[str, Any]:
    client, times = env.client, dict[str, float]()
    cities = [c.slug for c in context.directory.all() if c.parent == PROVINCE and await _has_streets(context, c.slug)]
    queue = context.settings.task_queue
    # A cache for every workflow of the year (a tracking one per street): evicted workflows' tasks wait on
    # the test server for half a minute of real time each, which stalls a time-skipped year.
    async with build_worker(client, context, max_cached_workflows=WORKFLOW_CACHE):
        with stage("start cycles, open applications", times, peaks):
            for city in cities:
                await cycles.start_cycle(client, city, year, queue)
            await all_cycles(client, cities, year, lambda v: v.application_window is not None)
            await skip(env, year_start(year) + timedelta(hours=1), SKIP_STEP)
        with stage(f"apply ({applying} per city, Updates)", times, peaks):
            applied = await _applicants(context)
            await asyncio.gather(
                *(
                    cycles.apply(client, city, year, Application(street_id=street, applied_by="bench"))
                    for city, streets in applied.items()
                    for street in streets
                )
            )
        with stage("screen, recommend (Updates)", times, peaks):
            view = await cycles.cycle_view(client, cities[0], year)
            assert view is not None
            assert view.application_window is not None
            await skip(env, day_end(view.application_window[1]) + timedelta(hours=1), SKIP_STEP)
            await all_cycles(client, cities, year, lambda v: v.phase == "recommendation")
            recommended = 0
            for city in cities:
                screened = await cycles.cycle_view(client, city, year)
                assert screened is not None
                passing = tuple(c.street_id for c in screened.screening if c.outcome == "pass")
                if passing:
                    recommendation = Recommendation(street_ids=passing, recommended_by="bench")
                    await cycles.recommend(client, city, year, recommendation)
                    recommended += len(passing)
            if not recommended:  # the province's selection starts with the first recommendation
                raise SystemExit("no applicant passed screening: with fewer than 100 entities none can")
        with stage("rank, designate target + 1 (Update)", times, peaks):
            selection = await until(
                functools.partial(cycles.selection_view, client, PROVINCE, year), lambda s: s.target is not None
            )
            chosen = tuple(c.street_id for c in selection.ranking[: (selection.target or 0) + 1])
            await cycles.designate(
                client,
                PROVINCE,
                year,
                Designation(street_ids=chosen, designated_by="bench", override_reason="benchmark: one over the target"),
            )
            await all_cycles(client, cities, year, lambda v: v.phase == "tracking")
        with stage("tracking and follow-ups to year end", times, peaks):
            await skip(env, year_start(year + 1) - timedelta(minutes=1), SKIP_STEP)
        with stage("re-evaluate every designated street", times, peaks):
            await skip(env, year_start(year + 1) + timedelta(hours=1), SKIP_STEP)
            await all_reevaluations(client, cities, year, {"rectification", "closed"})
        with stage("90 days' rectification, re-assess", times, peaks):
            await skip(env, year_start(year + 1) + timedelta(days=91), SKIP_STEP)
            await all_reevaluations(client, cities, year, {"closed"})
            await all_cycles(client, cities, year + 1, lambda v: v.application_window is not None)
        reviews = [review for city in cities if (review := await cycles.reevaluation_view(client, city, year))]
    return {
        "cities": tuple(cities),
        "times": times,
        "designated": len(chosen),
        "assessed": sum(len(r.assessed) for r in reviews),
        "rectification": sum(len(r.rectification) for r in reviews),
        "revoked": sum(len(r.revoked) for r in reviews),
    }


async def _has_streets(context: AppContext, tenant: str) -> bool:
    async with owner_transaction(context.sessions) as session:
        found = await session.execute(text("SELECT 1 FROM streets WHERE tenant_id = :t LIMIT 1"), {"t": tenant})
        return found.first() is not None


async def _applicants(context: AppContext) -> dict[str, list[int]]:
    async with owner_transaction(context.sessions) as session:
        rows = await session.execute(text("SELECT tenant_id, id FROM streets WHERE status = 'applied' ORDER BY id"))
        applied: dict[str, list[int]] = {}
        for tenant, street in rows:
            applied.setdefault(tenant, []).append(street)
        return applied


async def _counts(context: AppContext) -> dict[str, int]:
    queries = {
        "assessments": "SELECT count(*) FROM assessments",
        "notifications": "SELECT count(*) FROM notifications",
        "audit rows": "SELECT count(*) FROM audit_log",
        "follow-up tasks": "SELECT count(*) FROM followup_tasks",
    }
    async with owner_transaction(context.sessions) as session:
        return {name: int((await session.execute(text(sql))).scalar_one()) for name, sql in queries.items()}


@dataclasses.dataclass
class ProjectYear:
    """What one run of the project's year did: the root workflow ids, the wall time, the counts it prints."""

    year: int
    cities: tuple[str, ...]
    wall: float
    result: dict[str, Any]
    counts: dict[str, int]
    peaks: Peaks

    def roots(self) -> tuple[str, ...]:
        """The workflows the driver and the activities start: every other one is a child of these."""
        return (
            *(cycle_id(city, year) for year in (self.year, self.year + 1) for city in self.cities),
            selection_id(PROVINCE, self.year),
        )


async def project_year(
    env: WorkflowEnvironment, cities: int, streets: int, entities: int, applying: int, skip: Skip = timeskip.skip_to
) -> ProjectYear:
    """Load the province's streets into a fresh database and run the year on `env` (a fresh test server),
    advancing its clock with `skip` (infra.benchmarks.bare_year times each step)."""
    data = tempfile.TemporaryDirectory(prefix="jiequ-bench-data-")
    settings = load_settings({**os.environ, "JIEQU_DATA_DIR": data.name})
    async with database() as (url, postgres):

        async def connect() -> Client:
            return env.client

        context = AppContext.create(settings, url, connect)
        peaks = Peaks(server=child_process("temporal-test"), postmaster=postgres)
        sampler = asyncio.create_task(peaks.run())
        try:
            await ensure_search_attributes(env.client)
            year = (await env.get_current_time()).year + 1
            print(f"Jiequ cycle benchmark: {cities} cities × {streets} streets × {entities} entities, year {year}")
            started = time.monotonic()
            with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
                loaded = await asyncio.get_running_loop().run_in_executor(
                    pool, load_in_own_process, url, year, cities, streets, entities, applying
                )
            await context.load_directory()
            print(f"  {'load street data (' + str(loaded) + ' rows)':<38} {time.monotonic() - started:7.1f} s")
            started = time.monotonic()
            result = await year_of_cycle(env, context, year, applying, peaks, skip)
            wall = time.monotonic() - started
            peaks.sample()
            counts = await _counts(context)
        finally:
            sampler.cancel()
            await context.close()
            data.cleanup()
    print(f"  {'the year, in all':<38} {wall:7.1f} s   {peaks}")
    written = ", ".join(f"{name} {count}" for name, count in counts.items())
    print(
        f"  designated {result['designated']}, re-evaluated {result['assessed']}, rectification "
        f"{result['rectification']}, revoked {result['revoked']}; {written}"
    )
    return ProjectYear(year=year, cities=result["cities"], wall=wall, result=result, counts=counts, peaks=peaks)


async def start_test_server() -> WorkflowEnvironment:
    """A fresh time-skipping test server (the project's build of it) with the project's data converter."""
    return await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=tool_path("temporal-test-server"), data_converter=DATA_CONVERTER
    )


async def main(cities: int, streets: int, entities: int, applying: int) -> None:
    env = await start_test_server()
    try:
        await project_year(env, cities, streets, entities, applying)
    finally:
        await env.shutdown()


def cli(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cities", type=int, default=16)
    parser.add_argument("--streets", type=int, default=60)
    parser.add_argument("--entities", type=int, default=100)
    parser.add_argument("--applying", type=int, default=10, help="streets per city that apply this year")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=DeprecationWarning)  # SQLModel's advice on session.execute
    asyncio.run(main(args.cities, args.streets, args.entities, args.applying))


if __name__ == "__main__":
    cli()
