"""Benchmark: re-assess every street of the national data set through the real worker on Temporal's dev server.

    .venv/bin/python -m infra.benchmarks.national_reassessment --database-url postgresql://…/jiequ_national

The database is one that ``jiequ seed --scale national`` loaded (365 cities, ~10k streets, ~1.4 M entities).
The script never changes it: it copies it (``CREATE DATABASE … TEMPLATE``, as ``--superuser-url``), makes
every street of the copy ``designated`` (the year-end re-evaluation judges the pilots and designated
streets, so this way it judges all of them), starts Temporal's dev server in a temporary folder and
``--workers`` ``jiequ worker`` processes on the copy, then starts each city's ``ReevaluationWorkflow`` for
last year at once. The clock runs from those starts until every city's re-evaluation has stored its
assessments and moved its streets (retained, or into rectification: its workflow has left the
``assessing`` phase). It prints the wall time, the streets assessed per second, and the split of the
assessment activities' own time between facts, rules (the durable-rules engine) and writes (assessments
and their audit rows), read from the workers' ``JIEQU_LOG_LEVEL=INFO`` lines. Goal (issue 16): ≤ 60 s on 2
cores. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from infra.local import interrupt
from infra.local.postgres import with_user
from infra.local.temporal_server import TemporalDevServer
from infra.migrate import upgrade
from infra.settings import TASK_QUEUE
from infra.temporal import DATA_CONVERTER
from tenants.calendar import today
from workflows.cycle.schemas import REEVALUATION, ReevaluationInput, reevaluation_id

COPY = "jiequ_reassessment_bench"
_TIMING = re.compile(r"assessed (\d+) streets of \S+ for \d+: facts ([\d.]+) s, rules ([\d.]+) s, writes ([\d.]+) s")


async def copy_database(superuser_url: str, source: str) -> None:
    """A fresh copy of ``source`` in which every street is designated."""
    connection = await asyncpg.connect(superuser_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{COPY}" WITH (FORCE)')
        owner = await connection.fetchval("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", source)
        await connection.execute(f'CREATE DATABASE "{COPY}" TEMPLATE "{source}" OWNER "{owner}"')
    finally:
        await connection.close()
    copy = await asyncpg.connect(with_user(superuser_url, urlsplit(superuser_url).username or "", COPY))
    try:
        await copy.execute("UPDATE streets SET status = 'designated' WHERE status <> 'designated'")
        # The copy's gigabytes are written out now, not by a checkpoint inside the timed window.
        await copy.execute("CHECKPOINT")
    finally:
        await copy.close()


async def drop_copy(superuser_url: str) -> None:
    connection = await asyncpg.connect(superuser_url)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{COPY}" WITH (FORCE)')
    finally:
        await connection.close()


@contextlib.contextmanager
def workers(count: int, env: dict[str, str], folder: Path) -> Iterator[list[Path]]:
    logs = [folder / f"worker-{n}.log" for n in range(count)]
    processes = []
    for log in logs:
        with log.open("wb") as output:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "infra.cli", "worker"], env=env, stdout=output, stderr=subprocess.STDOUT
                )
            )
    try:
        yield logs
    finally:
        for process in processes:
            interrupt(process, 60)


async def connect(address: str) -> Client:
    """A client of the frontend at `address`, once it says it is healthy (a fresh dev server takes a moment)."""
    deadline = time.monotonic() + 60
    while True:
        try:
            return await Client.connect(address, data_converter=DATA_CONVERTER)
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def until_polled(client: Client, count: int) -> None:
    """Until ``count`` workers poll the task queue for activities."""
    while True:
        answer = await client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=client.namespace,
                task_queue=TaskQueue(name=TASK_QUEUE),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            )
        )
        if len(answer.pollers) >= count:
            return
        await asyncio.sleep(0.5)


async def reevaluate(
    client: Client, database: asyncpg.Connection, cities: list[str], year: int, streets: int, args: argparse.Namespace
) -> tuple[int, float]:
    """Start every city's re-evaluation of ``year``; returns the streets assessed and the seconds until every
    city's workflow has stored its assessments and moved its streets."""
    started = time.monotonic()
    handles = await asyncio.gather(
        *(
            client.start_workflow(
                REEVALUATION,
                ReevaluationInput(tenant=city, year=year),
                id=reevaluation_id(city, year),
                task_queue=TASK_QUEUE,
            )
            for city in cities
        )
    )
    while True:
        assessed: int = await database.fetchval(
            "SELECT count(*) FROM assessments WHERE year = $1 AND kind = 'annual'", year
        )
        pending = await client.count_workflows(
            f"WorkflowType = '{REEVALUATION}' AND ExecutionStatus = 'Running' AND JiequPhase = 'assessing'"
        )
        if assessed >= streets and pending.count == 0:
            break
        if time.monotonic() - started > args.timeout:
            raise SystemExit(
                f"only {assessed:,} of {streets:,} assessed after {args.timeout:.0f} s: see the workers' logs"
            )
        print(f"  {time.monotonic() - started:5.1f} s: {assessed:,} assessed", flush=True)
        await asyncio.sleep(args.poll)
    wall = time.monotonic() - started
    for handle in handles:
        with contextlib.suppress(Exception):
            await handle.terminate("benchmark over")  # the rectification timers would run for months
    return assessed, wall


