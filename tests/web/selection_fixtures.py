"""A province selection with recommendations on the time-skipping server, for the selection page's tests: two
cities' cycles run through their applications and screening, and recommend three streets."""

from __future__ import annotations

from dataclasses import dataclass

from temporalio.testing import WorkflowEnvironment

from services.context import AppContext
from tenants.calendar import day_end, year_start
from tenants.config import TenantSettings
from tests.polling import eventually
from tests.workflows.clock import skip_to
from tests.workflows.cycle_fixtures import CycleData, Made
from workflows import client as cycles
from workflows.cycle.schemas import Application, CycleView, Recommendation, SelectionView

TARGET = 1


@dataclass(frozen=True)
class Recommended:
    passing: Made
    """济南 — passes its screening."""
    no_survey: Made
    """济南 — incomplete (no survey answers): designating it needs a reason."""
    other: Made
    """青岛 — passes its screening."""


async def _phase(env: WorkflowEnvironment, tenant: str, year: int, phase: str) -> CycleView:
    async def probe() -> CycleView | None:
        return await cycles.cycle_view(env.client, tenant, year)

    return await eventually(probe, lambda view: view.phase == phase and view.application_window is not None)


async def streets(context: AppContext, year: int) -> Recommended:
    data = CycleData(context, year)
    await data.configure("shandong", TenantSettings(pilot_target=TARGET))
    return Recommended(
        passing=await data.street("jinan", "泉城青创街区"),
        no_survey=await data.street("jinan", "明湖返乡街区", surveys=0),
        other=await data.street("qingdao", "台东电商街区"),
    )


async def recommend(env: WorkflowEnvironment, context: AppContext, year: int, made: Recommended) -> SelectionView:
    """Run Jinan's and Qingdao's cycles of `year` to their recommendations (a worker must be running)."""
    for city in ("jinan", "qingdao"):
        await cycles.start_cycle(env.client, city, year, context.settings.task_queue)
    opened = await _phase(env, "jinan", year, "application")
    assert opened.application_window is not None
    await skip_to(env, year_start(year))
    for street in (made.passing, made.no_survey, made.other):
        await cycles.apply(env.client, street.tenant, year, Application(street_id=street.id, applied_by="op"))
    await skip_to(env, day_end(opened.application_window[1]))
    for city in ("jinan", "qingdao"):
        await _phase(env, city, year, "recommendation")
    jinan = Recommendation(street_ids=(made.passing.id, made.no_survey.id), recommended_by="jinan-admin")
    await cycles.recommend(env.client, "jinan", year, jinan)
    qingdao = Recommendation(street_ids=(made.other.id,), recommended_by="qingdao-admin")
    await cycles.recommend(env.client, "qingdao", year, qingdao)
    return await eventually(
        lambda: cycles.selection_view(env.client, "shandong", year), lambda view: len(view.ranking) == 3
    )
