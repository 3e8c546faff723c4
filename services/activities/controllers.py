"""``/api/tenants/{tenant}/streets/{id}/activities``: a street's activities, one by one or by file import."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from services.activities import service
from services.activities.schemas import ACTIVITY_COLUMNS, Activity, ActivityCreate
from services.deps import STREET_DATA_WRITERS, At
from services.shared.bounds import IdParam
from services.shared.imports import import_route
from services.shared.paging import street_list_route


class ActivityController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}/activities"
    tags = ["activities"]

    list_activities = street_list_route(
        service.list_activities,
        Activity,
        name="list_activities",
        summary="街区活动 / the street's activities, newest first",
        year_doc="举办年份 / held in this year",
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
