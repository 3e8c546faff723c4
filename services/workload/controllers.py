"""``…/streets/{id}/services``: a centre's services, one by one or by file; ``…/workload/{year}`` (and
``.xlsx``): a city's monthly workload, the basis of the employment-service subsidy (三(三))."""

from __future__ import annotations

import re
from typing import Annotated, Any, Final

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody, Parameter

from services.deps import STREET_DATA_WRITERS, At, Db, Tenant, app_context, requires
from services.errors import NotFoundError
from services.openapi import error_spec
from services.shared.bounds import IdParam
from services.shared.imports import import_route
from services.shared.paging import street_list_route
from services.workload import service
from services.workload.schemas import SERVICE_COLUMNS, CenterService, CenterServiceCreate, Workload
from tenants.context import Role

# Litestar matches whole path segments only, so "2025" and "2025.xlsx" are one parameter (as the province report).
_WORKLOAD: Final = re.compile(r"(?P<year>\d{4})(?P<xlsx>\.xlsx)?")


class CenterServiceController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}/services"
    tags = ["workload"]

    list_services = street_list_route(
        service.list_services,
        CenterService,
        name="list_services",
        summary="服务记录 / the centre's services, newest first",
        year_doc="服务年份 / served in this year",
    )

    @post("/", guards=[STREET_DATA_WRITERS], summary="登记服务 / record a service of the centre")
    async def create_service(self, at: At, street_id: IdParam, data: JSONBody[CenterServiceCreate]) -> CenterService:
        return await service.create_service(at.db, at.actor, at.tenant_id, street_id, data)

    import_services = import_route(
        service.import_services,
        guard=STREET_DATA_WRITERS,
        columns=SERVICE_COLUMNS,
        summary="导入服务记录（CSV/XLSX，全部或全不）/ import services from CSV or XLSX, all rows or none",
    )


class WorkloadController(Controller):
    path = "/api/tenants/{tenant:str}/workload"
    tags = ["workload"]
    guards = [requires(Role.CITY_ADMIN, Role.CASEWORKER, Role.VIEWER, Role.PROVINCE_ADMIN, Role.DEPARTMENT_VIEWER)]

    @get(
        "/{workload:str}",
        summary="服务工作量 / the city's monthly workload per centre (JSON, or the workbook for /{year}.xlsx)",
        responses={404: error_spec("年度未开始或格式不存在 / a year not begun, or no such format")},
    )
    async def workload(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        tenant_id: Tenant,
        workload: Annotated[str, Parameter(description="the year, e.g. 2025, or 2025.xlsx", max_length=9)],
    ) -> Response[Workload | bytes]:
        match = _WORKLOAD.fullmatch(workload)
        if match is None:
            raise NotFoundError(f"工作量 {workload} 不存在 / workload {workload} not found")
        year = int(match["year"])
        service.check_year(year)
        figures = await service.city_workload(db, tenant_id, year)
        if not match["xlsx"]:
            return Response(figures)
        info = app_context(request).directory.get(tenant_id)
        name = info.name_zh if info is not None else str(tenant_id)
        export = service.workload_xlsx(figures, name)
        return Response(
            export.content, media_type=export.media_type, headers={"Content-Disposition": export.content_disposition}
        )
