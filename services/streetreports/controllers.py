"""``/api/tenants/{tenant}/streets/{id}/reports|surveys|internships``: what the operator reports."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, get, patch, post, put
from litestar.background_tasks import BackgroundTask
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED

from services.deps import STREET_DATA_WRITERS, At
from services.shared.bounds import IdParam, MonthParam, year_query
from services.shared.imports import import_route
from services.shared.paging import TOTAL_COUNT_HEADERS, Limit, Offset, paged
from services.streetreports import service
from services.streetreports.schemas import (
    SURVEY_COLUMNS,
    Internship,
    InternshipCreate,
    InternshipUpdate,
    MonthlyReport,
    MonthlyReportCreate,
    MonthlyReportReplace,
    SurveyCreated,
    SurveySubmission,
    SurveySummary,
)
from workflows.tracking.client import after_report_committed

Year = Annotated[int | None, year_query("只看这一年 / only this year")]


class StreetReportController(Controller):
    path = "/api/tenants/{tenant:str}/streets/{street_id:int}"
    tags = ["street reports"]

    @get("/reports", summary="月报 / the street's monthly reports", response_headers=TOTAL_COUNT_HEADERS)
    async def list_reports(
        self, at: At, street_id: IdParam, year: Year = None, limit: Limit = 100, offset: Offset = 0
    ) -> Response[list[MonthlyReport]]:
        return paged(
            await service.list_reports(at.db, at.actor, at.tenant_id, street_id, year=year, limit=limit, offset=offset)
        )

    @post("/reports", guards=[STREET_DATA_WRITERS], summary="提交月报 / submit a month's report (one per month)")
    async def create_report(
        self, at: At, street_id: IdParam, data: JSONBody[MonthlyReportCreate]
    ) -> Response[MonthlyReport]:
        report = await service.create_report(at.db, at.actor, at.tenant_id, street_id, data)
        # A background task runs once the response is sent, i.e. after the request's transaction has
        # committed: the street's tracking workflow (if any) hears of a report that is surely saved.
        signal = BackgroundTask(after_report_committed, at.context, at.tenant_id, street_id, report.month)
        return Response(report, status_code=HTTP_201_CREATED, background=signal)

    @put("/reports/{month:str}", guards=[STREET_DATA_WRITERS], summary="更正月报 / correct a submitted report")
    async def replace_report(
        self, at: At, street_id: IdParam, month: MonthParam, data: JSONBody[MonthlyReportReplace]
    ) -> MonthlyReport:
        return await service.replace_report(at.db, at.actor, at.tenant_id, street_id, month, data)

    @get("/surveys", summary="满意度汇总 / the satisfaction survey summary")
    async def survey_summary(self, at: At, street_id: IdParam, year: Year = None) -> SurveySummary:
        return await service.survey_summary(at.db, at.actor, at.tenant_id, street_id, year=year)

    @post(
        "/surveys", guards=[STREET_DATA_WRITERS], summary="提交满意度答卷 / one survey answer or a batch (all or none)"
    )
    async def create_surveys(self, at: At, street_id: IdParam, data: JSONBody[SurveySubmission]) -> SurveyCreated:
        return await service.create_surveys(at.db, at.actor, at.tenant_id, street_id, data)

    import_surveys = import_route(
        service.import_surveys,
        guard=STREET_DATA_WRITERS,
        columns=SURVEY_COLUMNS,
        path="/surveys/import",
        summary="导入满意度答卷（CSV/XLSX，全部或全不）/ import survey answers from CSV or XLSX, all rows or none",
    )

    @get("/internships", summary="见习岗位 / the street's internship positions", response_headers=TOTAL_COUNT_HEADERS)
    async def list_internships(
        self,
        at: At,
        street_id: IdParam,
        open_on: Annotated[
            dt.date | None, QueryParameter(name="openOn", description="当日开放的 / open on this day")
        ] = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response[list[Internship]]:
        return paged(
            await service.list_internships(
                at.db, at.actor, at.tenant_id, street_id, open_on=open_on, limit=limit, offset=offset
            )
        )

    @post("/internships", guards=[STREET_DATA_WRITERS], summary="新增见习岗位 / open an internship position")
    async def create_internship(self, at: At, street_id: IdParam, data: JSONBody[InternshipCreate]) -> Internship:
        return await service.create_internship(at.db, at.actor, at.tenant_id, street_id, data)

    @patch(
        "/internships/{internship_id:int}",
        guards=[STREET_DATA_WRITERS],
        summary="修改见习岗位 / change or close a position",
    )
    async def update_internship(
        self, at: At, street_id: IdParam, internship_id: IdParam, data: JSONBody[InternshipUpdate]
    ) -> Internship:
        return await service.update_internship(at.db, at.actor, at.tenant_id, street_id, internship_id, data)
