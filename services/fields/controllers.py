"""``GET/POST /api/tenants/{tenant}/fields``: the city's custom street fields."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from sqlmodel.ext.asyncio.session import AsyncSession

from services.deps import requires
from services.fields import service
from services.fields.schemas import CustomField, CustomFieldCreate
from services.shared.paging import TOTAL_COUNT_HEADERS, Page, paged
from tenants.context import Actor, Role
from tenants.ids import TenantId


class FieldController(Controller):
    path = "/api/tenants/{tenant:str}/fields"
    tags = ["fields"]

    @get("/", summary="自定义字段 / the city's custom fields", response_headers=TOTAL_COUNT_HEADERS)
    async def list_fields(self, db: AsyncSession, tenant_id: TenantId) -> Response[list[CustomField]]:
        return paged(Page.whole(await service.list_fields(db, tenant_id)))

    @post("/", guards=[requires(Role.CITY_ADMIN)], summary="新增自定义字段 / define a custom field")
    async def create_field(
        self, db: AsyncSession, actor: Actor, tenant_id: TenantId, data: CustomFieldCreate
    ) -> CustomField:
        return await service.create_field(db, actor, tenant_id, data)
