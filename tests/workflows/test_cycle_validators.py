"""The Updates' validators refuse bad input before anything is written: a street of another city, a
street failing a required criterion, an unknown one, a recommendation before screening, a designation
over the target or of a street that did not pass without a reason, and any request to a closed year."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from services.context import AppContext
from tenants.calendar import day_end, year_start
from tests.polling import eventually
from tests.workflows.clock import next_year, skip_to
from tests.workflows.cycle_fixtures import CycleData
from workflows import client as cycles
from workflows.cycle.schemas import Application, CycleView, Designation, Recommendation
from workflows.worker import build_worker


def recommendation(*street_ids: int) -> Recommendation:
    return Recommendation(street_ids=street_ids, recommended_by="admin")


def designation(*street_ids: int, reason: str | None = None) -> Designation:
    return Designation(street_ids=street_ids, designated_by="province", override_reason=reason)


async def test_updates_refuse_bad_input(temporal_env: WorkflowEnvironment, cycle_context: AppContext) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    data = CycleData(context, year)
    good, weak = await data.passing_and_failing(1, "芙蓉街创业街区", "宽厚里创业街区")
    other = await data.street("qingdao", "中山路创业街区")
    unsurveyed = await data.street("qingdao", "即墨路创业街区", surveys=0)

    async with build_worker(env.client, context):
        for city in ("jinan", "qingdao"):
            assert await cycles.start_cycle(env.client, city, year, context.settings.task_queue)

        async def jinan() -> CycleView | None:
            return await cycles.cycle_view(env.client, "jinan", year)

        opened = await eventually(jinan, lambda view: view.application_window is not None)
        assert opened.application_window is not None
        with pytest.raises(cycles.CycleRejectedError, match="screening has not finished"):
            await cycles.recommend(env.client, "jinan", year, recommendation(good.id))
        await skip_to(env, year_start(year))
        for street in (good, weak, other, unsurveyed):
            await cycles.apply(env.client, street.tenant, year, Application(street_id=street.id, applied_by="op"))
        with pytest.raises(cycles.CycleRejectedError, match=rf"street {other.id} not found"):
            # Applying another city's street to Jinan's cycle: the activity finds no such street there.
            await cycles.apply(env.client, "jinan", year, Application(street_id=other.id, applied_by="op"))
        await skip_to(env, day_end(opened.application_window[1]))
        await eventually(jinan, lambda view: view.phase == "recommendation")

        with pytest.raises(cycles.CycleRejectedError, match="another city's street"):
            await cycles.recommend(env.client, "jinan", year, recommendation(good.id, other.id))
        with pytest.raises(cycles.CycleRejectedError, match="failed required criteria at screening: activities"):
            await cycles.recommend(env.client, "jinan", year, recommendation(weak.id))
        with pytest.raises(cycles.CycleRejectedError, match="not a screened"):
            await cycles.recommend(env.client, "jinan", year, recommendation(987_654))
        assert (await cycles.cycle_view(env.client, "jinan", year) or opened).recommendations == ()
        assert await data.status(good) == "applied"  # a refused Update wrote nothing

        await cycles.recommend(env.client, "jinan", year, recommendation(good.id))
        await cycles.recommend(env.client, "qingdao", year, recommendation(other.id, unsurveyed.id))
        await eventually(lambda: cycles.selection_view(env.client, "shandong", year), lambda v: len(v.ranking) == 3)

        with pytest.raises(cycles.CycleRejectedError, match="exceeds the year's target of 1"):
            await cycles.designate(env.client, "shandong", year, designation(good.id, other.id))
        with pytest.raises(cycles.CycleRejectedError, match=rf"streets {unsurveyed.id} \(incomplete\) did not pass"):
            await cycles.designate(env.client, "shandong", year, designation(unsurveyed.id))
        with pytest.raises(cycles.CycleRejectedError, match="not among the cities' recommendations"):
            await cycles.designate(env.client, "shandong", year, designation(weak.id, reason="anyway"))
        with pytest.raises(cycles.CycleRejectedError, match="named twice"):
            await cycles.designate(env.client, "shandong", year, designation(good.id, good.id))
        assert await data.status(good) == "recommended"
        assert await data.scalar("SELECT count(*) FROM audit_log WHERE action = 'selection.designate'") == 0

        done = await cycles.designate(env.client, "shandong", year, designation(good.id))
        assert [c.street_id for c in done.designated] == [good.id]
        assert done.override_reason is None
        with pytest.raises(cycles.CycleRejectedError, match="has closed"):
            await cycles.designate(env.client, "shandong", year, designation(other.id, reason="late"))
        # Not designated: back to applied once its city's cycle hears, by signal, that the selection closed.
        await eventually(lambda: data.status(other), lambda status: status == "applied")
