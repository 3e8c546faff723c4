"""``GET/POST /api/tenants/{tenant}/fields``: the city's custom street fields."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.params import JSONBody

from services.deps import At, Db, Tenant, requires
from services.fields import service
from services.fields.schemas import CustomField, CustomFieldCreate
from services.shared.paging import TOTAL_COUNT_HEADERS, Page, paged
from tenants.context import Role


class FieldController(Controller):
    path = "/api/tenants/{tenant:str}/fields"
    tags = ["fields"]

    @get("/", summary="自定义字段 / the city's custom fields", response_headers=TOTAL_COUNT_HEADERS)
    async def list_fields(self, db: Db, tenant_id: Tenant) -> Response[list[CustomField]]:
        return paged(Page.whole(await service.list_fields(db, tenant_id)))

    @post("/", guards=[requires(Role.CITY_ADMIN)], summary="新增自定义字段 / define a custom field")
    async def create_field(self, at: At, data: JSONBody[CustomFieldCreate]) -> CustomField:
        return await service.create_field(at.db, at.actor, at.tenant_id, data)
