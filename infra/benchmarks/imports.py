"""Benchmark: a 5,000-row entity import through the API, from the upload to the answer.

    .venv/bin/python -m infra.benchmarks.imports [--rows 5000] [--runs 5] [--database-url …]

Starts an embedded PostgreSQL in a temporary folder (or takes ``--database-url``), migrates it and loads the
demo data, then posts ``--runs`` CSV files of ``--rows`` new entities each to one of Jinan's demo streets as
its city admin, through the whole app in this process (authentication, the street check, parsing, the
USCC checks, the insert under row-level security, the audit row). It prints each run's seconds and the
best and worst. Goal (issue 16): ≤ 1 s for 5,000 rows. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import httpx

from infra.benchmarks.request_path import ADMIN, PASSWORD, demo_database
from infra.settings import load_settings
from services.app import create_app
from services.context import AppContext
from services.entities.schemas import ENTITY_COLUMNS
from services.shared.uscc import SERIAL_LIMIT, make_uscc


def csv_of(rows: int, run: int, rng: random.Random) -> bytes:
    """A CSV with the import's Chinese headers and ``rows`` new entities (codes no demo entity has)."""
    first = rng.randrange(SERIAL_LIMIT // 2, SERIAL_LIMIT - rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.label_zh for column in ENTITY_COLUMNS])
    classes = ("初创企业", "成长型企业", "品牌企业")
    for i in range(rows):
        name, code = f"测速实体{run}-{i:05d}", make_uscc("9", "1", "370102", first + i)
        writer.writerow(
            [name, code, "企业", classes[i % 3], "高校毕业生", "2022-01-15", i % 20, "是", "2023-02-01", ""]
        )
    return ("\ufeff" + out.getvalue()).encode()


async def measure(url: str, folder: Path, args: argparse.Namespace) -> list[float]:
    context = AppContext.create(load_settings({"JIEQU_DATA_DIR": str(folder / "data")}), url)
    app = create_app(context)
    await context.load_directory()
    rng = random.Random(args.seed)  # noqa: S311 - test data
    seconds = []
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # ASGI types differ
        async with httpx.AsyncClient(transport=transport, base_url="http://jiequ.bench", timeout=120) as client:
            login = await client.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            street = (await client.get("/api/tenants/jinan/streets", params={"limit": 1}, headers=headers)).json()[0]
            path = f"/api/tenants/jinan/streets/{street['id']}/entities/import"
            for run in range(args.runs):
                content = csv_of(args.rows, run, rng)
                started = time.perf_counter()
                answer = await client.post(path, files={"file": ("entities.csv", content)}, headers=headers)
                seconds.append(time.perf_counter() - started)
                if answer.status_code != 201:
                    raise SystemExit(f"the import answered {answer.status_code}: {answer.text[:500]}")
                print(f"  run {run + 1}: {args.rows:,} rows ({len(content) / 1024:.0f} KiB) in {seconds[-1]:.2f} s")
    finally:
        await context.close()
    return seconds


async def run(args: argparse.Namespace) -> None:
    folder = Path(tempfile.mkdtemp(prefix="jiequ-importbench-"))
    try:
        async with demo_database(args.database_url, folder) as url:
            seconds = await measure(url, folder, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{args.rows:,}-row entity import: {min(seconds):.2f}–{max(seconds):.2f} s (goal ≤ 1 s)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--database-url", help="a PostgreSQL database to migrate, seed and use")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
