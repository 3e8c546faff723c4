"""``GET /api/tenants/{tenant}/audit``: the tenant's audit trail, for its admins; ``…/audit.csv`` downloads the
rows of a date range with their hash chain."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, get
from litestar.params import QueryParameter

from services.audit import service
from services.audit.schemas import AuditEntry
from services.deps import Db, Tenant, requires
from services.openapi import error_spec
from services.province_report.exports import MEDIA_TYPES
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


class AuditExportController(Controller):
    path = "/api/tenants/{tenant:str}/audit.csv"
    tags = ["audit"]
    guards = [requires(Role.CITY_ADMIN, Role.PROVINCE_ADMIN)]

    @get(
        "/",
        summary="下载审计日志（CSV）/ the audit trail of a date range as CSV (UTF-8 with BOM), with its hash chain",
        media_type=MEDIA_TYPES["csv"],
        responses={422: error_spec("日期范围无效或过长 / the range ends before it starts, or holds too many rows")},
    )
    async def export_audit(
        self,
        db: Db,
        tenant_id: Tenant,
        first: Annotated[dt.date, QueryParameter(name="from", description="开始日期（含）/ first day, China time")],
        last: Annotated[dt.date, QueryParameter(name="to", description="结束日期（含）/ last day, China time")],
    ) -> Response[bytes]:
        export = await service.export_csv(db, tenant_id, first, last)
        return Response(
            export.content, media_type=export.media_type, headers={"Content-Disposition": export.content_disposition}
        )
