"""``GET /api/tenants``: the tenants the caller may see."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from services.deps import At, Caller, Temporal, Tenant, app_context, requires
from services.errors import ForbiddenError
from services.notifications.webhook import WebhookPolicy
from services.shared.paging import TOTAL_COUNT_HEADERS, Page, paged
from services.tenancy import service
from services.tenancy.schemas import TenantConfigOut, TenantConfigSaved, TenantConfigUpdate, TenantOut
from tenants.context import Role


class TenantController(Controller):
    path = "/api/tenants"
    tags = ["tenants"]

    @get("/", summary="可见租户 / tenants the caller may see", response_headers=TOTAL_COUNT_HEADERS)
    async def list_tenants(self, request: Request[Any, Any, Any], actor: Caller) -> Response[list[TenantOut]]:
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
    async def get_tenant(self, request: Request[Any, Any, Any], tenant_id: Tenant) -> TenantOut:
        info = app_context(request).directory.get(tenant_id)
        assert info is not None  # the resolver only makes ids of known tenants
        return TenantOut(slug=info.slug, name_zh=info.name_zh, name_en=info.name_en, code=info.code, parent=info.parent)

    @get("/{tenant:str}/config", summary="租户配置 / the tenant's configuration")
    async def get_config(self, at: At) -> TenantConfigOut:
        return TenantConfigOut.of(await service.get_settings(at.db, at.tenant_id))

    @put(
        "/{tenant:str}/config",
        guards=[requires(Role.CITY_ADMIN, Role.PROVINCE_ADMIN)],
        summary="修改租户配置 / replace the tenant's configuration (a running cycle takes a new application window)",
        description=(
            "GET 的结果可原样提交（webhookSecretSet 为 true 且不带 webhookSecret 时保留原密钥）。"
            "申报窗口须为同一年内的有效月-日；webhook 地址须为 https://，不得指向本机或内网地址。"
            "运行中的年度流程拒绝新窗口时答 422 并说明原因，流程未响应时答 503，均不保存。"
            " / What GET answered may be sent back unchanged (webhookSecretSet: true without webhookSecret"
            " keeps the secret). The application window must be real month-days within one "
            "year; the webhook URL https:// and not this machine or a private address. A running cycle refusing "
            "the new window answers 422 with its reason, a cycle not answering 503; neither saves anything."
        ),
        responses={
            422: ResponseSpec(None, description="配置无效或年度流程拒绝 / invalid, or refused by the running cycle"),
            503: ResponseSpec(None, description="年度流程未响应 / the cycle did not answer"),
        },
    )
    async def put_config(self, at: At, temporal: Temporal, data: JSONBody[TenantConfigUpdate]) -> TenantConfigSaved:
        if not at.actor.can_write(at.tenant_id):
            raise ForbiddenError("省级用户只能修改本级配置 / a province user changes only its own configuration")
        context = at.context
        saved = await service.replace_settings(
            at.db,
            at.actor,
            at.tenant_id,
            data,
            webhook_policy=WebhookPolicy(allow_http=context.settings.webhook_allow_http),
            running=service.CycleChanges(directory=context.directory, temporal=temporal),
        )
        shown = TenantConfigOut.of(saved.settings)
        return TenantConfigSaved(**msgspec.structs.asdict(shown), notices=saved.notices)
