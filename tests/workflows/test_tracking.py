"""Tracking on the time-skipping server with the real activities: reminders, escalations, and what stops them."""

from __future__ import annotations

import datetime as dt

import httpx
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from services.context import AppContext
from tenants.calendar import today
from tests.conftest import Auth
from tests.streetdata_fixtures import create_street
from tests.workflows.clock import next_year
from tests.workflows.street_fixtures import (
    make_operator,
    make_street,
    notifications,
    start_tracking,
    submit_report,
    until,
)
from workflows import timeskip
from workflows.cycle.schemas import PHASE, TENANT, YEAR
from workflows.tracking.activities import ReportNoticeInput, TrackingActivities
from workflows.tracking.client import report_submitted, street_year_status
from workflows.tracking.schemas import (
    REPORT_SUBMITTED,
    StreetYearInput,
    StreetYearResult,
    reminder_at,
    street_year_id,
)
from workflows.tracking.workflows import StreetYearWorkflow

CITY = "liaocheng"


async def street_and_operator(context: AppContext) -> tuple[int, str]:
    """A designated street of the city and the username of its new operator user."""
    street = await make_street(context, CITY)
    return street, await make_operator(context, CITY, street)


async def test_missed_report_brings_reminder_then_escalation(
    temporal_env: WorkflowEnvironment, context: AppContext, worker: Worker
) -> None:
    year = await next_year(temporal_env)
    street, operator = await street_and_operator(context)
    # November is never reported; December's report reaches the database without a signal.
    await submit_report(context, CITY, street, dt.date(year, 12, 1))
    handle = await start_tracking(temporal_env, context, CITY, street, year, start_month=11)
    result = await handle.result()  # the test server skips the year's timers
    assert result == StreetYearResult(reminders=1, escalations=1, missing=(f"{year}-11",))

    reminders = await notifications(context, CITY, dedupe_key=f"report-reminder:{street}:{year}-11")
    assert [(n.username, n.kind) for n in reminders] == [(operator, "report_reminder")]
    assert "12月10日" in reminders[0].body_zh  # due by the 10th of the next month
    escalations = await notifications(context, CITY, dedupe_key=f"report-escalation:{street}:{year}-11")
    assert [(n.username, n.kind) for n in escalations] == [(f"{CITY}-case", "report_escalation")]
    assert escalations[0].created_at >= reminders[0].created_at
    assert not await notifications(context, CITY, dedupe_key=f"report-reminder:{street}:{year}-12")

    status = await handle.query(StreetYearWorkflow.status)
    assert status.phase == "closed"
    assert [(i.month, i.state) for i in status.items] == [(f"{year}-11", "escalated"), (f"{year}-12", "submitted")]
    attributes = (await handle.describe()).typed_search_attributes
    assert (attributes.get(TENANT), attributes.get(YEAR), attributes.get(PHASE)) == (CITY, year, "closed")


async def test_submitted_report_signal_stops_reminder_and_escalation(
    temporal_env: WorkflowEnvironment, context: AppContext, worker: Worker
) -> None:
    year = await next_year(temporal_env)
    street, operator = await street_and_operator(context)
    handle = await start_tracking(temporal_env, context, CITY, street, year, start_month=11)

    # November's report arrives before its deadline: neither reminder nor escalation.
    assert await report_submitted(temporal_env.client, CITY, street, year, 11)
    # December's is late: skip to just after its deadline, when the operator has been reminded…
    now = await temporal_env.get_current_time()
    await timeskip.sleep(temporal_env, reminder_at(dt.date(year + 1, 1, 10)) - now + dt.timedelta(hours=1))
    await until(handle, 12, "missing")
    assert [
        n.username for n in await notifications(context, CITY, dedupe_key=f"report-reminder:{street}:{year}-12")
    ] == [operator]
    # …then it is submitted: the escalation due a week later never comes.
    assert await report_submitted(temporal_env.client, CITY, street, year, 12)
    result = await handle.result()

    assert result == StreetYearResult(reminders=1, escalations=0, missing=())
    assert not await notifications(context, CITY, dedupe_key=f"report-reminder:{street}:{year}-11")
    assert not await notifications(context, CITY, dedupe_key=f"report-escalation:{street}:{year}-11")
    assert not await notifications(context, CITY, dedupe_key=f"report-escalation:{street}:{year}-12")
    status = await street_year_status(temporal_env.client, CITY, street, year)
    assert status is not None
    assert [i.state for i in status.items] == ["submitted", "submitted"]


