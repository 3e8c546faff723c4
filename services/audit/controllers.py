"""``GET /api/tenants/{tenant}/audit``: the tenant's audit trail, for its admins."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get

from services.audit import service
from services.audit.schemas import AuditEntry
from services.deps import Db, Tenant, requires
from services.shared.bounds import text_query
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged
from tenants.context import Role


class AuditController(Controller):
    path = "/api/tenants/{tenant:str}/audit"
    tags = ["audit"]
    guards = [requires(Role.CITY_ADMIN, Role.PROVINCE_ADMIN)]

    @get("/", summary="审计日志 / audit trail", response_headers=TOTAL_COUNT_HEADERS)
    async def list_audit(
        self,
        db: Db,
        tenant_id: Tenant,
        object_type: Annotated[str | None, text_query("objectType", 100, "对象类型 / only this object type")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[AuditEntry]]:
        page = await service.list_entries(db, tenant_id, object_type=object_type, limit=limit, offset=offset)
        return paged(
            page.map(
                lambda row: AuditEntry(
                    id=row.id or 0,
                    tenant=row.tenant_id,
                    actor=row.actor,
                    action=row.action,
                    object_type=row.object_type,
                    object_id=row.object_id,
                    before=row.before,
                    after=row.after,
                    request_id=row.request_id,
                    at=row.at,
                )
            )
        )
