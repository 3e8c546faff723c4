"""Benchmark: the worst ``/health`` latency while one caller sends the requests that used to stall the server.

``python -m infra.benchmarks.stall`` starts ``jiequ up`` on a free port with a fresh data folder (embedded
PostgreSQL, Temporal's dev server, demo data), polls ``/health`` every 50 ms from its own connection, and
runs each stalling request of issue 17 in turn: rule simulations at the criteria cap and past it (and, with
``--engine-hang``, one the engine cannot compile at all), a 3,000,000-row one-cell XLSX import, a JSON
body nested 50,000 deep, and a burst of 20 sign-ins. It prints, for each, what the request answered, how
long it took, and the worst ``/health`` latency meanwhile (the goal: under 1 s). It measures what the code
does; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import shutil
import tempfile
import time
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from infra.benchmarks.local_up import jiequ_up
from infra.local import free_port

PASSWORD = "demo-pass-2024"  # noqa: S105 - the documented demo password
POLL_SECONDS = 0.05
REQUEST_TIMEOUT = 600.0


@dataclass
class HealthPoller:
    """Asks ``/health`` every 50 ms; each answer's latency is kept with the time it was asked."""

    client: httpx.AsyncClient
    samples: list[tuple[float, float]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        while not self._stop.is_set():
            asked = time.monotonic()
            with contextlib.suppress(httpx.HTTPError):
                await self.client.get("/health", timeout=REQUEST_TIMEOUT)
            self.samples.append((asked, time.monotonic() - asked))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), POLL_SECONDS)

    def stop(self) -> None:
        self._stop.set()

    def worst(self, start: float, end: float) -> tuple[float, int]:
        """The worst latency of the polls that overlapped [start, end], and how many there were."""
        during = [latency for asked, latency in self.samples if asked <= end and asked + latency >= start]
        return max(during, default=0.0), len(during)


