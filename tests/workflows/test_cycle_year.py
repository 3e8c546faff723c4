"""A whole year of the annual cycle for three cities on the time-skipping server, with the real activities:
applications, screening, recommendations, the province's designation with one override, tracking,
the year-end re-evaluation with rectification (one street retained after it, one revoked), a passing
street retained, and the next year's cycle running."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment

from services.context import AppContext
from tenants.calendar import day_end, year_start
from tenants.config import TenantSettings
from tests.polling import eventually
from tests.workflows.clock import next_year, skip_to
from tests.workflows.cycle_fixtures import CycleData, Made, record_histories
from workflows import client as cycles
from workflows.cycle.schemas import (
    PHASE,
    TENANT,
    YEAR,
    Application,
    CycleView,
    Designation,
    Recommendation,
    ReevaluationView,
    cycle_id,
    reevaluation_id,
    selection_id,
)
from workflows.worker import build_worker

CITIES = ("jinan", "qingdao", "zibo")


async def phase_of(env: WorkflowEnvironment, tenant: str, year: int, phase: str) -> CycleView:
    async def probe() -> CycleView | None:
        return await cycles.cycle_view(env.client, tenant, year)

    # A view before the opening activity has finished has no window yet.
    return await eventually(probe, lambda view: view.phase == phase and view.application_window is not None)


async def reevaluation(env: WorkflowEnvironment, tenant: str, year: int, phase: str) -> ReevaluationView:
    async def probe() -> ReevaluationView | None:
        return await cycles.reevaluation_view(env.client, tenant, year)

    return await eventually(probe, lambda view: view.phase == phase)


async def test_a_whole_year(temporal_env: WorkflowEnvironment, cycle_context: AppContext) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    data = CycleData(context, year)
    await data.configure("shandong", TenantSettings(pilot_target=2))
    passing = await data.street("jinan", "泉城青创街区")
    spoiled = await data.street("jinan", "明湖电商街区")  # passes screening, then loses activities
    no_survey = await data.street("qingdao", "崂山返乡街区", surveys=0)  # incomplete: satisfaction no data
    failing = await data.street("qingdao", "台东夜市街区")
    await data.too_few_activities(failing)
    not_chosen = await data.street("zibo", "周村商埠街区")

    async with build_worker(env.client, context):
        for city in CITIES:
            assert await cycles.start_cycle(env.client, city, year, context.settings.task_queue)
        # A repeated start finds the running cycle.
        assert not await cycles.start_cycle(env.client, "jinan", year, context.settings.task_queue)

        # Applications open on 1 January of the year.
        early = await phase_of(env, "jinan", year, "application")
        assert early.application_window is not None
        assert early.workflow_id == cycle_id("jinan", year)
        with pytest.raises(cycles.CycleRejectedError, match="open on"):
            await cycles.apply(env.client, "jinan", year, Application(street_id=passing.id, applied_by="op"))
        await skip_to(env, year_start(year))
        for street in (passing, spoiled, no_survey, failing, not_chosen):
            application = Application(street_id=street.id, applied_by="op")
            assert street.id in (await cycles.apply(env.client, street.tenant, year, application)).applications
        await cycles.apply(env.client, "jinan", year, Application(street_id=passing.id, applied_by="op"))  # again

        # Screening at the window's close; then the cities recommend.
        await skip_to(env, day_end(early.application_window[1]))
        for city in CITIES:
            await phase_of(env, city, year, "recommendation")
        await cycles.recommend(
            env.client, "jinan", year, Recommendation(street_ids=(passing.id, spoiled.id), recommended_by="jinan-admin")
        )
        qingdao = await cycles.recommend(
            env.client, "qingdao", year, Recommendation(street_ids=(no_survey.id,), recommended_by="qingdao-admin")
        )
        assert {c.street_id: c.outcome for c in qingdao.screening} == {no_survey.id: "incomplete", failing.id: "fail"}
        await cycles.recommend(
            env.client, "zibo", year, Recommendation(street_ids=(not_chosen.id,), recommended_by="zibo-admin")
        )
        assert await data.status(passing) == "recommended"

        # The province ranks every recommendation and designates three, over its target of two and with a
        # street whose screening was incomplete: one override, with its reason.
        selection = await eventually(
            lambda: cycles.selection_view(env.client, "shandong", year), lambda view: len(view.ranking) == 4
        )
        assert selection.target == 2
        assert [c.outcome for c in selection.ranking] == ["pass", "pass", "pass", "incomplete"]
        reason = "崂山街区问卷延期，经研究同意认定 / survey postponed; designated by decision of the office"
        designated = await cycles.designate(
            env.client,
            "shandong",
            year,
            Designation(
                street_ids=(passing.id, spoiled.id, no_survey.id), designated_by="province", override_reason=reason
            ),
        )
        assert designated.phase == "closed"
        assert designated.override_reason == reason
        for street in (passing, spoiled, no_survey):
            assert await data.status(street) == "pilot"
        # Not selected: may apply again next year. Its city's cycle hears of the closed selection by a
        # signal after the designation returns, so the status comes back a moment later.
        await eventually(lambda: data.status(not_chosen), lambda status: status == "applied")
        audit = await data.rows(
            "SELECT after FROM audit_log WHERE tenant_id = 'shandong' AND action = 'selection.designate'"
        )
        assert len(audit) == 1
        assert audit[0].after["overrideReason"] == reason
        assert audit[0].after["overTarget"] is True
        assert audit[0].after["notPassing"] == [no_survey.id]

        jinan = await phase_of(env, "jinan", year, "tracking")
        assert set(jinan.designated) == {passing.id, spoiled.id}
        assert set(jinan.tracked) == {passing.id, spoiled.id}
        await phase_of(env, "zibo", year, "tracking")
        tracking = await env.client.get_workflow_handle(f"street:jinan:{passing.id}:{year}").describe()
        assert tracking.status == WorkflowExecutionStatus.RUNNING
        # What the Temporal UI and `temporal workflow list --query 'JiequTenant="jinan"'` filter on.
        described = await env.client.get_workflow_handle(cycle_id("jinan", year)).describe()
        attributes = described.typed_search_attributes
        assert (attributes.get(TENANT), attributes.get(YEAR), attributes.get(PHASE)) == ("jinan", year, "tracking")

        # During the year one pilot loses half its activities; at year end the cities are re-evaluated.
        await data.too_few_activities(spoiled)
        await skip_to(env, year_start(year + 1))
        jinan_review = await reevaluation(env, "jinan", year, "rectification")
        assert jinan_review.retained == (passing.id,)
        assert jinan_review.rectification == (spoiled.id,)
        qingdao_review = await reevaluation(env, "qingdao", year, "rectification")
        assert qingdao_review.rectification == (no_survey.id,)
        assert await data.status(passing) == "designated"
        assert await data.status(spoiled) == "rectification"
        closed = await phase_of(env, "jinan", year, "closed")
        assert closed.reevaluation is not None
        assert closed.reevaluation.rectification == (spoiled.id,)

        # The next year's cycle runs under its own id and tracks the city's designated streets.
        following = await phase_of(env, "jinan", year + 1, "application")
        assert following.workflow_id == cycle_id("jinan", year + 1)
        assert set(following.tracked) == {passing.id, spoiled.id}

        # Qingdao's street collects its survey during rectification; Jinan's does nothing.
        await data.surveys(no_survey, 30)
        await skip_to(env, year_start(year + 1) + timedelta(days=90))
        assert (await reevaluation(env, "jinan", year, "closed")).revoked == (spoiled.id,)
        assert (await reevaluation(env, "qingdao", year, "closed")).retained == (no_survey.id,)
        assert await data.status(spoiled) == "revoked"
        assert await data.status(no_survey) == "designated"

        # The year's cycles end with their children: the tracking of December, the rectifications.
        for city in CITIES:
            handle = env.client.get_workflow_handle(cycle_id(city, year))
            await eventually(handle.describe, lambda d: d.status == WorkflowExecutionStatus.COMPLETED)

    await _assert_written_once(data, (passing, spoiled, no_survey, failing, not_chosen))
    assert (await env.client.get_workflow_handle(selection_id("shandong", year)).describe()).status == (
        WorkflowExecutionStatus.COMPLETED
    )
    await record_histories(
        env,
        {
            "selection": selection_id("shandong", year),
            "cycle_jinan": cycle_id("jinan", year),
            "cycle_zibo": cycle_id("zibo", year),
            "reevaluation_revoked": reevaluation_id("jinan", year),
            "reevaluation_retained": reevaluation_id("qingdao", year),
        },
    )


async def _assert_written_once(data: CycleData, streets: tuple[Made, ...]) -> None:
    """Each assessment once per street and kind; each notice once per street, kind and recipient."""
    kinds = await data.rows(
        "SELECT street_id, kind, count(*) AS n FROM assessments WHERE year = :y GROUP BY street_id, kind",
        y=data.year,
    )
    assert {(r.street_id, r.kind): r.n for r in kinds} == {
        **{(s.id, "screening"): 1 for s in streets},
        **{(s.id, "annual"): 1 for s in streets[:3]},
        **{(s.id, "rectification"): 1 for s in streets[1:3]},
    }
    notices = await data.rows(
        "SELECT street_id, kind, count(*) AS n, count(DISTINCT username) AS users FROM notifications"
        " WHERE kind LIKE 'street_%' GROUP BY street_id, kind"
    )
    by_kind = {(r.street_id, r.kind): (r.n, r.users) for r in notices}
    # The city admin of each city receives each notice once (the streets have no operator users here).
    assert by_kind == {
        (streets[0].id, "street_designated"): (1, 1),
        (streets[1].id, "street_designated"): (1, 1),
        (streets[2].id, "street_designated"): (1, 1),
        (streets[0].id, "street_retained"): (1, 1),
        (streets[1].id, "street_rectification"): (1, 1),
        (streets[2].id, "street_rectification"): (1, 1),
        (streets[1].id, "street_revoked"): (1, 1),
        (streets[2].id, "street_retained"): (1, 1),
    }
