"""Workers stopped mid-year, and activities that commit and then die before reporting, do not make the
cycle write anything twice: the next worker replays the workflows from their histories and the retried
activities find what the dead attempts stored."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.context import AppContext
from tenants.calendar import day_end, year_start
from tests.polling import eventually
from tests.workflows.clock import next_year, skip_to
from tests.workflows.cycle_fixtures import CycleData
from workflows import client as cycles
from workflows.cycle.activities import CycleActivities
from workflows.cycle.payloads import AssessInput, StatusInput, StatusResult
from workflows.cycle.schemas import Application, Candidate, Designation, Recommendation
from workflows.worker import WORKFLOWS, activities


class DiesAfterCommit(CycleActivities):
    """The year-end assessment (`at="annual"`) or the opening of rectification (`at="rectification"`) does
    its work and commits, then the worker "dies" before reporting: that attempt fails, and so does every
    later attempt on this worker, at once and without doing anything, until the test replaces the worker."""

    def __init__(self, context: AppContext, client: Client, at: str) -> None:
        super().__init__(context, client)
        self.at = at
        self.committed = asyncio.Event()

    def _die(self) -> None:
        self.committed.set()
        raise RuntimeError("the worker died after its transaction committed")

    def _alive(self) -> None:
        if self.committed.is_set():
            raise RuntimeError("this worker is dead")

    @activity.defn(name="cycle_assess")
    async def assess(self, params: AssessInput) -> tuple[Candidate, ...]:
        self._alive()
        result = await super().assess(params)
        if params.kind == self.at:
            self._die()
        return result

    @activity.defn(name="cycle_change_status")
    async def change_status(self, params: StatusInput) -> StatusResult:
        self._alive()
        result = await super().change_status(params)
        if params.status == self.at:
            self._die()
        return result


RETRY_WAIT = timedelta(minutes=10)
"""Longer than the cycle's longest retry interval (5 minutes): a failed attempt has been retried by then."""


def worker(env: WorkflowEnvironment, context: AppContext, dying: DiesAfterCommit | None = None) -> Worker:
    """The project's worker; with `dying`, its assessment and status activities are the dying ones.

    Shutting a worker down cancels its running activities, and a cancelled attempt is retried only after its
    timeout, which the test server's clock does not skip past a running activity: so the workers here let
    their running activities finish before they stop. They keep no workflow cache either: the test server
    holds a stopped worker's sticky workflow tasks for half a minute of real time, and without a cache
    every workflow task replays the whole history, which is what a restarted worker does anyway.
    """
    chosen: list[Any] = list(activities(context, env.client))
    if dying is not None:
        chosen = [a for a in chosen if getattr(a, "__name__", "") not in ("assess", "change_status")]
        chosen += [dying.assess, dying.change_status]
    return Worker(
        env.client,
        task_queue=context.settings.task_queue,
        workflows=WORKFLOWS,
        activities=chosen,
        graceful_shutdown_timeout=timedelta(seconds=30),
        max_cached_workflows=0,
    )


async def counts(data: CycleData, sql: str) -> Sequence[tuple[Any, ...]]:
    return [tuple(row) for row in await data.rows(sql)]