def split(logs: list[Path]) -> tuple[int, list[float]]:
    """The assessment batches in the workers' logs, and their seconds in facts, rules and writes."""
    seconds = [0.0, 0.0, 0.0]
    batches = 0
    for log in logs:
        for match in _TIMING.finditer(log.read_text(errors="replace")):
            batches += 1
            for index in range(3):
                seconds[index] += float(match[index + 2])
    return batches, seconds


async def run(args: argparse.Namespace) -> None:
    source = urlsplit(args.database_url).path.lstrip("/")
    year = today().year - 1
    folder = Path(tempfile.mkdtemp(prefix="jiequ-reassessment-"))
    print(f"copying {source} to {COPY} and designating every street …", flush=True)
    await copy_database(args.superuser_url, source)
    copy_url = with_user(args.database_url, urlsplit(args.database_url).username or "", COPY)
    await asyncio.to_thread(upgrade, copy_url)  # the copy takes this release's schema, as a deployment would
    database = await asyncpg.connect(copy_url)
    temporal = None if args.temporal_address else TemporalDevServer(folder / "temporal" / "temporal.db")
    try:
        cities = [
            row[0] for row in await database.fetch("SELECT slug FROM tenants WHERE parent IS NOT NULL ORDER BY slug")
        ]
        streets = await database.fetchval("SELECT count(*) FROM streets")
        entities = await database.fetchval("SELECT count(*) FROM entities")
        if temporal is not None:
            temporal.start()
            await temporal.wait_ready()
        address = args.temporal_address or temporal.address  # type: ignore[union-attr]  # one of the two is set
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")}
        env.update(
            DATABASE_URL=copy_url,
            TEMPORAL_ADDRESS=address,
            JIEQU_DATA_DIR=str(folder / "data"),
            JIEQU_LOG_LEVEL="INFO",
        )
        client = await connect(address)
        with workers(args.workers, env, folder) as logs:
            print(f"starting {args.workers} worker(s) …", flush=True)
            await until_polled(client, args.workers)
            await asyncio.sleep(args.settle)  # the workers' start-up (schedules of every city) is over
            print(f"re-evaluating {year}: {len(cities)} cities, {streets:,} streets, {entities:,} entities", flush=True)
            assessed, wall = await reevaluate(client, database, cities, year, streets, args)
        batches, parts = split(logs)
        total = sum(parts) or 1.0
        print(f"\n{assessed:,} streets of {len(cities)} cities re-assessed in {wall:.1f} s (goal ≤ 60 s)")
        print(f"  {assessed / wall:,.0f} streets/s with {args.workers} worker(s)")
        print(f"  assessment activities' own time, {batches} batches: facts {parts[0]:.1f} s ({parts[0] / total:.0%}),")
        print(f"  rules {parts[1]:.1f} s ({parts[1] / total:.0%}), writes {parts[2]:.1f} s ({parts[2] / total:.0%})")
        print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        await database.close()
        if temporal is not None:
            temporal.stop()
        await drop_copy(args.superuser_url)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="the national data set, as its owner role")
    parser.add_argument(
        "--superuser-url",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        help="a superuser on the same server, to copy and drop the benchmark's database",
    )
    parser.add_argument("--workers", type=int, default=1, help="jiequ worker processes")
    parser.add_argument(
        "--temporal-address",
        help="a running Temporal frontend to use (its namespace must know the Jiequ search attributes) instead of "
        "a dev server started here on a SQLite file",
    )
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait after the workers poll")
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds before the run is given up")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
