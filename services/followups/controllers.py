"""``/api/tenants/{tenant}/tasks``: the city's follow-up tasks (overdue visits), for caseworkers and admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from sqlmodel.ext.asyncio.session import AsyncSession

from services.deps import requires
from services.followups import service
from services.followups.schemas import FollowupTask, TaskStatus
from services.shared.bounds import id_query
from services.shared.paging import Limit, Offset
from tenants.context import Role
from tenants.ids import TenantId


class TaskController(Controller):
    path = "/api/tenants/{tenant:str}/tasks"
    tags = ["follow-ups"]
    # Tasks are the city's work on its ledger: operators do not see them (as with the ledger itself).
    guards = [requires(Role.CITY_ADMIN, Role.CASEWORKER, Role.PROVINCE_ADMIN)]

    @get("/", summary="走访任务 / follow-up tasks, the longest overdue first")
    async def list_tasks(
        self,
        db: AsyncSession,
        tenant_id: TenantId,
        status: TaskStatus | None = None,
        street_id: Annotated[int | None, id_query("streetId", "只看该街区 / only this street")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[FollowupTask]:
        return await service.list_tasks(db, tenant_id, status=status, street_id=street_id, limit=limit, offset=offset)
