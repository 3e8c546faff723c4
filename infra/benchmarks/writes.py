"""Benchmark (not a test): the API's busiest writes against a bare handler that inserts the same row.

    .venv/bin/python -m infra.benchmarks.writes [--seconds 10] [--connections 32]

Needs ``wrk`` (Debian: ``apt-get install wrk``). Like ``infra.benchmarks.request_path`` it takes an embedded
PostgreSQL with the demo data (or ``--database-url``) and runs two servers side by side, one process each:
``jiequ api`` (authentication, the guard, the request's transaction under row-level security, the domain's
checks, the audit row, msgspec) and a bare Litestar app in this module that answers each POST with one asyncpg
``INSERT … RETURNING`` of the same row (no authentication, no RLS, no ORM, no audit). wrk posts for
``--seconds`` to one and then the other, each request a new row: a month's report of a street (one per street
and month, so every request names another month, from 1949-01 on) and a ledger entry's follow-up visit. It
prints requests per second, the ratio app/bare and the p99 of each. Goal (issue 16): ratio ≥ 0.5. It measures;
it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import sys
from pathlib import Path
from typing import Final

import asyncpg
import httpx
import msgspec
from litestar import Litestar, Response, post

from infra.benchmarks.request_path import (
    ADMIN,
    CITY,
    GOAL_RATIO,
    PASSWORD,
    BarePool,
    command,
    server,
    wait_ready,
    wrk,
)
from infra.local import free_port
from services.shared.uscc import SERIAL_LIMIT, make_uscc

EXTRA_STREETS: Final = 16
"""Streets added to the city so that its reports have months enough: each (street, month) takes one report."""
DISTRICT: Final = "370102"

_REPORT_SQL: Final = """
INSERT INTO monthly_reports (tenant_id, street_id, month, jobs_driven, internship_positions, notes, submitted_by,
                             submitted_at)
