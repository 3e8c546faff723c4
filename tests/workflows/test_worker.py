"""The project's worker on the time-skipping server: registered workflows run with real activities."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from infra.db import owner_transaction
from services.context import AppContext
from tenants.calendar import today
from tests.workflows.street_fixtures import make_street
from workflows.housekeeping.activities import PurgeInput, RefreshInput, ReportActivities
from workflows.housekeeping.workflows import HousekeepingWorkflow
from workflows.worker import build_worker


async def test_housekeeping_purges_only_stale_throttle_rows(
    temporal_env: WorkflowEnvironment, context: AppContext
) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    async with owner_transaction(context.sessions) as session:
        await session.execute(
            text(
                "INSERT INTO login_throttle (username, failures, first_failed_at) VALUES "
                "('stale-user', 2, :old), ('fresh-user', 1, now())"
            ),
            {"old": old},
        )
    worker = build_worker(temporal_env.client, context)
    async with worker:
        purged = await temporal_env.client.execute_workflow(
            HousekeepingWorkflow.run,
            PurgeInput(),
            id=f"housekeeping-{uuid.uuid4()}",
            task_queue=context.settings.task_queue,
        )
    assert purged.purged >= 1
    async with owner_transaction(context.sessions) as session:
        left = set((await session.execute(text("SELECT username FROM login_throttle"))).scalars())
    assert "stale-user" not in left
    assert "fresh-user" in left


async def test_housekeeping_brings_the_report_summary_up_to_date_ahead_of_the_readers(
    temporal_env: WorkflowEnvironment, context: AppContext
) -> None:
    street = await make_street(context, "liaocheng")

    async def summarised() -> int:
        async with owner_transaction(context.sessions) as session:
            query = text("SELECT count(*) FROM report_street_years WHERE tenant_id = 'liaocheng' AND street_id = :s")
            return int((await session.execute(query, {"s": street})).scalar_one())

    assert await summarised() == 0
    async with build_worker(temporal_env.client, context):
        result = await temporal_env.client.execute_workflow(
            HousekeepingWorkflow.run,
            PurgeInput(),
            id=f"housekeeping-{uuid.uuid4()}",
            task_queue=context.settings.task_queue,
        )
    assert result.refreshed >= 1  # the new street, and any other no report has asked for yet
    assert await summarised() == 1

    # The activity on a day of its own, whatever day the workflow above brought up to date:
    # the first run brings that day's figures up to date, a second one finds nothing stale.
    day = date(today().year, 1, 15)
    activities, env = ReportActivities(context), ActivityEnvironment()
    assert await env.run(activities.refresh_report_summaries, RefreshInput(day=day)) >= 1
    assert await env.run(activities.refresh_report_summaries, RefreshInput(day=day)) == 0