async def test_a_year_survives_dead_workers(temporal_env: WorkflowEnvironment, cycle_context: AppContext) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    data = CycleData(context, year)
    kept = await data.street("jinan", "芙蓉街创业街区")
    spoiled = await data.street("jinan", "宽厚里创业街区")

    # The first worker runs the year until the province has designated, and stops mid-year.
    async with worker(env, context):
        assert await cycles.start_cycle(env.client, "jinan", year, context.settings.task_queue)
        opened = await eventually(
            lambda: cycles.cycle_view(env.client, "jinan", year), lambda view: view.application_window is not None
        )
        assert opened.application_window is not None
        await skip_to(env, year_start(year))
        for street in (kept, spoiled):
            await cycles.apply(env.client, "jinan", year, Application(street_id=street.id, applied_by="op"))
        await skip_to(env, day_end(opened.application_window[1]))
        await eventually(lambda: cycles.cycle_view(env.client, "jinan", year), lambda v: v.phase == "recommendation")
        await cycles.recommend(
            env.client, "jinan", year, Recommendation(street_ids=(kept.id, spoiled.id), recommended_by="jinan-admin")
        )
        await eventually(lambda: cycles.selection_view(env.client, "shandong", year), lambda v: len(v.ranking) == 2)
        await cycles.designate(
            env.client, "shandong", year, Designation(street_ids=(kept.id, spoiled.id), designated_by="province")
        )
        await eventually(lambda: cycles.cycle_view(env.client, "jinan", year), lambda v: v.phase == "tracking")
    await data.too_few_activities(spoiled)

    # A new worker (empty cache: it replays every history) dies after committing the annual assessments;
    # its later attempts fail at once, and the clock goes on through their retries.
    dying = DiesAfterCommit(context, env.client, at="annual")
    async with worker(env, context, dying):
        await skip_to(env, year_start(year + 1))
        assert dying.committed.is_set()
    assert await data.scalar("SELECT count(*) FROM assessments WHERE kind = 'annual'") == 2

    # The next one retries the assessment (it finds the stored ones) and dies after opening rectification.
    dying = DiesAfterCommit(context, env.client, at="rectification")
    async with worker(env, context, dying):
        await skip_to(env, await env.get_current_time(), extra=RETRY_WAIT)
        assert dying.committed.is_set()
    assert await data.status(spoiled) == "rectification"

    # The last one finishes the year and the rectification.
    async with worker(env, context):
        await skip_to(env, await env.get_current_time(), extra=RETRY_WAIT)
        review = await eventually(
            lambda: cycles.reevaluation_view(env.client, "jinan", year), lambda v: v.phase == "rectification"
        )
        assert review.rectification == (spoiled.id,)
        assert review.rectification_due is not None
        await skip_to(env, day_end(review.rectification_due))
        await eventually(lambda: cycles.reevaluation_view(env.client, "jinan", year), lambda v: v.phase == "closed")
        await eventually(
            lambda: cycles.cycle_view(env.client, "jinan", year + 1), lambda v: v.application_window is not None
        )

    assert await data.status(kept) == "designated"
    assert await data.status(spoiled) == "revoked"
    assert await counts(data, "SELECT street_id, kind, count(*) FROM assessments GROUP BY 1, 2 ORDER BY 1, 2") == [
        (kept.id, "annual", 1),
        (kept.id, "screening", 1),
        (spoiled.id, "annual", 1),
        (spoiled.id, "rectification", 1),
        (spoiled.id, "screening", 1),
    ]
    assert await counts(
        data,
        "SELECT object_id, after ->> 'status', count(*) FROM audit_log WHERE action = 'street.status'"
        " GROUP BY 1, 2 ORDER BY 1, 2",
    ) == sorted(
        [
            (str(kept.id), "recommended", 1),
            (str(kept.id), "pilot", 1),
            (str(kept.id), "designated", 1),
            (str(spoiled.id), "recommended", 1),
            (str(spoiled.id), "pilot", 1),
            (str(spoiled.id), "rectification", 1),
            (str(spoiled.id), "revoked", 1),
        ]
    )
    assert await counts(
        data,
        "SELECT street_id, kind, username, count(*) FROM notifications WHERE kind LIKE 'street_%'"
        " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
    ) == [
        (kept.id, "street_designated", "jinan-admin", 1),
        (kept.id, "street_retained", "jinan-admin", 1),
        (spoiled.id, "street_designated", "jinan-admin", 1),
        (spoiled.id, "street_rectification", "jinan-admin", 1),
        (spoiled.id, "street_revoked", "jinan-admin", 1),
    ]
