"""``GET /api/tenants``: the tenants the caller may see."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, put
from sqlmodel.ext.asyncio.session import AsyncSession

from services.deps import app_context, requires
from services.errors import ForbiddenError
from services.shared.paging import TOTAL_COUNT_HEADERS, Page, paged
from services.tenancy import service
from services.tenancy.schemas import TenantConfigOut, TenantOut
from tenants.config import TenantSettings
from tenants.context import Actor, Role
from tenants.ids import TenantId


class TenantController(Controller):
    path = "/api/tenants"
    tags = ["tenants"]

    @get("/", summary="可见租户 / tenants the caller may see", response_headers=TOTAL_COUNT_HEADERS)
    async def list_tenants(self, request: Request[Any, Any, Any], actor: Actor) -> Response[list[TenantOut]]:
        directory = app_context(request).directory
        return paged(
            Page.whole(
                [
                    TenantOut(slug=t.slug, name_zh=t.name_zh, name_en=t.name_en, code=t.code, parent=t.parent)
                    for t in directory.all()
                    if actor.can_read(t.slug)
                ]
            )
        )

    @get("/{tenant:str}", summary="租户 / one tenant")
    async def get_tenant(self, request: Request[Any, Any, Any], tenant_id: TenantId) -> TenantOut:
        info = app_context(request).directory.get(tenant_id)
        assert info is not None  # the resolver only makes ids of known tenants
        return TenantOut(slug=info.slug, name_zh=info.name_zh, name_en=info.name_en, code=info.code, parent=info.parent)

    @get("/{tenant:str}/config", summary="租户配置 / the tenant's configuration")
    async def get_config(self, db: AsyncSession, tenant_id: TenantId) -> TenantConfigOut:
        return TenantConfigOut.of(await service.get_settings(db, tenant_id))

    @put(
        "/{tenant:str}/config",
        guards=[requires(Role.CITY_ADMIN, Role.PROVINCE_ADMIN)],
        summary="修改租户配置 / replace the tenant's configuration",
    )
    async def put_config(
        self, db: AsyncSession, actor: Actor, tenant_id: TenantId, data: TenantSettings
    ) -> TenantConfigOut:
        if not actor.can_write(tenant_id):
            raise ForbiddenError("省级用户只能修改本级配置 / a province user changes only its own configuration")
        return TenantConfigOut.of(await service.replace_settings(db, actor, tenant_id, data))
