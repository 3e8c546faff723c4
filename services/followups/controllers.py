"""``/api/tenants/{tenant}/tasks``: the city's follow-up tasks (overdue visits), for caseworkers and admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromQuery, JSONBody

from services.deps import At, Db, Tenant, requires
from services.followups import service
from services.followups.schemas import FollowupTask, TaskClose, TaskStatus
from services.shared.bounds import IdParam, id_query
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged
from tenants.context import Role


class TaskController(Controller):
    path = "/api/tenants/{tenant:str}/tasks"
    tags = ["follow-ups"]
    # Tasks are the city's work on its ledger: operators do not see them (as with the ledger itself).
    guards = [requires(Role.CITY_ADMIN, Role.CASEWORKER, Role.PROVINCE_ADMIN)]

    @get("/", summary="走访任务 / follow-up tasks, the longest overdue first", response_headers=TOTAL_COUNT_HEADERS)
    async def list_tasks(
        self,
        db: Db,
        tenant_id: Tenant,
        status: FromQuery[TaskStatus | None] = None,
        street_id: Annotated[int | None, id_query("streetId", "只看该街区 / only this street")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[FollowupTask]]:
        return paged(
            await service.list_tasks(db, tenant_id, status=status, street_id=street_id, limit=limit, offset=offset)
        )

    @post(
        "/{task_id:int}/close",
        guards=[requires(Role.CITY_ADMIN, Role.CASEWORKER)],
        status_code=200,
        summary="关闭走访任务 / close a follow-up task with a reason",
        description="未走访而关闭任务（如实体已迁出、无法联系），须写明原因；记入审计日志，每周巡检不会重新打开。"
        " / Close a task without a visit (the entity moved away, cannot be reached), giving the reason; audited,"
        " and the weekly sweep does not reopen it. 409：任务已关闭 / the task is already closed;"
        " 422：原因为空 / the reason is blank.",
    )
    async def close_task(self, at: At, task_id: IdParam, data: JSONBody[TaskClose]) -> FollowupTask:
        return await service.close_task(at.db, at.actor, at.tenant_id, task_id, data.reason)
