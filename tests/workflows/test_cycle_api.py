"""The cycle's routes (API.md, "Assessments and the cycle") over the workflows on the time-skipping server:
roles (403), another tenant (404), a year not started (404), the workflows' refusals (422)."""

from __future__ import annotations

from datetime import date
from typing import Any

from temporalio.testing import WorkflowEnvironment

from services.context import AppContext
from tenants.calendar import day_end, year_start
from tenants.config import TenantSettings
from tests.polling import eventually
from tests.workflows.clock import next_year, skip_to
from tests.workflows.cycle_fixtures import CycleApi, CycleData
from workflows.worker import build_worker


async def test_cycle_routes(temporal_env: WorkflowEnvironment, cycle_context: AppContext) -> None:
    env, context = temporal_env, cycle_context
    year = await next_year(env)
    data = CycleData(context, year)
    await data.configure("shandong", TenantSettings(pilot_target=1))
    own = await data.street("jinan", "曲水亭创业街区", operator="jinan-op-cycle")
    second = await data.street("jinan", "百花洲创业街区")
    foreign = await data.street("qingdao", "大鲍岛创业街区")
    call = CycleApi(context)
    cycle = f"/api/tenants/jinan/cycles/{year}"

    async with build_worker(env.client, context), call as http:
        assert (await call("jinan-admin", "GET", cycle)).status_code == 404  # not started
        assert (await call("jinan-case", "POST", cycle)).status_code == 403
        assert (await call("province", "POST", cycle)).status_code == 403
        assert (await call("qingdao-admin", "POST", cycle)).status_code == 404
        started = await call("jinan-admin", "POST", cycle)
        assert started.status_code == 201, started.text
        assert started.json()["workflowId"] == f"cycle:jinan:{year}"
        again = await call("jinan-admin", "POST", cycle)
        assert again.status_code == 200
        assert again.json()["workflowId"] == f"cycle:jinan:{year}"
        assert (await call("qingdao-admin", "POST", f"/api/tenants/qingdao/cycles/{year}")).status_code == 201
        assert (await call("province", "POST", f"/api/tenants/shandong/cycles/{year}")).status_code == 403
        past = await call("jinan-admin", "POST", f"/api/tenants/jinan/cycles/{year - 5}")
        assert past.status_code == 422
        assert "cycle can start" in past.json()["detail"]

        async def opened() -> dict[str, Any] | None:
            response = await call("jinan-case", "GET", cycle)
            return response.json() if response.status_code == 200 else None

        view = await eventually(opened, lambda v: v["applicationWindow"] is not None)
        assert view["phase"] == "application"
        assert view["applicationWindow"] == {"opens": f"{year}-01-01", "closes": f"{year}-03-31"}
        assert {"kind": "applications", "dueOn": f"{year}-03-31", "streetId": None} in view["due"]
        assert (await call("qingdao-admin", "GET", cycle)).status_code == 404
        assert (await call("province", "GET", cycle)).status_code == 200  # the province reads its cities

        applications = f"{cycle}/applications"
        early = await call("jinan-op-cycle", "POST", applications, {"streetId": own.id})
        assert early.status_code == 422
        assert "open on" in early.json()["detail"]
        await skip_to(env, year_start(year))
        assert (await call("jinan-op-cycle", "POST", applications, {"streetId": own.id})).status_code == 201
        assert (await call("jinan-op-cycle", "POST", applications, {"streetId": second.id})).status_code == 404
        assert (await call("jinan-case", "POST", applications, {"streetId": second.id})).status_code == 403
        assert (await call("jinan-admin", "POST", applications, {"streetId": foreign.id})).status_code == 404
        applied = await call("jinan-admin", "POST", applications, {"streetId": second.id})
        assert applied.status_code == 201
        assert applied.json()["applications"] == sorted([own.id, second.id])
        assert (await call("jinan-admin", "POST", applications, {"streetId": 1, "extra": 1})).status_code == 400

        recommendations = f"{cycle}/recommendations"
        early = await call("jinan-admin", "POST", recommendations, {"streetIds": [own.id]})
        assert early.status_code == 422
        assert "screening" in early.json()["detail"]
        await skip_to(env, day_end(date.fromisoformat(view["applicationWindow"]["closes"])))
        await eventually(opened, lambda v: v["phase"] == "recommendation")
        assert (await call("jinan-case", "POST", recommendations, {"streetIds": [own.id]})).status_code == 403
        assert (await call("qingdao-admin", "POST", recommendations, {"streetIds": [own.id]})).status_code == 404
        refused = await call("jinan-admin", "POST", recommendations, {"streetIds": [own.id, foreign.id]})
        assert refused.status_code == 422
        assert "another city's street" in refused.json()["detail"]
        recommended = await call("jinan-admin", "POST", recommendations, {"streetIds": [own.id, second.id]})
        assert recommended.status_code == 201, recommended.text
        assert recommended.json()["recommendations"] == [own.id, second.id]
        assert [c["outcome"] for c in recommended.json()["screening"]] == ["pass", "pass"]

        selection = f"/api/province/shandong/selection/{year}"
        assert (await call("jinan-admin", "GET", selection)).status_code == 403
        assert (await call("province", "GET", f"/api/province/jinan/selection/{year}")).status_code == 404
        assert (await call("province", "GET", f"/api/province/shandong/selection/{year + 1}")).status_code == 404
        ranking = await call("province-viewer", "GET", selection)
        assert ranking.status_code == 200, ranking.text
        assert [(c["rank"], c["streetId"]) for c in ranking.json()["ranking"]] == [(1, own.id), (2, second.id)]
        assert ranking.json()["target"] == 1

        designations = f"{selection}/designations"
        body = {"streetIds": [own.id, second.id]}
        assert (await call("jinan-admin", "POST", designations, body)).status_code == 403
        assert (await call("province-viewer", "POST", designations, body)).status_code == 403
        over = await call("province", "POST", designations, body)
        assert over.status_code == 422
        assert "overrideReason" in over.json()["detail"]
        done = await call("province", "POST", designations, {**body, "overrideReason": "两个街区同样出色"})
        assert done.status_code == 201, done.text
        assert done.json()["phase"] == "closed"
        assert done.json()["overrideReason"] == "两个街区同样出色"
        assert await data.status(own) == "pilot"
        closed = await call("province", "POST", designations, {"streetIds": [own.id]})
        assert closed.status_code == 422
        assert "closed" in closed.json()["detail"]
        tracking = await eventually(opened, lambda v: v["phase"] == "tracking")
        assert tracking["designated"] == [own.id, second.id]

        schema = (await http.get("/schema/openapi.json")).json()["paths"]
        for path in (
            "/api/tenants/{tenant}/cycles/{year}",
            "/api/tenants/{tenant}/cycles/{year}/recommendations",
            "/api/tenants/{tenant}/cycles/{year}/applications",
            "/api/province/{province}/selection/{year}",
            "/api/province/{province}/selection/{year}/designations",
        ):
            assert path in schema
