"""``/api/tenants/{tenant}/streets/{id}/assessments``: assess a street, list and read its assessments, reproduce one."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import Parameter
from sqlmodel.ext.asyncio.session import AsyncSession

from services.assessments import service
from services.assessments.schemas import Assessment, AssessmentCreate, Reproduction
from services.deps import app_context, requires
from services.shared.bounds import IdParam
from services.shared.paging import Limit, Offset
from tenants.context import Actor, Role
from tenants.ids import TenantId


class AssessmentController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}/assessments"
    tags = ["assessments"]

    @post("/", guards=[requires(Role.CITY_ADMIN)], summary="评估街区 / assess the street for a year")
    async def create_assessment(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        actor: Actor,
        tenant_id: TenantId,
        street_id: IdParam,
        data: AssessmentCreate,
    ) -> Assessment:
        engine = app_context(request).rules_engine
        return await service.create_assessment(db, actor, tenant_id, street_id, data.year, engine)

    @get("/", summary="评估记录 / the street's assessments, newest first")
    async def list_assessments(
        self,
        db: AsyncSession,
        actor: Actor,
        tenant_id: TenantId,
        street_id: IdParam,
        year: Annotated[int | None, Parameter(ge=2000, le=2100, description="评估年度 / of this year")] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> list[Assessment]:
        return await service.list_assessments(db, actor, tenant_id, street_id, year=year, limit=limit, offset=offset)

    @get("/{assessment_id:int}", summary="评估 / one assessment")
    async def get_assessment(
        self, db: AsyncSession, actor: Actor, tenant_id: TenantId, street_id: IdParam, assessment_id: IdParam
    ) -> Assessment:
        return await service.get_assessment(db, actor, tenant_id, street_id, assessment_id)

    @get(
        "/{assessment_id:int}/reproduce",
        summary="复核评估 / re-evaluate an assessment from the facts and criteria it stored",
    )
    async def reproduce(
        self,
        request: Request[Any, Any, Any],
        db: AsyncSession,
        actor: Actor,
        tenant_id: TenantId,
        street_id: IdParam,
        assessment_id: IdParam,
    ) -> Reproduction:
        engine = app_context(request).rules_engine
        return await service.reproduce(db, actor, tenant_id, street_id, assessment_id, engine)
