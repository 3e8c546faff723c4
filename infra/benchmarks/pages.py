"""Benchmark: each main page's server time on the demo data, p50 and p95 in milliseconds.

``python -m infra.benchmarks.pages`` starts an embedded PostgreSQL in a temporary folder (or uses
``--database-url``, migrated and seeded), loads the demo data, builds the app in this process and calls it
over ``httpx.ASGITransport`` — no network, so the time measured is the app's own: routing, the request's
transaction under row-level security, the domain reads and the template. It signs in through the sign-in
form as ``jinan-admin`` and ``jinan-op-1`` (the demo password), assesses the first street for last year (the
demo data has none, and the assessment tab and the operator's home show its criteria), asks each page a few
times to warm up, then ``--runs`` times, and prints page → p50, p95, max, SQL statements and kilobytes per
request. The goal (issue 10): p95 ≤ 150 ms for lists and detail pages. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from infra.db import make_engine, make_sessionmaker
from infra.local.postgres import EmbeddedPostgres
from infra.migrate import upgrade
from infra.settings import Settings, load_settings
from services.app import create_app
from services.context import AppContext
from services.seeding import seed
from tenants.calendar import today

CITY = "jinan"
ADMIN = "jinan-admin"
OPERATOR = "jinan-op-1"
GOAL_MS = 150.0
WARM_UP = 3
TABS = ("", "entities", "activities", "reports", "surveys", "internships", "ledger", "assessments")


@dataclass(frozen=True)
class Figures:
    page: str
    path: str
    p50: float
    p95: float
    worst: float
    statements: int
    status: int
    size: int


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


@contextmanager
def _counting(context: AppContext) -> Iterator[list[int]]:
    """The number of SQL statements the app runs inside the block (in a one-item list)."""
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    event.listen(context.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(context.engine.sync_engine, "before_cursor_execute", count)


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> str:
    """Sign in through the form (the page's CSRF token and cookie session); returns the role's home."""
    start = await client.get("/")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', start.text)
    if token is None:
        raise RuntimeError("the sign-in page has no CSRF token")
    answer = await client.post("/", data={"username": username, "password": password, "_csrf_token": token[1]})
    if answer.status_code != 303:
        raise RuntimeError(f"signing in as {username} answered {answer.status_code}")
    home = await client.get("/")
    return str(home.headers.get("location", "/"))


async def _measure(client: httpx.AsyncClient, context: AppContext, page: str, path: str, runs: int) -> Figures:
    for _ in range(WARM_UP):
        await client.get(path)
    samples: list[float] = []
    status = size = 0
    with _counting(context) as seen:
        for _ in range(runs):
            started = time.perf_counter()
            response = await client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            status, size = response.status_code, len(response.content)
    return Figures(
        page=page,
        path=path,
        p50=statistics.median(samples),
        p95=_percentile(samples, 0.95),
        worst=max(samples),
        statements=round(seen[0] / runs),
        status=status,
        size=size,
    )


async def _street_of(client: httpx.AsyncClient) -> int:
    """The first street the city's streets page links to."""
    found = re.search(rf'href="/city/{CITY}/streets/(\d+)"', (await client.get(f"/city/{CITY}/streets")).text)
    if found is None:
        raise RuntimeError("the streets page lists no street: is the demo data loaded?")
    return int(found[1])


async def _assess(client: httpx.AsyncClient, settings: Settings, street: int) -> None:
    """Assess the street for last year through the API, so that its assessment tab shows the criteria (the
    demo data has no assessment)."""
    login = await client.post("/api/auth/login", json={"username": ADMIN, "password": settings.demo_password})
    headers = {"Authorization": f"Bearer {login.json()['accessToken']}"}
    year = today().year - 1
    path = f"/api/tenants/{CITY}/streets/{street}/assessments"
    answer = await client.post(path, headers=headers, json={"year": year})
    if answer.status_code != 201:
        raise RuntimeError(f"assessing street {street} answered {answer.status_code}: {answer.text[:300]}")


async def benchmark(context: AppContext, settings: Settings, runs: int) -> list[Figures]:
    app = create_app(context)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]  # Litestar types the ASGI events precisely
    figures: list[Figures] = []
    async with httpx.AsyncClient(transport=transport, base_url="http://jiequ.bench") as admin:
        await _sign_in(admin, ADMIN, settings.demo_password)
        street = await _street_of(admin)
        await _assess(admin, settings, street)
        pages = [
            ("city home", f"/city/{CITY}"),
            ("streets list", f"/city/{CITY}/streets"),
            ("streets list, filtered", f"/city/{CITY}/streets?theme=graduates"),
            *(
                (f"street: {tab or 'profile'}", f"/city/{CITY}/streets/{street}" + (f"/{tab}" if tab else ""))
                for tab in TABS
            ),
            ("accounts", f"/city/{CITY}/accounts"),
            ("rules", f"/city/{CITY}/rules"),
            ("custom fields", f"/city/{CITY}/fields"),
        ]
        for page, path in pages:
            figures.append(await _measure(admin, context, page, path, runs))
    async with httpx.AsyncClient(transport=transport, base_url="http://jiequ.bench") as operator:
        home = await _sign_in(operator, OPERATOR, settings.demo_password)
        figures.append(await _measure(operator, context, "operator home", home, runs))
        own = home.removesuffix("/home")
        figures.append(await _measure(operator, context, "operator: entities", f"{own}/entities", runs))
    return figures