SELECT s.tenant_id, s.id, $2::date, $3, 0, '', 'bench', now() FROM streets s WHERE s.id = $1
RETURNING row_to_json(monthly_reports)::text
"""
_VISIT_SQL: Final = """
INSERT INTO ledger_visits (tenant_id, entry_id, entity_id, street_id, visited_on, notes, caseworker, created_at)
SELECT e.tenant_id, e.id, e.entity_id, e.street_id, $2::date, $3, 'bench', now() FROM ledger_entries e WHERE e.id = $1
RETURNING row_to_json(ledger_visits)::text
"""


class _Report(msgspec.Struct, rename="camel"):
    month: str
    jobs_driven: int


class _Visit(msgspec.Struct, rename="camel"):
    visited_on: dt.date
    notes: str = ""


def bare_app(database_url: str) -> Litestar:
    """The reference: Litestar and one asyncpg pool, one INSERT a request, the JSON made by PostgreSQL."""
    bare = BarePool(database_url)

    @post("/bare/reports/{street:int}")
    async def report(street: int, body: bytes) -> Response[bytes]:
        data = msgspec.json.decode(body, type=_Report)
        month = dt.date.fromisoformat(f"{data.month}-01")
        return await bare.answer(_REPORT_SQL, street, month, data.jobs_driven, status_code=201)

    @post("/bare/visits/{entry:int}")
    async def visit(entry: int, body: bytes) -> Response[bytes]:
        data = msgspec.json.decode(body, type=_Visit)
        return await bare.answer(_VISIT_SQL, entry, data.visited_on, data.notes, status_code=201)

    return bare.app([report, visit])


def _lua(paths: list[str], body: str) -> str:
    """A wrk script: request k (numbered across both threads) posts ``body`` to ``paths[k % n]``, with
    ``{month}`` in the body the (k // n)-th month from 1949-01, so that no two requests name one street's month."""
    listed = ", ".join(f'"{path}"' for path in paths)
    return f"""
local paths = {{{listed}}}
local count = 0
local threads = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
function request()
  local k = count * 2 + id
  count = count + 1
  local n = #paths
  local m = math.floor(k / n)
  local month = string.format("%04d-%02d", 1949 + math.floor(m / 12), m % 12 + 1)
  local body = string.gsub('{body}', "{{month}}", month)
  return wrk.format(nil, paths[(k % n) + 1], nil, body)
end
"""


def _street_body(serial: int) -> dict[str, object]:
    return {
        "name": f"基准街区{serial}",
        "district": DISTRICT,
        "theme": "graduates",
        "operator": {"name": f"基准运营公司{serial}", "uscc": make_uscc("9", "1", DISTRICT, serial)},
        "center": {"fixedSite": True, "address": "济南市历下区", "staff": [], "services": []},
        "customFields": {},
    }


async def _compare(url: str, folder: Path, args: argparse.Namespace) -> None:
    app_port, bare_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "TEMPORAL_ADDRESS"}
    env.update(DATABASE_URL=url, JIEQU_DATA_DIR=str(folder / "data"), JIEQU_DEMO_PASSWORD=PASSWORD)
    env["TEMPORAL_ADDRESS"] = "127.0.0.1:9"  # the writes measured here never reach Temporal
    app_command = [sys.executable, "-m", "infra.cli", "api", "--port", str(app_port)]
    bare_command = [sys.executable, "-m", "infra.benchmarks.writes", "--serve-bare", str(bare_port)]
    owner = await asyncpg.connect(url)
    try:
        # Reports before 2000 are the benchmark's own (the demo data starts later): an earlier run's go first.
        await owner.execute("DELETE FROM monthly_reports WHERE month < '2000-01-01'")
        others = await owner.fetch("SELECT id FROM streets WHERE tenant_id <> $1 ORDER BY id", CITY)
        entries = await owner.fetch("SELECT id FROM ledger_entries WHERE tenant_id = $1 ORDER BY id LIMIT 200", CITY)
    finally:
        await owner.close()
    with server(app_command, env, folder / "api.log"), server(bare_command, env, folder / "bare.log"):
        app_url, bare_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}"
        async with httpx.AsyncClient(base_url=app_url, timeout=30) as app, httpx.AsyncClient(base_url=bare_url) as bare:
            await wait_ready(app, "/api/labels")
            await wait_ready(bare, "/bare/reports/0")
            login = await app.post("/api/auth/login", json={"username": ADMIN, "password": PASSWORD})
            auth = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            for _ in range(EXTRA_STREETS):
                made = await app.post(
                    f"/api/tenants/{CITY}/streets", json=_street_body(secrets.randbelow(SERIAL_LIMIT)), headers=auth
                )
                made.raise_for_status()
            streets = [
                street["id"]
                for street in (await app.get(f"/api/tenants/{CITY}/streets?limit=500", headers=auth)).json()
            ]
        today = dt.date.today().isoformat()
        report = '{"month":"{month}","jobsDriven":3}'
        visit = f'{{"visitedOn":"{today}","notes":"基准走访"}}'
        cases = [
            (
                "a month's report",
                [f"/api/tenants/{CITY}/streets/{street}/reports" for street in streets],
                [f"/bare/reports/{row['id']}" for row in others],
                report,
            ),
            (
                "a follow-up visit",
                [f"/api/tenants/{CITY}/ledger/{row['id']}/visits" for row in entries],
                [f"/bare/visits/{row['id']}" for row in entries],
                visit,
            ),
        ]
        print(f"\nwrk -t2 -c{args.connections} -d{args.seconds}s POST, app then bare per write; {os.cpu_count()} cores")
        print(f"{'write':<20} {'app rps':>8} {'bare rps':>9} {'ratio':>6} {'app p99':>8} {'bare p99':>9}  goal")
        for name, app_paths, bare_paths, body in cases:
            app_script, bare_script = folder / "app.lua", folder / "bare.lua"
            app_script.write_text(_lua(app_paths, body))
            bare_script.write_text(_lua(bare_paths, body))
            ours = wrk(app_url + app_paths[0], auth, args.seconds, args.connections, app_script)
            reference = wrk(bare_url + bare_paths[0], {}, args.seconds, args.connections, bare_script)
            ratio = ours.rps / reference.rps if reference.rps else 0.0
            met = "ok" if ratio >= GOAL_RATIO else "NOT MET"
            failed = f"  ({ours.errors} non-2xx)" if ours.errors else ""
            failed += f"  (bare: {reference.errors} non-2xx)" if reference.errors else ""
            print(
                f"{name:<20} {ours.rps:8.0f} {reference.rps:9.0f} {ratio:6.2f}"
                f" {ours.p99_ms:7.1f}ms {reference.p99_ms:8.1f}ms  {met}{failed}"
            )
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main() -> None:
    command(__doc__.splitlines()[0] if __doc__ else None, bare_app, _compare, each="write")


if __name__ == "__main__":
    main()
