"""A city changing its report deadline or escalation delay mid-year: the streets' running tracking takes the
new dates through a validated Update, and the save says what took effect; never silently next year."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.context import AppContext
from tenants.calendar import day_end
from tests.conftest import Auth
from tests.workflows.clock import next_year
from tests.workflows.street_fixtures import make_operator, make_street, notifications, start_tracking, until
from workflows import timeskip
from workflows.tracking.client import street_year_status
from workflows.tracking.schemas import StreetYearResult

CITY = "liaocheng"
CONFIG = f"/api/tenants/{CITY}/config"


async def test_a_new_deadline_reaches_the_running_tracking_and_the_save_says_so(
    api_temporal_env: WorkflowEnvironment, context: AppContext, worker: Worker, client: httpx.AsyncClient, auth: Auth
) -> None:
    admin = await auth.headers(f"{CITY}-admin")

    async def save(**changes: Any) -> httpx.Response:
        return await client.put(CONFIG, json={**original, **changes}, headers=admin)

    async def due(month: int) -> tuple[dt.date, str]:
        status = await street_year_status(api_temporal_env.client, CITY, street, year)
        assert status is not None
        (item,) = (i for i in status.items if i.month == f"{year}-{month:02d}")
        return item.due_on, item.state

    year = await next_year(api_temporal_env)
    street = await make_street(context, CITY)
    operator = await make_operator(context, CITY, street)
    original = (await client.get(CONFIG, headers=admin)).json()
    assert (original["reportDeadlineDay"], original["escalationDays"]) == (10, 7)
    handle = await start_tracking(api_temporal_env, context, CITY, street, year, start_month=11)
    try:
        await until(handle, 11, "due")
        # November's reminder goes out on 12-10 under the old deadline…
        now = await api_temporal_env.get_current_time()
        await timeskip.sleep(api_temporal_env, day_end(dt.date(year, 12, 10)) - now + dt.timedelta(hours=1))
        await until(handle, 11, "missing")

        # …then the city moves the deadline to the 20th and escalates after 3 days.
        saved = await save(reportDeadlineDay=20, escalationDays=3)
        assert saved.status_code == 200, saved.text
        answer = saved.json()
        assert (answer["reportDeadlineDay"], answer["escalationDays"]) == (20, 3)
        (notice,) = answer["notices"]
        assert "次月 20 日截止" in notice["zh"]
        assert "day 20 of the next month" in notice["en"]
        # A month already reminded keeps the date the operator was told; December is due by the 20th.
        assert await due(11) == (dt.date(year, 12, 10), "missing")
        assert await due(12) == (dt.date(year + 1, 1, 20), "due")

        # November escalates 3 days after its deadline, not 7.
        await timeskip.sleep(api_temporal_env, dt.timedelta(days=3))
        await until(handle, 11, "escalated")
        # On 01-11, a day past the old deadline, December is not yet missing; past the 20th it is.
        await timeskip.sleep(
            api_temporal_env, day_end(dt.date(year + 1, 1, 11)) - await api_temporal_env.get_current_time()
        )
        assert await due(12) == (dt.date(year + 1, 1, 20), "due")
        assert not await notifications(context, CITY, dedupe_key=f"report-reminder:{street}:{year}-12")
        result = await handle.result()
        assert result == StreetYearResult(reminders=2, escalations=2, missing=(f"{year}-11", f"{year}-12"))
        reminded = await notifications(context, CITY, dedupe_key=f"report-reminder:{street}:{year}-12")
        assert [n.username for n in reminded] == [operator]
        assert "1月20日" in reminded[0].body_zh

        # A year whose tracking has ended takes nothing more, and the save still succeeds.
        again = await save(reportDeadlineDay=15)
        assert again.status_code == 200, again.text
        assert len(again.json()["notices"]) == 1
        assert await due(12) == (dt.date(year + 1, 1, 20), "escalated")
    finally:
        if (await handle.describe()).close_time is None:
            await handle.terminate()
        restored = await save()
        assert restored.status_code == 200, restored.text


async def test_another_city_neither_changes_nor_moves_this_citys_tracking(
    api_temporal_env: WorkflowEnvironment, context: AppContext, worker: Worker, client: httpx.AsyncClient, auth: Auth
) -> None:
    year = await next_year(api_temporal_env)
    street = await make_street(context, CITY)
    handle = await start_tracking(api_temporal_env, context, CITY, street, year, start_month=12)
    other = await auth.headers("jinan-admin")
    jinan = (await client.get("/api/tenants/jinan/config", headers=other)).json()
    try:
        await until(handle, 12, "due")
        assert (await client.put(CONFIG, json=jinan, headers=other)).status_code == 404
        moved = await client.put("/api/tenants/jinan/config", json={**jinan, "reportDeadlineDay": 25}, headers=other)
        assert moved.status_code == 200, moved.text
        status = await street_year_status(api_temporal_env.client, CITY, street, year)
        assert status is not None
        assert [i.due_on for i in status.items] == [dt.date(year + 1, 1, 10)]
    finally:
        await handle.terminate()
        assert (await client.put("/api/tenants/jinan/config", json=jinan, headers=other)).status_code == 200


async def test_periods_read_later_take_effect_later_and_the_save_says_so(client: httpx.AsyncClient, auth: Auth) -> None:
    admin = await auth.headers(f"{CITY}-admin")
    original = (await client.get(CONFIG, headers=admin)).json()
    try:
        saved = await client.put(CONFIG, json={**original, "rectificationDays": 60}, headers=admin)
        assert saved.status_code == 200, saved.text
        (notice,) = saved.json()["notices"]
        assert "整改期限 60 天" in notice["zh"]
        assert "keep the due date" in notice["en"]
        # Nothing changed: nothing to say; GET never carries notices, and what it answered saves unchanged.
        same = await client.put(CONFIG, json=(await client.get(CONFIG, headers=admin)).json(), headers=admin)
        assert same.status_code == 200, same.text
        assert same.json()["notices"] == []
        assert "notices" not in (await client.get(CONFIG, headers=admin)).json()
    finally:
        assert (await client.put(CONFIG, json=original, headers=admin)).status_code == 200