def _print(figures: list[Figures], runs: int, load_before: tuple[float, ...], load_after: tuple[float, ...]) -> None:
    print(f"\n{runs} requests a page after {WARM_UP} to warm up; server time in ms (in-process, ASGI transport)")
    before, after = (f"{load[0]:.2f} {load[1]:.2f}" for load in (load_before, load_after))
    print(f"load average (1 and 5 min) before {before}, after {after}; {os.cpu_count()} cores")
    width = max(len(f.page) for f in figures)
    header = f"{'p50':>7}  {'p95':>7}  {'max':>7}  {'SQL':>4}  {'KB':>5}  status"
    print(f"{'page':<{width}}  {header}  goal p95 ≤ {GOAL_MS:.0f}")
    for f in figures:
        verdict = "ok" if f.p95 <= GOAL_MS else "OVER"
        times = f"{f.p50:7.1f}  {f.p95:7.1f}  {f.worst:7.1f}"
        print(f"{f.page:<{width}}  {times}  {f.statements:>4}  {f.size / 1024:5.1f}  {f.status:>6}  {verdict}")


async def _prepared_database(given: str | None, folder: Path) -> tuple[str, EmbeddedPostgres | None]:
    if given:
        return given, None
    server = EmbeddedPostgres(folder / "postgres")
    server.start()
    return await server.ensure_database(), server


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=50, help="timed requests a page (default 50)")
    parser.add_argument("--database-url", help="a PostgreSQL database to use instead of an embedded one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="jiequ-pages-") as folder:
        settings = load_settings({"JIEQU_DATA_DIR": folder, "JIEQU_JWT_SECRET": "bench-secret-" + "x" * 40})
        url, server = await _prepared_database(args.database_url, Path(folder))
        try:
            print("migrating and loading the demo data…", flush=True)
            await asyncio.to_thread(upgrade, url)
            engine = make_engine(url, pool_size=2)
            try:
                await seed(make_sessionmaker(engine), settings, demo=True)
            finally:
                await engine.dispose()
            context = AppContext.create(settings, url)
            await context.load_directory()
            try:
                load_before = os.getloadavg()
                figures = await benchmark(context, settings, args.runs)
                _print(figures, args.runs, load_before, os.getloadavg())
            finally:
                await context.close()
        finally:
            if server is not None:
                server.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
