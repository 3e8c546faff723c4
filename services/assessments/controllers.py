"""``/api/tenants/{tenant}/streets/{id}/assessments``: assess a street, list and read its assessments, reproduce one."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import JSONBody

from services.assessments import service
from services.assessments.schemas import Assessment, AssessmentCreate, AssessmentVoid, Reproduction
from services.deps import At, requires
from services.shared.bounds import IdParam
from services.shared.paging import street_list_route
from tenants.context import Role


class AssessmentController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}/assessments"
    tags = ["assessments"]

    @post(
        "/",
        guards=[requires(Role.CITY_ADMIN)],
        summary="评估街区 / assess the street for a year",
        description="只能评估本年度（按北京时间）或以前的年度，未来年度答 422。"
        " / For the current year (China time) or an earlier one; a future year answers 422.",
    )
    async def create_assessment(self, at: At, street_id: IdParam, data: JSONBody[AssessmentCreate]) -> Assessment:
        engine = at.context.rules_engine
        return await service.create_assessment(at.db, at.actor, at.tenant_id, street_id, data.year, engine)

    list_assessments = street_list_route(
        service.list_assessments,
        Assessment,
        name="list_assessments",
        summary="评估记录 / the street's assessments, newest first",
        year_doc="评估年度 / of this year",
    )

    @get("/{assessment_id:int}", summary="评估 / one assessment")
    async def get_assessment(self, at: At, street_id: IdParam, assessment_id: IdParam) -> Assessment:
        return await service.get_assessment(at.db, at.actor, at.tenant_id, street_id, assessment_id)

    @post(
        "/{assessment_id:int}/void",
        guards=[requires(Role.CITY_ADMIN)],
        status_code=200,
        summary="作废评估 / void a mistaken assessment with a reason",
        description="作废的评估保留在记录中并标明作废（voided、voidedReason、voidedAt），记入审计日志；"
        "不再计入省级报表等任何统计，也不再锁定该年度的省级基本条件。"
        " / A voided assessment stays on record, marked voided, and is audited; it no longer counts in the"
        " province report or anywhere else, nor locks the province's baseline for its year."
        " 409：评估已作废 / already voided; 422：原因为空 / the reason is blank.",
    )
    async def void_assessment(
        self, at: At, street_id: IdParam, assessment_id: IdParam, data: JSONBody[AssessmentVoid]
    ) -> Assessment:
        return await service.void_assessment(at.db, at.actor, at.tenant_id, street_id, assessment_id, data.reason)

    @get(
        "/{assessment_id:int}/reproduce",
        summary="复核评估 / re-evaluate an assessment from the facts and criteria it stored",
    )
    async def reproduce(self, at: At, street_id: IdParam, assessment_id: IdParam) -> Reproduction:
        engine = at.context.rules_engine
        return await service.reproduce(at.db, at.actor, at.tenant_id, street_id, assessment_id, engine)
