"""Benchmark: how long ``jiequ up`` takes to answer ``/health`` on a fresh data folder, and on a second start.

``python -m infra.benchmarks.start [--runs 3]`` starts ``jiequ up`` on a new data folder (embedded PostgreSQL
initialised, migrations, the demo data, Temporal's dev server, the API and the worker), stops it once healthy,
starts it again on the same folder, and repeats with a new folder ``--runs`` times. The clock runs from the
process's start (its imports included) to the first 200 from ``/health``, polled every 50 ms. Goals: 10 s
fresh, 3 s on the second start. It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
from pathlib import Path

from infra.benchmarks.local_up import jiequ_up
from infra.local import free_port


async def run(runs: int) -> None:
    fresh: list[float] = []
    again: list[float] = []
    for _ in range(runs):
        folder = Path(tempfile.mkdtemp(prefix="jiequ-startbench-"))
        try:
            for seconds in (fresh, again):
                async with jiequ_up(folder / "data", free_port(), folder / "up.log", poll=0.05) as took:
                    seconds.append(took)
                print(f"  {'fresh' if seconds is fresh else 'second'} start: {took:.1f} s", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()[0]
    print(f"\nfresh data folder: {min(fresh):.1f}–{max(fresh):.1f} s (goal ≤ 10 s)")
    print(f"second start:      {min(again):.1f}–{max(again):.1f} s (goal ≤ 3 s)")
    print(f"load average {load:.1f} on {os.cpu_count()} cores")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="fresh data folders to start from")
    asyncio.run(run(parser.parse_args().runs))


if __name__ == "__main__":
    main()
