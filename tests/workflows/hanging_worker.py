"""The project's worker in a process of its own, except that its cycle assessment never finishes (it
heartbeats all the while, like a real long activity), so that a test can kill the process mid-activity
(test_worker_faults.py).

Run as ``python -m tests.workflows.hanging_worker TARGET TASK_QUEUE DATABASE_URL``; it prints
``ready`` when it is about to poll and ``started <attempt> <kind>`` when an assessment attempt begins.
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from infra.settings import load_settings
from infra.temporal import DATA_CONVERTER
from services.context import AppContext
from workflows.cycle.payloads import AssessInput
from workflows.cycle.schemas import Candidate
from workflows.heartbeats import heartbeating
from workflows.worker import WORKFLOWS, activities


@activity.defn(name="cycle_assess")
@heartbeating
async def assess(params: AssessInput) -> tuple[Candidate, ...]:
    print("started", activity.info().attempt, params.kind, flush=True)
    await asyncio.Event().wait()
    raise AssertionError("never reached")


async def main(target: str, task_queue: str, database_url: str) -> None:
    client = await Client.connect(target, data_converter=DATA_CONVERTER)

    async def connect() -> Client:
        return client

    settings = load_settings({"JIEQU_JWT_SECRET": "x" * 40})
    context = AppContext.create(settings, database_url, connect)
    await context.load_directory()
    chosen: list[Any] = [a for a in activities(context, client) if getattr(a, "__name__", "") != "assess"]
    # No workflow cache: the next worker gets the workflow tasks at once, not after a sticky queue's timeout.
    worker = Worker(
        client, task_queue=task_queue, workflows=WORKFLOWS, activities=[*chosen, assess], max_cached_workflows=0
    )
    print("ready", flush=True)
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