async def test_repeated_start_joins_the_running_workflow_and_unknown_street_is_not_an_error(
    temporal_env: WorkflowEnvironment, context: AppContext, worker: Worker
) -> None:
    year = await next_year(temporal_env)
    street = await make_street(context, CITY)
    handle = await start_tracking(temporal_env, context, CITY, street, year, start_month=12)
    try:
        again = await temporal_env.client.start_workflow(
            StreetYearWorkflow.run,
            StreetYearInput(tenant=CITY, street_id=street, year=year, start_month=12),
            id=street_year_id(CITY, street, year),
            task_queue=context.settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        )
        assert again.result_run_id == handle.result_run_id
    finally:
        await handle.terminate()
    assert not await report_submitted(temporal_env.client, CITY, 999_999_999, year, 1)
    assert await street_year_status(temporal_env.client, CITY, 999_999_999, year) is None


async def test_retried_report_notice_writes_nothing_twice(context: AppContext) -> None:
    street, operator = await street_and_operator(context)
    month = dt.date(2025, 3, 1)
    params = ReportNoticeInput(
        tenant=CITY, street_id=street, month=month, due_on=dt.date(2025, 4, 10), stage="reminder", escalation_days=7
    )
    activities = TrackingActivities(context)
    env = ActivityEnvironment()
    first = await env.run(activities.report_notice, params)
    second = await env.run(activities.report_notice, params)
    assert (first.submitted, first.created) == (False, 1)
    assert (second.submitted, second.created) == (False, 0)
    rows = await notifications(context, CITY, dedupe_key=f"report-reminder:{street}:2025-03")
    assert [n.username for n in rows] == [operator]

    await submit_report(context, CITY, street, month)
    after = await env.run(activities.report_notice, params)
    assert after.submitted
    assert after.webhook is None


async def test_a_report_submitted_through_the_api_signals_the_streets_workflow(
    api_temporal_env: WorkflowEnvironment, client: httpx.AsyncClient, auth: Auth
) -> None:
    street = (await create_street(client, auth, "jinan"))["id"]
    month = (today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month: not in the future
    # No worker polls this workflow: the signal waits in its history, which is what is checked here.
    handle = await api_temporal_env.client.start_workflow(
        StreetYearWorkflow.run,
        StreetYearInput(tenant="jinan", street_id=street, year=month.year, start_month=month.month),
        id=street_year_id("jinan", street, month.year),
        task_queue=f"idle-{street}",
    )
    try:
        response = await client.post(
            f"/api/tenants/jinan/streets/{street}/reports",
            json={"month": month.strftime("%Y-%m"), "jobsDriven": 4},
            headers=await auth.headers("jinan-admin"),
        )
        assert response.status_code == 201, response.text
        history = await handle.fetch_history()
        signals = [
            event.workflow_execution_signaled_event_attributes
            for event in history.events
            if event.HasField("workflow_execution_signaled_event_attributes")
        ]
        assert [s.signal_name for s in signals] == [REPORT_SUBMITTED]
        assert signals[0].input.payloads[0].data == str(month.month).encode()
    finally:
        await handle.terminate()


async def test_a_street_without_an_operator_account_reminds_the_city_admins(context: AppContext) -> None:
    street = await make_street(context, CITY)
    params = ReportNoticeInput(
        tenant=CITY,
        street_id=street,
        month=dt.date(2025, 5, 1),
        due_on=dt.date(2025, 6, 10),
        stage="reminder",
        escalation_days=7,
    )
    result = await ActivityEnvironment().run(TrackingActivities(context).report_notice, params)
    assert result.created == 1
    rows = await notifications(context, CITY, dedupe_key=f"report-reminder:{street}:2025-05")
    assert [n.username for n in rows] == [f"{CITY}-admin"]
