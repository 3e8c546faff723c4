"""``/api/tenants/{tenant}/streets``: list, create, read and change a city's streets."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, patch, post
from litestar.params import JSONBody, Parameter

from services.deps import STREET_DATA_WRITERS, At, requires
from services.shared.bounds import IdParam
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged
from services.streets import service
from services.streets.schemas import Street, StreetCreate, StreetStatus, StreetUpdate
from tenants.context import Role


class StreetController(Controller):
    path = "/api/tenants/{tenant:str}/streets"
    tags = ["streets"]

    @get("/", summary="街区列表 / the city's streets (an operator: its own)", response_headers=TOTAL_COUNT_HEADERS)
    async def list_streets(
        self,
        at: At,
        status: Annotated[StreetStatus | None, Parameter(description="按状态筛选 / only this status")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Street]]:
        return paged(
            await service.list_streets(at.db, at.actor, at.tenant_id, status=status, limit=limit, offset=offset)
        )

    @post("/", guards=[requires(Role.CITY_ADMIN)], summary="新建街区 / register a street")
    async def create_street(self, at: At, data: JSONBody[StreetCreate]) -> Street:
        return await service.create_street(at.db, at.actor, at.tenant_id, data)

    @get("/{street_id:int}", summary="街区 / one street")
    async def get_street(self, at: At, street_id: IdParam) -> Street:
        return await service.get_street(at.db, at.actor, at.tenant_id, street_id)

    @patch(
        "/{street_id:int}",
        guards=[STREET_DATA_WRITERS],
        summary="修改街区 / change a street (status: withdrawal by the city admin only)",
    )
    async def update_street(self, at: At, street_id: IdParam, data: JSONBody[StreetUpdate]) -> Street:
        return await service.update_street(at.db, at.actor, at.tenant_id, street_id, data)
