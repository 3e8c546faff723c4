"""More than one of each process: two `jiequ api` and two `jiequ worker` on one PostgreSQL and one Temporal.

`jiequ up` runs the database, Temporal, one API and one worker; a second `jiequ api` and a second
`jiequ worker` join them as a deployment would (the data folder's PostgreSQL, `TEMPORAL_ADDRESS`). Through
both APIs at once: the sign-in throttle holds across them, a write raced through both is stored once, and a
city's cycle started through both runs once, its workflow polled by both workers.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from infra.local import free_port, interrupt
from infra.settings import TASK_QUEUE
from tenants.calendar import today
from tests.stack import DEMO_PASSWORD, running_stack
from tests.streetdata_fixtures import street_body

pytestmark = pytest.mark.slow


@contextmanager
def joined(data_dir: Path, temporal: str, *command: str) -> Iterator[subprocess.Popen[bytes]]:
    """`jiequ <command>` joining the running stack's database and Temporal; stopped with SIGINT afterwards."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JIEQU_DATA_DIR=str(data_dir), TEMPORAL_ADDRESS=temporal, JIEQU_DEMO_PASSWORD=DEMO_PASSWORD)
    log = data_dir.parent / f"{command[0]}-{time.monotonic_ns()}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.cli", *command], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        interrupt(process)
        assert process.returncode in (0, -signal.SIGINT), log.read_text()[-3000:]


async def healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(240):
            assert process.poll() is None, "the second API exited"
            try:
                if (await client.get(f"{url}/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5)
    raise AssertionError(f"{url} never became healthy")


async def sign_in(client: httpx.AsyncClient, url: str, username: str, password: str = DEMO_PASSWORD) -> httpx.Response:
    return await client.post(f"{url}/api/auth/login", json={"username": username, "password": password})


async def pollers(temporal: str, queue: str) -> set[str]:
    client = await Client.connect(temporal)
    answer = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace="default",
            task_queue=TaskQueue(name=queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return {poller.identity for poller in answer.pollers}


async def test_two_apis_and_two_workers_share_one_database_and_temporal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running_stack(data) as first:
        banner = next(data.parent.glob("up-*.log")).read_text()
        match = re.search(r"Temporal +(127\.0\.0\.1:\d+)", banner)
        assert match, banner
        temporal = match[1]
        second = f"http://127.0.0.1:{free_port()}"
        with (
            joined(data, temporal, "api", "--port", second.rsplit(":", 1)[1]) as api,
            joined(data, temporal, "worker"),
        ):
            await healthy(second, api)
            async with httpx.AsyncClient(timeout=60) as client:
                # A token from one API is good on the other: they share the data folder's signing secret.
                token = (await sign_in(client, first, "jinan-admin")).json()["accessToken"]
                headers = {"Authorization": f"Bearer {token}"}
                assert (await client.get(f"{second}/api/me", headers=headers)).status_code == 200

                # The sign-in throttle is in the database: failures through both APIs add up.
                failures = [await sign_in(client, url, "zibo-case", "wrong-password") for url in [first, second] * 3]
                assert [r.status_code for r in failures][:4] == [401, 401, 401, 401]
                assert failures[-1].status_code == 429
                assert (await sign_in(client, first, "zibo-case")).status_code == 429
                assert (await sign_in(client, second, "zibo-case")).status_code == 429

                # One street's report of one month, raced through both APIs: stored once.
                created = await client.post(f"{first}/api/tenants/jinan/streets", json=street_body(), headers=headers)
                assert created.status_code == 201, created.text
                month = today().replace(day=1).strftime("%Y-%m")
                path = f"/api/tenants/jinan/streets/{created.json()['id']}/reports"
                answers = await asyncio.gather(
                    *(
                        client.post(f"{url}{path}", json={"month": month, "jobsDriven": 3}, headers=headers)
                        for url in [first, second] * 4
                    )
                )
                codes = sorted(a.status_code for a in answers)
                assert codes.count(201) == 1, [a.text for a in answers]
                assert set(codes) <= {201, 409}
                listed = (await client.get(f"{second}{path}", headers=headers)).json()
                assert [r["month"] for r in listed].count(month) == 1

                # Next year's cycle, started through both APIs at once: one workflow, the same one seen by both.
                year = today().year + 1
                starts = await asyncio.gather(
                    *(client.post(f"{url}/api/tenants/jinan/cycles/{year}", headers=headers) for url in (first, second))
                )
                assert all(s.status_code in (200, 201) for s in starts), [s.text for s in starts]
                assert sorted(s.status_code for s in starts) == [200, 201]
                views = [
                    (await client.get(f"{url}/api/tenants/jinan/cycles/{year}", headers=headers)).json()
                    for url in (first, second)
                ]
                assert views[0]["workflowId"] == views[1]["workflowId"]
                # Both workers poll the queue the cycle runs on.
                assert len(await pollers(temporal, TASK_QUEUE)) >= 2
