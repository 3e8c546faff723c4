"""``/api/tenants/{tenant}/rules`` (effective rules, city rules, what-if) and ``/api/province/{province}/baselines``."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from services.deps import app_context, requires
from services.rulesets import service
from services.rulesets.schemas import (
    Baseline,
    BaselinePublish,
    CityRuleCreate,
    Criterion,
    Ruleset,
    Simulation,
    SimulationResult,
)
from services.shared.bounds import CriterionId, YearParam
from services.shared.checks import today
from tenants.context import Actor, Role
from tenants.ids import TenantId
from tenants.resolver import resolve

CITY_ADMIN = requires(Role.CITY_ADMIN)


def province_users(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Admit users whose own tenant is a province (a city reads its rules through /api/tenants/{city}/rules)."""
    user = connection.user
    if not isinstance(user, Actor) or not user.province:
        raise PermissionDeniedException("仅省级用户可访问 / for province users only")


class RulesetController(Controller):
    path = "/api/tenants/{tenant:str}/rules"
    tags = ["rules"]

    @get("/", summary="现行规则 / the effective ruleset of a year (province baseline and the city's rules)")
    async def get_rules(
        self,
        db: AsyncSession,
        tenant_id: TenantId,
        year: Annotated[
            int | None, Parameter(ge=2000, le=2100, description="评估年度，默认今年 / the year, this year by default")
        ] = None,
    ) -> Ruleset:
        return await service.get_rules(db, tenant_id, year or today().year)

    @post("/", guards=[CITY_ADMIN], summary="新增或收紧城市条件 / add a city criterion or tighten a baseline one")
    async def add_rule(self, db: AsyncSession, actor: Actor, tenant_id: TenantId, data: CityRuleCreate) -> Criterion:
        return await service.add_city_rule(db, actor, tenant_id, data)

    @delete(
        "/{criterion_id:str}",
        guards=[CITY_ADMIN],
        summary="自某年起取消城市条件 / stop a city criterion from a year on (a baseline one: 422)",
    )
    async def remove_rule(
        self, db: AsyncSession, actor: Actor, tenant_id: TenantId, criterion_id: CriterionId, year: YearParam
    ) -> None:
        await service.remove_city_rule(db, actor, tenant_id, criterion_id, year)

    @post(
        "/simulate",
        guards=[CITY_ADMIN],
        status_code=200,
        summary="规则调整模拟 / which streets' verdicts a proposed change would change (nothing is saved)",
    )
    async def simulate(
        self, request: Request[Any, Any, Any], db: AsyncSession, tenant_id: TenantId, data: Simulation
    ) -> SimulationResult:
        return await service.simulate(db, tenant_id, data, app_context(request).rules_engine)


class BaselineController(Controller):
    path = "/api/province/{province:str}/baselines"
    tags = ["rules"]
    guards = [province_users]

    @get("/{year:int}", summary="省级基本条件 / the province baseline in force in a year")
    async def get_baseline(self, db: AsyncSession, actor: Actor, province: str, year: YearParam) -> Baseline:
        return await service.get_baseline(db, resolve(actor, province), year)

    @put(
        "/{year:int}",
        guards=[requires(Role.PROVINCE_ADMIN)],
        summary="发布省级基本条件 / publish the baseline for a year no assessment has used (409 otherwise)",
    )
    async def publish_baseline(
        self, db: AsyncSession, actor: Actor, province: str, year: YearParam, data: BaselinePublish
    ) -> Baseline:
        return await service.publish_baseline(db, actor, resolve(actor, province), year, data)
