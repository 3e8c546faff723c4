"""A city's cycle and its configuration: a new application window reaches the running cycle through its
validated Update or the save is refused with the reason; an impossible stored window stops the cycle and
tells the city's admins instead of retrying for ever."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowFailureError
from temporalio.testing import WorkflowEnvironment

from services.context import AppContext
from tenants.calendar import day_end
from tenants.config import TenantSettings
from tests.polling import eventually
from tests.workflows.clock import next_year, skip_to
from tests.workflows.cycle_fixtures import CycleApi, CycleData, record_histories
from workflows import client as cycles
from workflows.cycle.schemas import cycle_id
from workflows.worker import build_worker

CONFIG = "/api/tenants/jinan/config"


async def test_a_running_cycle_takes_a_new_window_or_the_save_is_refused(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext
) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    data = CycleData(context, year)
    street = await data.street("jinan", "芙蓉街创业街区")
    call = CycleApi(context)
    cycle = f"/api/tenants/jinan/cycles/{year}"

    async def view() -> dict[str, Any]:
        response = await call("jinan-admin", "GET", cycle)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def window(opens: str, closes: str) -> httpx.Response:
        return await call("jinan-admin", "PUT", CONFIG, {**config, "applicationWindow": [opens, closes]})

    async with build_worker(env.client, context), call:
        started = await call("jinan-admin", "POST", cycle)
        assert started.status_code == 201, started.text
        # The view names the province and the window from the start, before the opening has read them.
        assert started.json()["province"] == "shandong"
        assert started.json()["applicationWindow"] == {"opens": f"{year}-01-01", "closes": f"{year}-03-31"}
        # The cycle's own window, once its opening has read the configuration.
        await eventually(
            lambda: cycles.cycle_view(env.client, "jinan", year), lambda v: v.application_window is not None
        )
        config = (await call("jinan-admin", "GET", CONFIG)).json()

        # Before the year: a later window is taken at once, and the cycle keeps applications open until it closes.
        moved = await window("01-10", "04-30")
        assert moved.status_code == 200, moved.text
        now = await view()
        assert now["applicationWindow"] == {"opens": f"{year}-01-10", "closes": f"{year}-04-30"}
        assert {"kind": "applications", "dueOn": f"{year}-04-30", "streetId": None} in now["due"]
        # Another city cannot change it (and its own save leaves this cycle alone).
        assert (await call("qingdao-admin", "PUT", CONFIG, config)).status_code == 404
        assert (await call("jinan-case", "PUT", CONFIG, config)).status_code == 403
        config = (await call("jinan-admin", "GET", CONFIG)).json()

        await skip_to(env, day_end(date(year, 4, 10)))
        assert (await view())["phase"] == "application"  # the old window closed on 03-31
        applied = await call("jinan-admin", "POST", f"{cycle}/applications", {"streetId": street.id})
        assert applied.status_code == 201, applied.text

        # A window that would already have closed is refused with the reason, and nothing is saved.
        closed = await window("01-01", "03-31")
        assert closed.status_code == 422, closed.text
        assert "已过" in closed.json()["detail"]
        assert "has passed" in closed.json()["detail"]
        assert (await call("jinan-admin", "GET", CONFIG)).json()["applicationWindow"] == ["01-10", "04-30"]
        # A leap day in a common year falls on the 28th, and is a real day to save.
        assert (await window("02-29", "04-30")).status_code == 200
        assert (await view())["applicationWindow"] == {"opens": f"{year}-02-28", "closes": f"{year}-04-30"}

        await skip_to(env, day_end(date(year, 4, 30)))
        await eventually(view, lambda v: v["phase"] == "recommendation")
        config = (await call("jinan-admin", "GET", CONFIG)).json()
        # Once screening has begun, applications cannot reopen this year: refused, saying so.
        reopen = await window("05-01", "12-31")
        assert reopen.status_code == 422, reopen.text
        assert "cannot reopen" in reopen.json()["detail"]
        assert "不能" in reopen.json()["detail"]
        assert (await call("jinan-admin", "GET", CONFIG)).json()["applicationWindow"] == ["02-29", "04-30"]
        # A window wholly in this year's past is for the years to come: saved; this year's cycle keeps the
        # window it used.
        later = await window("01-01", "03-31")
        assert later.status_code == 200, later.text
        assert (await view())["applicationWindow"] == {"opens": f"{year}-02-28", "closes": f"{year}-04-30"}
        assert (await view())["applications"] == [street.id]
    # The history with the Updates is replayed by test_cycle_replay.py against the workflow code to come.
    await record_histories(env, {"cycle_configured": cycle_id("jinan", year)})


async def test_an_impossible_stored_window_stops_the_cycle_and_tells_the_city_admins(
    temporal_env: WorkflowEnvironment, cycle_context: AppContext
) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    data = CycleData(context, year)
    # Stored before saves were checked (a save now refuses it).
    await data.configure("jinan", TenantSettings(application_window=("02-30", "13-01")))
    async with build_worker(env.client, context):
        assert await cycles.start_cycle(env.client, "jinan", year, context.settings.task_queue)
        handle = env.client.get_workflow_handle(cycle_id("jinan", year))
        with pytest.raises(WorkflowFailureError) as failed:
            await asyncio.wait_for(handle.result(), timeout=60)
        assert "02-30" in str(failed.value.cause)
        started = [
            event.activity_task_started_event_attributes.attempt
            async for event in handle.fetch_history_events()
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        ]
        assert started == [1, 1]  # the opening, once; the admins' notice, once
        told = await data.rows(
            "SELECT username, title_zh, body_en FROM notifications"
            " WHERE tenant_id = 'jinan' AND kind = 'cycle_settings'"
        )
        assert [row[0] for row in told] == ["jinan-admin"]
        assert "配置有误" in told[0][1]
        assert "02-30" in told[0][2]

        # Corrected, the cycle starts again under the same id.
        await data.configure("jinan", TenantSettings())
        assert await cycles.start_cycle(env.client, "jinan", year, context.settings.task_queue)
        opened = await eventually(
            lambda: cycles.cycle_view(env.client, "jinan", year), lambda v: v.application_window is not None
        )
        assert opened.application_window == (date(year, 1, 1), date(year, 3, 31))
