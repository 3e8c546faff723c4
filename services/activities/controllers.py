"""``/api/tenants/{tenant}/streets/{id}/activities``: a street's activities, one by one or by file import."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import JSONBody

from services.activities import service
from services.activities.schemas import ACTIVITY_COLUMNS, Activity, ActivityCreate
from services.deps import STREET_DATA_WRITERS, At
from services.shared.bounds import IdParam, year_query
from services.shared.imports import import_route
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged


class ActivityController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}/activities"
    tags = ["activities"]

    @get("/", summary="街区活动 / the street's activities, newest first", response_headers=TOTAL_COUNT_HEADERS)
    async def list_activities(
        self,
        at: At,
        street_id: IdParam,
        year: Annotated[int | None, year_query("举办年份 / held in this year")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Activity]]:
        return paged(
            await service.list_activities(
                at.db, at.actor, at.tenant_id, street_id, year=year, limit=limit, offset=offset
            )
        )

    @post("/", guards=[STREET_DATA_WRITERS], summary="登记活动 / record an activity")
    async def create_activity(self, at: At, street_id: IdParam, data: JSONBody[ActivityCreate]) -> Activity:
        return await service.create_activity(at.db, at.actor, at.tenant_id, street_id, data)

    import_activities = import_route(
        service.import_activities,
        guard=STREET_DATA_WRITERS,
        columns=ACTIVITY_COLUMNS,
        summary="导入活动（CSV/XLSX，全部或全不）/ import activities from CSV or XLSX, all rows or none",
    )
