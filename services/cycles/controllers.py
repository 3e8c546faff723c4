"""``/api/tenants/{tenant}/cycles/{year}`` (a city's annual cycle) and ``/api/province/{province}/selection/{year}``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from services.cycles import service
from services.cycles.schemas import ApplicationCreate, Cycle, DesignationCreate, RecommendationCreate, Selection
from services.deps import PROVINCE_READERS, At, Caller, Db, Province, Temporal, Tenant, app_context, requires
from services.shared.bounds import YearParam
from tenants.context import Role

Year = YearParam


class CycleController(Controller):
    path = "/api/tenants/{tenant:str}/cycles/{year:int}"
    tags = ["cycle"]

    @get("/", summary="年度流程 / the city's cycle of the year: phase, applications, recommendations, due dates")
    async def get_cycle(
        self, request: Request[Any, Any, Any], db: Db, temporal: Temporal, tenant_id: Tenant, year: Year
    ) -> Cycle:
        return await service.get_cycle(db, await temporal(), app_context(request).directory, tenant_id, year)

    @post(
        "/",
        guards=[requires(Role.CITY_ADMIN)],
        summary="启动年度流程 / start the city's cycle (201; 200 with the running one when already started)",
        status_code=201,
    )
    async def start_cycle(
        self, request: Request[Any, Any, Any], db: Db, temporal: Temporal, tenant_id: Tenant, year: Year
    ) -> Response[Cycle]:
        context = app_context(request)
        cycle, created = await service.start_cycle(
            db, await temporal(), context.directory, tenant_id, year, context.settings.task_queue
        )
        return Response(cycle, status_code=201 if created else 200)

    @post(
        "/applications",
        guards=[requires(Role.CITY_ADMIN, Role.OPERATOR)],
        summary="申报 / apply a street for the year's pilot selection (an operator: its own street)",
    )
    async def apply(self, at: At, temporal: Temporal, year: Year, data: JSONBody[ApplicationCreate]) -> Cycle:
        return await service.apply(at.db, await temporal(), at.actor, at.tenant_id, year, data)

    @post(
        "/recommendations",
        guards=[requires(Role.CITY_ADMIN)],
        summary="市级推荐 / recommend screened streets to the province (422 names what the cycle refused)",
    )
    async def recommend(
        self,
        temporal: Temporal,
        actor: Caller,
        tenant_id: Tenant,
        year: Year,
        data: JSONBody[RecommendationCreate],
    ) -> Cycle:
        return await service.recommend(await temporal(), actor, tenant_id, year, data)


class SelectionController(Controller):
    path = "/api/province/{province:str}/selection/{year:int}"
    tags = ["cycle"]

    @get("/", guards=[PROVINCE_READERS], summary="省级评选排名 / the ranking of all cities' recommendations")
    async def get_selection(self, temporal: Temporal, actor: Caller, province: Province, year: Year) -> Selection:
        return await service.get_selection(await temporal(), actor, province, year)

    @post(
        "/designations",
        guards=[requires(Role.PROVINCE_ADMIN)],
        summary="省级认定 / designate pilots (over the target or a street not passing screening: overrideReason)",
    )
    async def designate(
        self,
        temporal: Temporal,
        actor: Caller,
        province: Province,
        year: Year,
        data: JSONBody[DesignationCreate],
    ) -> Selection:
        return await service.designate(await temporal(), actor, province, year, data)
