"""``/api/province/{province}/grade-schemes`` (the grading scheme of a year, its publication) and
``/api/tenants/{tenant}/streets/{id}/grades`` (a street's grade history)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from services.deps import Caller, Db, Province, requires
from services.grades import service
from services.grades.schemas import GradeScheme, GradeSchemePublish, YearGrade
from services.shared.bounds import YearParam
from services.shared.paging import street_whole_list_route
from tenants.context import Role
from tenants.resolver import resolve


class GradeSchemeController(Controller):
    path = "/api/province/{province:str}/grade-schemes"
    tags = ["grades"]
    guards = [requires(province=True)]

    @get("/{year:int}", summary="年度等级评定办法 / the grading scheme in force in a year (the file's by default)")
    async def get_scheme(self, db: Db, actor: Caller, province: Province, year: YearParam) -> GradeScheme:
        return await service.get_scheme(db, resolve(actor, province), year)

    @put(
        "/{year:int}",
        guards=[requires(Role.PROVINCE_ADMIN)],
        summary="发布年度等级评定办法 / publish the grading scheme for a year no assessment has used (409 otherwise)",
        responses={
            409: ResponseSpec(
                data_container=dict[str, Any],
                description="该办法将适用的年度已有评估 / an assessment already used a year the scheme would govern",
            ),
        },
    )
    async def publish_scheme(
        self, db: Db, actor: Caller, province: Province, year: YearParam, data: JSONBody[GradeSchemePublish]
    ) -> GradeScheme:
        return await service.publish_scheme(db, actor, resolve(actor, province), year, data)


class StreetGradeController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}/grades"
    tags = ["grades"]

    grade_history = street_whole_list_route(
        service.grade_history,
        YearGrade,
        name="grade_history",
        summary="街区年度等级 / the street's grade of every year, newest first (latest assessment not voided)",
    )