def one_cell_xlsx(rows: int) -> bytes:
    """A workbook of `rows` rows with one number each, written as a stream (small compressed, huge inside)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            # Rows and cells without their optional references repeat exactly, so the file stays small.
            chunk = 10_000
            for first in range(0, rows, chunk):
                sheet.write(b"<row><c><v>1</v></c></row>" * min(chunk, rows - first))
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def criteria(count: int, *, prefix: str = "bench", start: int = 100) -> list[dict[str, Any]]:
    """`count` distinct city criteria that every street fails."""
    return [
        {
            "id": f"{prefix}_{n}",
            "titleZh": f"测试条件 {n}",
            "titleEn": f"bench criterion {n}",
            "fact": "center_staff",
            "op": ">=",
            "value": start + n,
            "level": "required",
            "effectiveFrom": 2025,
        }
        for n in range(count)
    ]


@dataclass
class Bench:
    client: httpx.AsyncClient
    poller: HealthPoller
    admin: dict[str, str]
    lines: list[str] = field(default_factory=list)

    async def measure(self, name: str, run: Callable[[], Awaitable[str]]) -> None:
        start = time.monotonic()
        try:
            outcome = await run()
        except Exception as exc:  # a benchmark reports, it does not stop
            outcome = f"error: {type(exc).__name__}: {exc}"[:120]
        end = time.monotonic()
        await asyncio.sleep(0.3)  # let the polls in flight finish
        worst, polls = self.poller.worst(start, end)
        verdict = "ok" if worst < 1.0 else "STALLED"
        line = f"{name:<44} {outcome:<34} {end - start:7.2f} s   worst /health {worst:6.3f} s ({polls} polls) {verdict}"
        self.lines.append(line)
        print(line, flush=True)

    async def simulate(self, body: dict[str, Any] | bytes) -> str:
        url = "/api/tenants/jinan/rules/simulate"
        if isinstance(body, bytes):
            headers = {**self.admin, "Content-Type": "application/json"}
            response = await self.client.post(url, content=body, headers=headers, timeout=REQUEST_TIMEOUT)
        else:
            response = await self.client.post(url, json=body, headers=self.admin, timeout=REQUEST_TIMEOUT)
        return _answer(response)


def _answer(response: httpx.Response) -> str:
    detail = ""
    if response.status_code >= 400:
        with contextlib.suppress(ValueError):
            detail = str(response.json().get("detail", ""))[:24]
    return f"{response.status_code} {detail}".strip()


async def scenarios(bench: Bench, args: argparse.Namespace, street_id: int, xlsx: bytes) -> None:
    """Each stalling request of issue 17, measured in turn."""
    client, admin, cap = bench.client, bench.admin, args.cap
    await bench.measure("idle (baseline)", lambda: asyncio.sleep(2, "-"))
    await bench.measure(
        f"simulate, {cap} criteria (the cap)", lambda: bench.simulate({"year": 2025, "criteria": criteria(cap)})
    )
    await bench.measure(
        f"simulate, {cap + 1} criteria (past the cap)",
        lambda: bench.simulate({"year": 2025, "criteria": criteria(cap + 1)}),
    )
    await bench.measure(
        "simulate, 600 criteria (issue 17)", lambda: bench.simulate({"year": 2025, "criteria": criteria(600)})
    )
    if args.engine_hang:
        print("storing 470 city rules one by one …", flush=True)
        for rule in criteria(470, prefix="stored", start=0):
            rule["fact"], rule["value"] = "activity_rate", rule["value"] / 1000
            await client.post("/api/tenants/jinan/rules", json=rule, headers=admin)
        await bench.measure(
            f"simulate, {cap} more on 470 stored (hangs)",
            lambda: bench.simulate({"year": 2025, "criteria": criteria(cap)}),
        )

    async def xlsx_import() -> str:
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = await client.post(
            f"/api/tenants/jinan/streets/{street_id}/entities/import",
            files={"file": ("bench.xlsx", xlsx, kind)},
            headers=admin,
            timeout=REQUEST_TIMEOUT,
        )
        return _answer(response)

    await bench.measure(f"XLSX import, {args.xlsx_rows:,} one-cell rows", xlsx_import)
    deep = b"[" * 50_000 + b"]" * 50_000
    await bench.measure("JSON nested 50,000 deep (simulate)", lambda: bench.simulate(deep))

    async def deep_login() -> str:
        response = await client.post(
            "/api/auth/login",
            content=b'{"username":' + deep + b"}",
            headers={"Content-Type": "application/json"},
            timeout=REQUEST_TIMEOUT,
        )
        return _answer(response)

    await bench.measure("JSON nested 50,000 deep (sign-in)", deep_login)

    async def sign_ins() -> str:
        async def one(n: int) -> int:
            user = "jinan-admin" if n % 2 else "jinan-case"
            body = {"username": user, "password": PASSWORD}
            return (await client.post("/api/auth/login", json=body, timeout=REQUEST_TIMEOUT)).status_code

        codes = await asyncio.gather(*(one(n) for n in range(20)))
        return " ".join(f"{code}×{codes.count(code)}" for code in sorted(set(codes)))

    await bench.measure("burst of 20 sign-ins", sign_ins)


async def run(args: argparse.Namespace) -> None:
    data = Path(tempfile.mkdtemp(prefix="jiequ-stallbench-"))
    port = free_port()
    log = data / "up.log"
    print(f"starting jiequ up on port {port} (data in {data}) …", flush=True)
    base = f"http://127.0.0.1:{port}"
    try:
        async with (
            jiequ_up(data / "data", port, log),
            httpx.AsyncClient(base_url=base) as client,
            httpx.AsyncClient(base_url=base) as health,
        ):
            login = await client.post("/api/auth/login", json={"username": "jinan-admin", "password": PASSWORD})
            admin = {"Authorization": f"Bearer {login.json()['accessToken']}"}
            streets = await client.get("/api/tenants/jinan/streets", params={"limit": 1}, headers=admin)
            street_id = streets.json()[0]["id"]
            print(f"building the {args.xlsx_rows:,}-row XLSX …", flush=True)
            xlsx = await asyncio.to_thread(one_cell_xlsx, args.xlsx_rows)
            print(f"  {len(xlsx) / 1024:.0f} KB compressed", flush=True)
            poller = HealthPoller(health)
            polling = asyncio.create_task(poller.run())
            bench = Bench(client, poller, admin)
            await asyncio.sleep(5)  # the worker's start-up (schedules, search attributes) settles first
            await scenarios(bench, args, street_id, xlsx)
            poller.stop()
            await polling
            print("\nsummary (goal: worst /health under 1 s)")
            for line in bench.lines:
                print("  " + line)
    finally:
        if not args.keep:
            shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cap", type=int, default=40, help="criteria per simulation the API allows")
    parser.add_argument("--xlsx-rows", type=int, default=3_000_000)
    parser.add_argument(
        "--engine-hang",
        action="store_true",
        help="also store 470 city rules and simulate on top (the engine never finishes compiling)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder and the log of jiequ up")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
